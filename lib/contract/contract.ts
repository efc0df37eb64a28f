import { Construct } from "constructs";
import { DataResource, TerraformOutput, TerraformStack, type TerraformRemoteState } from "cdktf";
import { ENVIRONMENT_OUTPUT } from "../backend/state-identity";
import {
  remoteStateOf,
  stateLocationOf,
  type StateBackendSettings,
} from "../backend/state-backend";

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
  /** The environment the producer's state must belong to (its `environment` output). */
  readonly environment: string;
  /**
   * The producer stack when it is in the same app, so `cdktf deploy '*'` orders them.
   * @default no dependency (the producer is deployed separately)
   */
  readonly producerStack?: TerraformStack;
}

/** A Terraform expression testing the JSON shape of a value of a contract type. */
// No quoted quotes: cdktf does not escape them inside expressions. The first character of a
// value's JSON tells its type: `"` a string, `[` a list; a number's JSON is a number.
const TYPE_TEST: Readonly<Record<OutputType, (value: string) => string>> = {
  string: (value) => `substr(jsonencode(${value}), 0, 1) == substr(jsonencode("s"), 0, 1)`,
  number: (value) => `can(tonumber(jsonencode(${value})))`,
  list: (value) => `substr(jsonencode(${value}), 0, 1) == "["`,
};

/**
 * Reads a producer's contract outputs through its remote state, with typed getters. The read
 * fails with a message naming the producer stack when its state lacks a contract output or
 * holds one of another type (a data-source postcondition, evaluated during plan:
 * https://developer.hashicorp.com/terraform/language/expressions/custom-conditions), and, on
 * the local backend, when the producer's state file is missing or unreadable; Terraform's own
 * errors ("Unable to find remote state", "Unsupported state file format") name neither.
 */
export class ContractReader<S extends OutputSpecs> extends Construct {
  /** The stack whose contract this reads: what makes this stack one of its consumers. */
  public readonly producer: string;
  public readonly remoteState: TerraformRemoteState;
  /** On the local backend: fails the plan, naming the producer, when its state file is unusable. */
  public readonly stateFileGuard?: DataResource;

  constructor(scope: Construct, id: string, props: ContractReaderProps<S>) {
    super(scope, id);
    const producer = props.contract.producer;
    this.producer = producer;
    this.remoteState = remoteStateOf(this, "state", producer, props.backend);
    if (props.producerStack) TerraformStack.of(this).addDependency(props.producerStack);
    const location = stateLocationOf(producer, props.backend);
    const applyFirst = `Apply the ${producer} stack first (npx cdktf deploy ${producer}, or terraform -chdir=cdktf.out/stacks/${producer} apply)`;
    const names = Object.keys(props.contract.outputs).map(outputName);
    const list = `[${names.map((name) => JSON.stringify(name)).join(", ")}]`;
    const missing = `setsubtract(${list}, keys(self.outputs))`;
    const typeChecks = (Object.entries(props.contract.outputs) as Array<[string, OutputSpec]>).map(
      ([key, spec]) => {
        const value = `self.outputs[${JSON.stringify(outputName(key))}]`;
        // Only a boolean about the value's shape leaves the sensitive wrapper.
        return `(can(${value}) ? nonsensitive(${TYPE_TEST[spec.type](value)}) : true)`;
      },
    );
    const producerEnvironment = `try(self.outputs[${JSON.stringify(ENVIRONMENT_OUTPUT)}], "")`;
    this.remoteState.addOverride("lifecycle.postcondition", [
      {
        // First: a state of another environment also lacks or mistypes outputs.
        condition: `\${${producerEnvironment} == ${JSON.stringify(props.environment)}}`,
        error_message: `The state of ${producer} (${location.description}) belongs to environment \${${producerEnvironment} == "" ? "(none recorded: applied before environment names; re-apply ${producer} with this version)" : ${producerEnvironment}}, not to ${props.environment}, which this synthesis is: two environment files resolve to the same state location. Check HYBRID_CONFIG and the backend settings (give each environment its own name: environment:).`,
      },
      {
        condition: `\${length(${missing}) == 0}`,
        error_message: `The state of ${producer} (${location.description}) has no output \${join(", ", ${missing})}. ${applyFirst}, with this version of the project.`,
      },
      {
        condition: `\${alltrue([${typeChecks.join(", ")}])}`,
        error_message: `The state of ${producer} (${location.description}) publishes an output with another type than this version expects (${Object.entries(
          props.contract.outputs,
        )
          .map(([key, spec]) => `${outputName(key)}: ${spec.type}`)
          .join(", ")}). Re-apply ${producer} with this version.`,
      },
    ]);
    if (location.localPath) {
      // A postcondition, so that the condition can refer to `self` (Terraform refuses a
      // condition that refers to no object); terraform_data's input is known at plan time.
      this.stateFileGuard = new DataResource(this, "state-file", {
        input: { producer, path: location.localPath },
        lifecycle: {
          postcondition: [
            {
              condition: "${fileexists(self.input.path)}",
              errorMessage: `No state of ${producer} at ${location.description}. ${applyFirst}.`,
            },
            {
              condition:
                "${!fileexists(self.input.path) || can(jsondecode(file(self.input.path)).version)}",
              errorMessage: `The state file of ${producer} (${location.description}) is not a Terraform state: restore it from ${location.description}.backup or re-apply ${producer}.`,
            },
          ],
        },
      });
    }
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
