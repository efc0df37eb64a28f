/**
 * The rehearsal's own working folder: a copy of the environment (synthesized with
 * LOCAL_STATE_DIRECTORY_ENV, so that its state is local and inside the folder whatever backend
 * the environment names), a cdktf.json that runs this
 * project's app, and the folder the cdktf CLI synthesizes into. Nothing outside it is written:
 * not the project's cdktf.out, not its state, not the user's Terraform CLI configuration.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { settingAt, withSetting } from "./day-two-changes";

type Json = Record<string, unknown>;

/** The state folder, relative to the workspace (the local backend's `directory`). */
export const REHEARSAL_STATE_DIRECTORY = "state";

export interface Workspace {
  /** The folder itself; the cdktf CLI runs here. */
  readonly dir: string;
  /** The environment file the app synthesizes (HYBRID_CONFIG). */
  readonly environmentFile: string;
  /** Where the cdktf CLI synthesizes to. */
  readonly outdir: string;
}

/** Settings that name files relative to where synthesis runs: made absolute for the copy. */
const FILE_SETTINGS: ReadonlyArray<readonly string[]> = [
  ["registry", "storage", "caCertificateFile"],
];

/**
 * The environment as the rehearsal synthesizes it: file settings absolute (synthesis runs in
 * the workspace). The backend stays as the file gives it, so what it implies is rehearsed too
 * (backend.workspaceSetup's terraform-cloud stack); the state goes to the workspace through
 * LOCAL_STATE_DIRECTORY_ENV (a gcs or cloud backend would need network and credentials).
 */
export function rehearsalEnvironment(environment: Json, projectRoot: string): Json {
  let copy = environment;
  for (const path of FILE_SETTINGS) {
    const value = settingAt(copy, path);
    if (typeof value === "string" && !isAbsolute(value)) {
      copy = withSetting(copy, path, resolve(projectRoot, value));
    }
  }
  return copy;
}

/** The synthesized JSON of `stack` under the synthesis folder `outdir`. */
export function stackFile(outdir: string, stack: string): string {
  return join(outdir, "stacks", stack, "cdk.tf.json");
}

/** Write (or rewrite) the workspace for `environment`, the raw YAML object of a file. */
export function writeWorkspace(dir: string, projectRoot: string, environment: Json): Workspace {
  mkdirSync(dir, { recursive: true });
  const environmentFile = join(dir, "environment.yaml");
  writeFileSync(environmentFile, stringify(rehearsalEnvironment(environment, projectRoot)));
  writeFileSync(
    join(dir, "cdktf.json"),
    `${JSON.stringify(
      {
        language: "typescript",
        app: `node ${join(projectRoot, "scripts", "synth.cjs")}`,
        output: "cdktf.out",
        projectId: "hybrid-registry-rehearsal",
        sendCrashReports: "false",
        terraformProviders: [],
        terraformModules: [],
        context: {},
      },
      null,
      2,
    )}\n`,
  );
  return { dir, environmentFile, outdir: join(dir, "cdktf.out") };
}

/** Parse an environment file's text (YAML) into its raw object. */
export function parseEnvironment(text: string, path: string): Json {
  const value: unknown = parse(text);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${path}: not an environment file (expected a YAML mapping)`);
  }
  return value as Json;
}
