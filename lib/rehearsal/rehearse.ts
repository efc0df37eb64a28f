/**
 * The rehearsal: every stack of an environment planned and applied with real Terraform through
 * the cdktf CLI against the stand-in providers, planned again (no changes allowed), taken
 * through the day-2 changes one at a time (no stateful resource may be replaced or destroyed),
 * and destroyed in reverse order. The caller says which stacks the environment has, how to
 * install the stand-ins and which resource types are stateful.
 */
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { cdktf, terraform, type CommandResult, type CommandSettings } from "./commands";
import {
  DAY_TWO_CHANGES,
  preparedForDestroy,
  settingAt,
  withoutOneSide,
  withSetting,
  type DayTwoChange,
} from "./day-two-changes";
import {
  countsOf,
  describeChanges,
  plannedChanges,
  statefulLosses,
  unexpectedReplacements,
  type ChangeKind,
  type JsonPlan,
  type PlannedChange,
} from "./plan-report";
import { requiredVariables as variablesWithoutDefault } from "../synth/synthesis-summary";
import { REHEARSAL_STATE_DIRECTORY, stackFile, writeWorkspace, type Workspace } from "./workspace";
import { ephemeralValuesInState } from "./write-only-inputs";

type Json = Record<string, unknown>;

/**
 * `terraform providers lock`, which cdktf runs after init when the lock file lacks a provider,
 * asks the providers' origin registry for every platform's hashes and ignores the CLI
 * configuration's mirror: offline it fails. The stand-ins' hashes are meaningless anyway.
 */
const CDKTF_FLAGS = ["--skip-provider-lock"];

export interface RehearsalOptions {
  readonly projectRoot: string;
  /** The environment file's raw YAML object. */
  readonly environment: Json;
  /** The stacks the environment synthesizes, in deploy order. */
  readonly stacksOf: (environment: Json) => readonly string[];
  /** The rehearsal's own folder (created). */
  readonly workDir: string;
  /** Install the stand-in providers under `dir`; the Terraform CLI configuration's path. */
  readonly installProviders: (dir: string) => Promise<string>;
  readonly isStateful: (resourceType: string) => boolean;
  /** Progress lines. */
  readonly log: (line: string) => void;
  /** @default DAY_TWO_CHANGES */
  readonly changes?: readonly DayTwoChange[];
  /**
   * Stop after the first deployment and the second plan (what CI runs for every shipped
   * environment; the rest of the lifecycle for the default one). @default false
   */
  readonly deployOnly?: boolean;
}

/** One stack's plan in one step of the rehearsal. */
export interface StepResult {
  readonly step: string;
  readonly stack: string;
  readonly counts: Record<ChangeKind, number>;
  readonly changes: readonly PlannedChange[];
  /** What the step must not do and did: empty when it passed. */
  readonly problems: readonly string[];
}

export interface RehearsalReport {
  readonly steps: readonly StepResult[];
  readonly failed: boolean;
  readonly seconds: number;
}

/** Why a command failed: Terraform's first error block, else its last lines. */
function failureOf(what: string, result: CommandResult): Error {
  // A cdktf run's last lines are often only its plan; its colours are escape sequences.
  const lines = stripVTControlCharacters(result.output).trim().split("\n");
  const firstError = lines.findIndex((line) => /\bError: /.test(line));
  const shown = firstError >= 0 ? lines.slice(firstError, firstError + 40) : lines.slice(-40);
  return new Error(`${what} failed (exit ${String(result.status)}):\n${shown.join("\n")}`);
}

function mustSucceed(what: string, result: CommandResult): CommandResult {
  if (result.status !== 0) throw failureOf(what, result);
  return result;
}

/** The input variables of the synthesized stacks that have no default, each once. */
export function requiredVariables(outdir: string, stacks: readonly string[]): string[] {
  const names = stacks.flatMap((stack) => variablesWithoutDefault(stackFile(outdir, stack)));
  return [...new Set(names)].sort();
}

/** `terraform plan` of one synthesized stack, as Terraform's JSON plan. */
function planOf(settings: CommandSettings, stack: string): JsonPlan {
  const plan = terraform(settings, stack, [
    "plan",
    "-input=false",
    "-lock=false",
    "-detailed-exitcode",
    "-out=rehearsal.tfplan",
  ]);
  // -detailed-exitcode: 0 is an empty plan (no `terraform show` needed), 2 one with changes.
  if (plan.status === 0) return {};
  if (plan.status !== 2) throw failureOf(`terraform plan (${stack})`, plan);
  const shown = mustSucceed(
    `terraform show (${stack})`,
    terraform(settings, stack, ["show", "-json", "rehearsal.tfplan"]),
  );
  return JSON.parse(shown.stdout) as JsonPlan;
}

