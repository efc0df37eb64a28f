/**
 * How the rehearsal runs the cdktf CLI and Terraform: in its workspace, with its own Terraform
 * CLI configuration (the stand-in providers' mirror), the environment copy as HYBRID_CONFIG,
 * no telemetry, and the stand-ins' clock.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { CLOUD_DIR_ENV } from "./stand-ins/shared-router";
import { LOCAL_STATE_DIRECTORY_ENV } from "../config/backend/local-state";
import { REHEARSAL_STATE_DIRECTORY, type Workspace } from "./workspace";

export interface CommandResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout then stderr, for messages. */
  readonly output: string;
  readonly seconds: number;
}

export interface CommandSettings {
  readonly projectRoot: string;
  readonly workspace: Workspace;
  /** The Terraform CLI configuration that installs the stand-ins (TF_CLI_CONFIG_FILE). */
  readonly cliConfigFile: string;
  /** Hours the stand-in providers' clock runs ahead of the real one. */
  readonly clockOffsetHours: number;
  /** Values of input variables, passed as TF_VAR_<name>. @default none */
  readonly variables?: Readonly<Record<string, string>>;
  /** Longest a single command may take. @default 10 minutes */
  readonly timeoutMs?: number;
}

/** Environment variable the stand-in providers read their clock offset from. */
export const CLOCK_OFFSET_ENV = "HYBRID_REHEARSAL_CLOCK_OFFSET_HOURS";

export function environmentOf(settings: CommandSettings): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HYBRID_CONFIG: settings.workspace.environmentFile,
    TF_CLI_CONFIG_FILE: settings.cliConfigFile,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    // cdktf's and Terraform's update checks and telemetry: nothing may leave the machine.
    CHECKPOINT_DISABLE: "1",
    DISABLE_VERSION_CHECK: "1",
    // No shared plugin cache: the stand-ins carry the real providers' names and versions, and
    // a cached copy would be picked up by a later real `terraform init`. cdktf sets
    // TF_PLUGIN_CACHE_DIR unless told not to; Terraform ignores it when empty.
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1",
    TF_PLUGIN_CACHE_DIR: "",
    [CLOCK_OFFSET_ENV]: String(settings.clockOffsetHours),
    // Every stack's state in the workspace, whatever backend the environment names.
    [LOCAL_STATE_DIRECTORY_ENV]: REHEARSAL_STATE_DIRECTORY,
    ...Object.fromEntries(
      Object.entries(settings.variables ?? {}).map(([name, value]) => [`TF_VAR_${name}`, value]),
    ),
    // The simulated cloud's shared objects (a Cloud Router's interface and peer lists), seen by
    // every stand-in process of this rehearsal and no other.
    [CLOUD_DIR_ENV]: join(settings.workspace.dir, "cloud"),
  };
}

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  settings: CommandSettings,
): CommandResult {
  const started = Date.now();
  const result = spawnSync(command, [...args], {
    cwd,
    env: environmentOf(settings),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    // A hung run fails the rehearsal instead of holding it (one Terraform run against the
    // stand-ins was seen to stop making progress; not yet explained).
    timeout: settings.timeoutMs ?? 10 * 60 * 1000,
  });
  const stdout = result.stdout ?? "";
  const stderr = `${result.stderr ?? ""}${result.error ? `\n${result.error.message}` : ""}`;
  return {
    status: result.status ?? 1,
    stdout,
    stderr,
    output: `${stdout}${stderr}`,
    seconds: (Date.now() - started) / 1000,
  };
}

/** `cdktf <args>` in the workspace, the project's pinned CLI. */
export function cdktf(settings: CommandSettings, args: readonly string[]): CommandResult {
  const binary = join(settings.projectRoot, "node_modules", ".bin", "cdktf");
  return run(binary, args, settings.workspace.dir, settings);
}

/** `terraform <args>` in a synthesized stack's folder. */
export function terraform(
  settings: CommandSettings,
  stack: string,
  args: readonly string[],
): CommandResult {
  return run(
    process.env.TERRAFORM_BINARY_NAME ?? "terraform",
    args,
    join(settings.workspace.outdir, "stacks", stack),
    settings,
  );
}
