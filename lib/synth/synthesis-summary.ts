import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PublishedStack } from "./publish-synthesis";

/** What a synthesis tells its user. */
export interface SynthesisSummaryProps {
  /** The environment file, as given. */
  readonly environmentFile: string;
  /** The environment's name (`environment:`, or the file's name). */
  readonly environmentName: string;
  /** True when the file was not chosen (HYBRID_CONFIG unset): the example's placeholders. */
  readonly isDefaultEnvironment: boolean;
  /** E.g. `hybrid (on-prem: simulated)`. */
  readonly mode: string;
  readonly outdir: string;
  /** Stacks in deploy order. */
  readonly stacks: readonly PublishedStack[];
}

interface StackFileJson {
  readonly resource?: Record<string, Record<string, unknown>>;
  readonly variable?: Record<
    string,
    { readonly default?: unknown; readonly sensitive?: boolean; readonly ephemeral?: boolean }
  >;
}

function readStack(stackFile: string): StackFileJson {
  return JSON.parse(readFileSync(stackFile, "utf8")) as StackFileJson;
}

/** Number of resources in a synthesized stack file. */
export function resourceCount(stackFile: string): number {
  return Object.values(readStack(stackFile).resource ?? {}).reduce(
    (count, byName) => count + Object.keys(byName).length,
    0,
  );
}

/** Ephemeral variables of a stack file: values Terraform keeps in no plan and no state. */
export function ephemeralVariables(stackFile: string): string[] {
  return Object.entries(readStack(stackFile).variable ?? {})
    .filter(([, variable]) => variable.ephemeral === true)
    .map(([name]) => name);
}

/** Variables of a stack file without a default: a plan asks for them unless they are set. */
export function requiredVariables(stackFile: string): string[] {
  return Object.entries(readStack(stackFile).variable ?? {})
    .filter(([, variable]) => variable.default === undefined)
    .map(([name]) => name);
}

/**
 * A cdktf command for this environment: the cdktf CLI synthesizes again before it plans, and
 * without HYBRID_CONFIG that would be the default environment, not this one.
 */
export function cdktfCommand(props: SynthesisSummaryProps, args: string): string {
  const selection = props.isDefaultEnvironment
    ? ""
    : `HYBRID_CONFIG=${shellWord(props.environmentFile)} `;
  // The npm script runs the pinned CLI with its telemetry call off (package.json).
  return `${selection}npm run cdktf -- ${args}`;
}

/** `word` as one shell word: quoted when it holds anything but plain path characters. */
function shellWord(word: string): string {
  return /^[\w./@%+=:,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The line a synthesis under the cdktf CLI writes to stderr: which environment it was. */
export function synthesizedEnvironmentNote(props: {
  readonly environmentFile: string;
  readonly environmentName: string;
  readonly stackCount: number;
}): string {
  return `hybrid-registry: synthesized environment ${props.environmentName} from ${props.environmentFile} (${props.stackCount} stacks)\n`;
}

/** The lines printed after a synthesis: which file, which mode, what was written, what next. */
export function synthesisSummary(props: SynthesisSummaryProps): string {
  const names = props.stacks.map((stack) => stack.name);
  const width = Math.max(...names.map((name) => name.length));
  const lines = [
    `Environment: ${props.environmentName} (${props.environmentFile}${
      props.isDefaultEnvironment
        ? ", the default because HYBRID_CONFIG is not set: its project ids are placeholders"
        : ""
    })`,
    `Mode: ${props.mode}`,
    ...props.stacks.map((stack) => {
      const file = join(props.outdir, stack.workingDirectory, "cdk.tf.json");
      const count = resourceCount(file);
      return `  ${stack.name.padEnd(width)}  ${String(count).padStart(3)} resources  ${file}`;
    }),
    ...props.stacks.flatMap((stack) =>
      requiredVariables(join(props.outdir, stack.workingDirectory, "cdk.tf.json")).map(
        (variable) =>
          `Set first: TF_VAR_${variable} (a Terraform variable of ${stack.name}, never in the config)`,
      ),
    ),
    `Next: ${cdktfCommand(props, `diff ${names[0]}`)}, then ${cdktfCommand(props, `deploy ${names.join(" ")}`)} (cdktf runs them in dependency order)`,
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * Whether to print the summary: not under `--quiet` or in CI, and not under the cdktf CLI,
 * which prints its own (it passes its context in CDKTF_CONTEXT_JSON).
 */
export function summaryWanted(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  return !argv.includes("--quiet") && !env.CI && env.CDKTF_CONTEXT_JSON === undefined;
}
