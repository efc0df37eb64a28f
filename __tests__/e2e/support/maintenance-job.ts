/**
 * The registry's maintenance CronJobs (garbage collection, backup) run as their pods would:
 * script and env read from a synthesized CronJob, in-container paths remapped to local ones,
 * with only the drain wait shortened on request.
 */
import { WORKLOADS_STACK } from "../../../lib/contract/stack-names";
import { REGISTRY_PATHS } from "../../../lib/registry/registry-paths";
import { configFrom, merge, rawEnvironment } from "../../helpers/config";
import { podSpecOfWorkload, resourcesOf } from "../../helpers/json";
import { synthAll } from "../../helpers/synth";
import { registryProcessEnv, type EnvVar } from "./registry";
import { startProcess, waitFor, type ManagedProcess } from "./tools";

export interface EmittedJob {
  readonly script: string;
  readonly env: EnvVar[];
}

/** The CronJob `name` of `environment` patched with `registry` settings, synthesized in-process. */
export function emittedCronJob(
  environment: string,
  registry: Record<string, unknown>,
  name: string,
): EmittedJob {
  const config = configFrom(merge(rawEnvironment(environment), { registry }));
  const job = resourcesOf(synthAll(config)[WORKLOADS_STACK], "kubernetes_cron_job_v1").find(
    ([, body]) => (body.metadata as { name?: string }).name === name,
  );
  if (!job)
    throw new Error(`no CronJob ${name} in ${environment} with ${JSON.stringify(registry)}`);
  const container = (podSpecOfWorkload(job[1]).container as Array<Record<string, unknown>>)[0];
  const command = container.command as string[];
  if (command[0] !== "/bin/sh" || command[1] !== "-c") throw new Error("not /bin/sh -c <script>");
  return { script: command[2], env: (container.env as EnvVar[] | undefined) ?? [] };
}

export interface RunJobOptions {
  readonly name: string;
  /** The registry's local storage root, standing in for REGISTRY_PATHS.data. */
  readonly dataDir: string;
  /** Further in-container paths → local paths (e.g. the backup mount, the config file). */
  readonly paths?: Readonly<Record<string, string>>;
  /** Folder put first on the PATH (e.g. with `registry` → docker-registry). */
  readonly binDir?: string;
  /** Replace the pod's 30 s drain: a test needs only a window to try a write. */
  readonly drainSeconds?: number;
  readonly logDir: string;
}

/** Start a job's script with /bin/sh; wait for it with {@link jobFinished}. */
export function runJob(job: EmittedJob, options: RunJobOptions): ManagedProcess {
  const { env, notes } = registryProcessEnv(
    { name: options.name, env: job.env },
    { files: { data: options.dataDir }, backendPort: 0, debugPort: 0 },
  );
  for (const note of notes) console.log(`${options.name}: ${note}`);
  const mappings: Array<[string, string]> = [
    [REGISTRY_PATHS.data, options.dataDir],
    ...Object.entries(options.paths ?? {}),
  ];
  // A path starts a word (after a space, quote, "=" or "(") and ends at "/", a space, a quote
  // or the line's end: "/backup" is not the end of ".../maintenance/backup".
  const pathPattern = (path: string) =>
    new RegExp(
      `(?<=^|[\\s"'=(])${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}(?=[/\\s"']|$)`,
      "gm",
    );
  let script = job.script;
  for (const [from, to] of mappings) script = script.replace(pathPattern(from), to);
  if (options.drainSeconds !== undefined) {
    if (!script.includes("sleep 30 &")) throw new Error(`${options.name}: no 30 s drain any more`);
    script = script.replace("sleep 30 &", `sleep ${String(options.drainSeconds)} &`);
  }
  for (const [from] of mappings) {
    if (pathPattern(from).test(script)) {
      throw new Error(`${options.name}: ${from} left in the script`);
    }
  }
  return startProcess(options.name, "/bin/sh", ["-c", script], {
    env: { ...env, PATH: `${options.binDir ? `${options.binDir}:` : ""}${env.PATH}` },
    logDir: options.logDir,
  });
}

/** The job's exit (`code 0` on success). */
export function jobFinished(job: ManagedProcess): Promise<string> {
  return waitFor(`${job.name} to finish`, async () => job.exited(), { timeoutMs: 60000 });
}
