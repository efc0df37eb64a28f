import { Construct } from "constructs";
import { TerraformOutput, TerraformStack, type TerraformRemoteState } from "cdktf";
import { remoteStateOf, type StateBackendSettings } from "../backend/state-backend";

/** Terraform type of a contract output. */
export type OutputType = "string" | "number" | "list";

export interface OutputSpec {
  readonly type: OutputType;
  /** Secret values (keys, passwords) stay sensitive in the producer and the consumer. */
  readonly sensitive: boolean;
  readonly description: string;
}

export type OutputSpecs = Readonly<Record<string, OutputSpec>>;

/** The outputs one stack publishes for the others, declared once. */
export interface Contract<S extends OutputSpecs> {
  /** Name of the producing stack. */
  readonly producer: string;
  readonly outputs: S;
}

type ValueOf<T extends OutputType> = T extends "string"
  ? string
  : T extends "number"
    ? number
    : string[];

/** The values a producer must supply: one per declared output, of the declared type. */
export type ContractValues<S extends OutputSpecs> = {
  readonly [K in keyof S]: ValueOf<S[K]["type"]>;
};

type KeysOfType<S extends OutputSpecs, T extends OutputType> = {
  [K in keyof S]: S[K]["type"] extends T ? K : never;
}[keyof S] &
  string;

export function defineContract<S extends OutputSpecs>(producer: string, outputs: S): Contract<S> {
  return { producer, outputs };
}

/** Terraform output name of a contract key: registryIp -> registry_ip. */
export function outputName(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Create the producer's `TerraformOutput`s, one per contract entry, with fixed names. */
export function publishContract<S extends OutputSpecs>(
  stack: TerraformStack,
  contract: Contract<S>,
  values: ContractValues<S>,
): void {
  for (const [key, spec] of Object.entries(contract.outputs)) {
    const name = outputName(key);
    const output = new TerraformOutput(stack, name, {
      value: values[key],
      sensitive: spec.sensitive,
      description: spec.description,
    });
    output.overrideLogicalId(name);
  }
}

export interface ContractReaderProps<S extends OutputSpecs> {
  readonly contract: Contract<S>;
  /** The producer's backend settings: the consumer always reads where the producer writes. */
  readonly backend: StateBackendSettings;
  /**
   * The producer stack when it is in the same app, so `cdktf deploy '*'` orders them.
   * @default no dependency (the producer is deployed separately)
   */
  readonly producerStack?: TerraformStack;
}

/** Reads a producer's contract outputs through its remote state, with typed getters. */
export class ContractReader<S extends OutputSpecs> extends Construct {
  public readonly remoteState: TerraformRemoteState;

  constructor(scope: Construct, id: string, props: ContractReaderProps<S>) {
    super(scope, id);
    this.remoteState = remoteStateOf(this, "state", props.contract.producer, props.backend);
    if (props.producerStack) TerraformStack.of(this).addDependency(props.producerStack);
  }

  string(key: KeysOfType<S, "string">): string {
    return this.remoteState.getString(outputName(key));
  }

  number(key: KeysOfType<S, "number">): number {
    return this.remoteState.getNumber(outputName(key));
  }

  list(key: KeysOfType<S, "list">): string[] {
    return this.remoteState.getList(outputName(key));
  }
}