/** `terraform init` of one synthesized stack, which must succeed. */
function initialize(settings: CommandSettings, stack: string): void {
  mustSucceed(
    `terraform init (${stack})`,
    terraform(settings, stack, ["init", "-input=false", "-upgrade=false"]),
  );
}

/** The stacks' plans in the current synthesis, each judged by `judge`. */
function planAll(
  settings: CommandSettings,
  step: string,
  stacks: readonly string[],
  judge: (changes: readonly PlannedChange[]) => string[],
  log: (line: string) => void,
): StepResult[] {
  return stacks.map((stack) => {
    // Init again: a day-2 change may bring a provider a stack did not use before.
    initialize(settings, stack);
    const changes = plannedChanges(planOf(settings, stack));
    const problems = judge(changes);
    const counts = countsOf(changes);
    log(
      `  ${step} ${stack}: ${String(counts.create)} to create, ${String(counts.update)} to update, ${String(counts.replace)} to replace, ${String(counts.delete)} to destroy${problems.length > 0 ? " - FAILED" : ""}`,
    );
    for (const line of describeChanges(changes)) log(`      ${line}`);
    for (const problem of problems) log(`    ! ${problem}`);
    return { step, stack, counts, changes, problems };
  });
}

/** After a deployment: no ephemeral input's value in the state of a stack declaring it. */
function ephemeralInputsChecked(
  workspace: Workspace,
  stacks: readonly string[],
  values: Readonly<Record<string, string>>,
  log: (line: string) => void,
): StepResult[] {
  return ephemeralValuesInState(workspace.outdir, stacks, values, (stack) =>
    join(workspace.dir, REHEARSAL_STATE_DIRECTORY, `${stack}.tfstate`),
  ).map(({ stack, inputs, problems }) => {
    log(
      `  ephemeral inputs ${stack}: ${inputs.join(", ")} ${problems.length > 0 ? "in the state - FAILED" : "not in the state"}`,
    );
    for (const problem of problems) log(`    ! ${problem}`);
    return { step: "ephemeral inputs", stack, counts: countsOf([]), changes: [], problems };
  });
}

/** The plan of each stack as another environment: refused by the stack's identity check. */
function refusedAsAnotherEnvironment(
  settings: CommandSettings,
  stacks: readonly string[],
  log: (line: string) => void,
): StepResult[] {
  return stacks.map((stack) => {
    initialize(settings, stack);
    const plan = terraform(settings, stack, ["plan", "-input=false", "-lock=false"]);
    const refused = plan.status !== 0 && plan.output.includes("This state belongs to environment");
    log(`  shared state ${stack}: ${refused ? "refused" : "NOT refused - FAILED"}`);
    return {
      step: "shared state",
      stack,
      counts: countsOf([]),
      changes: [],
      problems: refused ? [] : ["a plan as another environment on this state was not refused"],
    };
  });
}

/**
 * What the rehearsal's steps share: its workspace and providers, the environment deployed now
 * and its stacks, the settings Terraform runs with, and the results so far.
 */
interface Rehearsal {
  readonly options: RehearsalOptions;
  readonly workspace: Workspace;
  readonly cliConfigFile: string;
  readonly steps: StepResult[];
  variables: Readonly<Record<string, string>>;
  settings: CommandSettings;
  environment: Json;
  stacks: readonly string[];
}

export async function rehearse(options: RehearsalOptions): Promise<RehearsalReport> {
  const started = Date.now();
  const run = await rehearsalStarted(options);
  giveRequiredVariables(run);
  firstDeployment(run);
  if (!options.deployOnly) {
    sharedStateRefused(run);
    for (const change of options.changes ?? DAY_TWO_CHANGES) dayTwoChange(run, change);
    const removal = withoutOneSide(run.environment);
    if (removal) sideRemovedAndAddedBack(run, removal);
    everythingDestroyed(run);
  }
  return {
    steps: run.steps,
    failed: run.steps.some((step) => step.problems.length > 0),
    seconds: (Date.now() - started) / 1000,
  };
}

/** The workspace written and the stand-in providers installed. */
async function rehearsalStarted(options: RehearsalOptions): Promise<Rehearsal> {
  const workspace = writeWorkspace(
    join(options.workDir, "workspace"),
    options.projectRoot,
    options.environment,
  );
  options.log(`installing the stand-in providers under ${options.workDir}`);
  const cliConfigFile = await options.installProviders(join(options.workDir, "providers"));
  const run: Omit<Rehearsal, "settings"> = {
    options,
    workspace,
    cliConfigFile,
    steps: [],
    variables: {},
    environment: options.environment,
    stacks: options.stacksOf(options.environment),
  };
  return { ...run, settings: settingsAt(run, 0) };
}

/** The settings Terraform and cdktf run with, the stand-ins' clock `clockOffsetHours` ahead. */
function settingsAt(
  run: Pick<Rehearsal, "options" | "workspace" | "cliConfigFile" | "variables">,
  clockOffsetHours: number,
): CommandSettings {
  return {
    projectRoot: run.options.projectRoot,
    workspace: run.workspace,
    cliConfigFile: run.cliConfigFile,
    clockOffsetHours,
    variables: run.variables,
  };
}

/** `cdktf synth` of the workspace's environment, which must succeed. */
function synth(run: Rehearsal): void {
  mustSucceed("cdktf synth", cdktf(run.settings, ["synth"]));
}

/** The workspace's environment file replaced by `environment`. */
function writeEnvironment(run: Rehearsal, environment: Json): void {
  writeWorkspace(run.workspace.dir, run.options.projectRoot, environment);
}

/** `cdktf deploy` of the current stacks, which must succeed. */
function deploy(run: Rehearsal, what: string): void {
  run.options.log(`${what}: npx cdktf deploy ${run.stacks.join(" ")} --auto-approve`);
  const result = mustSucceed(
    `cdktf deploy (${what})`,
    cdktf(run.settings, ["deploy", ...run.stacks, "--auto-approve", ...CDKTF_FLAGS]),
  );
  run.options.log(`  applied in ${result.seconds.toFixed(0)} s`);
}

/** The current synthesis's plans of `stacks`, judged by `judge`, added to the steps. */
function planAllOf(
  run: Rehearsal,
  step: string,
  stacks: readonly string[],
  judge: (changes: readonly PlannedChange[]) => string[],
): void {
  run.steps.push(...planAll(run.settings, step, stacks, judge, run.options.log));
}

/** A plan's problems: every stateful resource it would replace or destroy. */
function noLosses(run: Rehearsal, changes: readonly PlannedChange[]): string[] {
  return statefulLosses(changes, run.options.isStateful).map(
    (change) => `would ${change.kind} stateful ${change.address}`,
  );
}

/**
 * Input variables without a default (an S3 secret key, a seed source's password) get a
 * rehearsal value, as a user passes TF_VAR_<name>; one the caller set is kept.
 */
function giveRequiredVariables(run: Rehearsal): void {
  synth(run);
  run.variables = Object.fromEntries(
    requiredVariables(run.workspace.outdir, run.stacks).map((name) => [
      name,
      process.env[`TF_VAR_${name}`] ?? `rehearsal-${name}`,
    ]),
  );
  if (Object.keys(run.variables).length > 0) {
    run.options.log(`variables given a rehearsal value: ${Object.keys(run.variables).join(", ")}`);
    run.settings = settingsAt(run, 0);
  }
}

/** Every stack deployed, no ephemeral input in the state, and a second plan that is empty. */
function firstDeployment(run: Rehearsal): void {
  deploy(run, "first deployment");
  run.steps.push(
    ...ephemeralInputsChecked(run.workspace, run.stacks, run.variables, run.options.log),
  );
  planAllOf(run, "second plan", run.stacks, (changes) =>
    changes.map((change) => `second plan not empty: ${change.kind} ${change.address}`),
  );
}

/**
 * Another environment resolving to this state must be refused by every stack (#18).
 * Environment names are at most 24 characters: a fixed short name, not a suffix.
 */
function sharedStateRefused(run: Rehearsal): void {
  const otherName = run.environment.environment === "other" ? "another" : "other";
  run.options.log(
    `shared state: synthesized as environment ${otherName} on this state (every stack must refuse)`,
  );
  writeEnvironment(run, withSetting(run.environment, ["environment"], otherName));
  synth(run);
  run.steps.push(...refusedAsAnotherEnvironment(run.settings, run.stacks, run.options.log));
  writeEnvironment(run, run.environment);
  synth(run);
}

/** One day-2 change planned (only what it names may be replaced) and deployed. */
function dayTwoChange(run: Rehearsal, change: DayTwoChange): void {
  const patched = change.patch(run.environment);
  if (!patched) {
    run.options.log(`day-2 ${change.id}: does not apply to this environment`);
    return;
  }
  run.options.log(`day-2 ${change.id}: ${change.description}`);
  run.settings = settingsAt(
    run,
    change.clockAdvanceHours?.(run.environment) ?? run.settings.clockOffsetHours,
  );
  run.environment = patched;
  writeEnvironment(run, run.environment);
  synth(run);
  planAllOf(run, change.id, run.stacks, (changes) => [
    ...noLosses(run, changes),
    ...unexpectedReplacements(changes, change.replaces ?? []).map(
      (replaced) => `would replace ${replaced.address}, which ${change.id} must not touch`,
    ),
  ]);
  deploy(run, `day-2 ${change.id}`);
}

/** day-2 remove-side and add-side: one side's stacks destroyed and removed, then added back. */
function sideRemovedAndAddedBack(
  run: Rehearsal,
  removal: { readonly environment: Json; readonly side: string },
): void {
  const sideStacks = run.stacks.filter(
    (stack) => !run.options.stacksOf(removal.environment).includes(stack),
  );
  run.options.log(
    `day-2 remove-side: side ${removal.side} (${sideStacks.join(", ")}) destroyed, then removed`,
  );
  const kept = run.environment;
  sideStacksDestroyed(run, removal.side, sideStacks);
  sideRemoved(run, removal.environment, kept, removal.side, sideStacks);
  sideAddedBack(run, kept, removal.side, sideStacks);
}

/** The side's stacks destroyed, last first, its cluster's deletion protection off before. */
function sideStacksDestroyed(run: Rehearsal, side: string, sideStacks: readonly string[]): void {
  // Its cluster's deletion protection goes first, as Destroying in the README says (the
  // google stand-in refuses to delete a protected cluster, as the provider does).
  run.environment = withSetting(
    run.environment,
    ["sides", side, "cluster", "deletionProtection"],
    false,
  );
  writeEnvironment(run, run.environment);
  deploy(run, `day-2 remove-side: deletion protection of ${side}'s cluster off`);
  // A later side's network stack depends on this one (the shared router's chain), and
  // `cdktf destroy <stacks> --ignore-missing-stack-dependencies` never returns once
  // Terraform is done (cdktf-cli 0.21.0, seen here): destroy with Terraform in each stack.
  for (const stack of [...sideStacks].reverse()) {
    mustSucceed(
      `terraform destroy (${stack})`,
      terraform(run.settings, stack, ["destroy", "-auto-approve", "-input=false"]),
    );
  }
}

/** The environment without the side planned (nothing else stateful may go) and deployed. */
function sideRemoved(
  run: Rehearsal,
  without: Json,
  kept: Json,
  side: string,
  sideStacks: readonly string[],
): void {
  run.environment = without;
  writeEnvironment(run, run.environment);
  run.stacks = run.options.stacksOf(run.environment);
  synth(run);
  // What the side owned elsewhere goes with it, now that its stacks are destroyed: its
  // Terraform Cloud workspaces and the identity pool of its project (the terraform-cloud
  // stack's construct ids carry stack names and project ids). Nothing else stateful may go.
  const sideProject = settingAt(kept, ["sides", side, "projectId"]);
  const sideMarkers = [
    ...sideStacks.map((stack) => `-${stack}_`),
    ...(typeof sideProject === "string" ? [`-${sideProject}_`] : []),
  ];
  planAllOf(run, "remove-side", run.stacks, (changes) =>
    noLosses(
      run,
      changes.filter((change) => !sideMarkers.some((marker) => change.address.includes(marker))),
    ),
  );
  deploy(run, "day-2 remove-side");
}

/** The side back in the environment: no other stack may lose anything stateful for it. */
function sideAddedBack(
  run: Rehearsal,
  kept: Json,
  side: string,
  sideStacks: readonly string[],
): void {
  run.options.log(`day-2 add-side: side ${side} added back`);
  run.environment = kept;
  writeEnvironment(run, run.environment);
  run.stacks = run.options.stacksOf(run.environment);
  synth(run);
  // The side's own stacks read each other's state, which is gone: they are created by the
  // deploy; what is planned here is that no other stack changes for it.
  const others = run.stacks.filter((stack) => !sideStacks.includes(stack));
  planAllOf(run, "add-side", others, (changes) => noLosses(run, changes));
  deploy(run, "day-2 add-side");
}

/** Deletion protection and prevent_destroy off, deployed, then every stack destroyed. */
function everythingDestroyed(run: Rehearsal): void {
  run.options.log(
    "destroy: deletion protection and prevent_destroy off, as the README's Destroying says",
  );
  run.environment = preparedForDestroy(run.environment);
  writeEnvironment(run, run.environment);
  deploy(run, "before destroy");
  const reversed = [...run.stacks].reverse();
  run.options.log(`destroy: npx cdktf destroy ${reversed.join(" ")} --auto-approve`);
  mustSucceed(
    "cdktf destroy",
    cdktf(run.settings, ["destroy", ...reversed, "--auto-approve", ...CDKTF_FLAGS]),
  );
}

/** The summary table: one row per step and stack. */
export function summaryTable(report: RehearsalReport): string {
  const header = ["step", "stack", "create", "update", "replace", "destroy", "result"];
  const rows = report.steps.map((step) => [
    step.step,
    step.stack,
    String(step.counts.create),
    String(step.counts.update),
    String(step.counts.replace),
    String(step.counts.delete),
    step.problems.length > 0 ? "FAILED" : "ok",
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}
