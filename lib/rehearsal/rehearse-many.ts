/**
 * Rehearsing several environments: every shipped one (environments/ and examples/), each in
 * its own rehearsal process (`npm run rehearse` with HYBRID_CONFIG), a few at a time. A
 * rehearsal is mostly Terraform and provider start-ups on one core, so two at once use a
 * 2-core machine fully.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

/** The environment files a user is offered: environments/*.yaml, then examples/*.yaml. */
export function shippedEnvironments(projectRoot: string): string[] {
  return ["environments", "examples"].flatMap((folder) =>
    readdirSync(join(projectRoot, folder))
      .filter((name) => name.endsWith(".yaml"))
      .sort()
      .map((name) => `${folder}/${name}`),
  );
}

/** One environment's rehearsal as its process ended. */
export interface EnvironmentRehearsal {
  readonly environment: string;
  readonly passed: boolean;
  readonly seconds: number;
}

/** Run `work` on every item, at most `jobs` at a time; results in the items' order. */
export async function inParallel<T, R>(
  items: readonly T[],
  jobs: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  // One iterator shared by the workers: each item is taken once.
  const queue = items.entries();
  const worker = async (): Promise<void> => {
    for (const [index, item] of queue) results[index] = await work(item);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return results;
}

export interface ManyRehearsalsOptions {
  readonly projectRoot: string;
  readonly environments: readonly string[];
  /** Rehearsals at once. */
  readonly jobs: number;
  /** Arguments for each rehearsal (e.g. `--changes=`). */
  readonly args: readonly string[];
  /** Each output line of a rehearsal, already prefixed with its environment. */
  readonly log: (line: string) => void;
}

/** Rehearse each environment in a process of its own; one line of output per line of theirs. */
export function rehearseMany(options: ManyRehearsalsOptions): Promise<EnvironmentRehearsal[]> {
  const tsx = join(options.projectRoot, "node_modules", ".bin", "tsx");
  const script = join(options.projectRoot, "scripts", "rehearse.ts");
  const width = Math.max(...options.environments.map((file) => file.length));
  return inParallel(options.environments, options.jobs, (environment) => {
    const started = Date.now();
    const prefix = `${environment.padEnd(width)} |`;
    return new Promise<EnvironmentRehearsal>((resolve) => {
      const child = spawn(tsx, [script, ...options.args], {
        cwd: options.projectRoot,
        env: { ...process.env, HYBRID_CONFIG: environment },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const relay = (stream: NodeJS.ReadableStream) => {
        let pending = "";
        stream.setEncoding("utf8");
        stream.on("data", (chunk: string) => {
          const lines = `${pending}${chunk}`.split("\n");
          pending = lines.pop() ?? "";
          for (const line of lines) if (line.trim() !== "") options.log(`${prefix} ${line}`);
        });
        stream.on("end", () => {
          if (pending.trim() !== "") options.log(`${prefix} ${pending}`);
        });
      };
      relay(child.stdout);
      relay(child.stderr);
      child.on("close", (code) =>
        resolve({ environment, passed: code === 0, seconds: (Date.now() - started) / 1000 }),
      );
    });
  });
}

/** The closing table: one row per environment. */
export function manySummary(results: readonly EnvironmentRehearsal[]): string {
  const width = Math.max("environment".length, ...results.map((r) => r.environment.length));
  return [
    `${"environment".padEnd(width)}  result  seconds`,
    ...results.map(
      (result) =>
        `${result.environment.padEnd(width)}  ${(result.passed ? "ok" : "FAILED").padEnd(6)}  ${result.seconds.toFixed(0)}`,
    ),
  ].join("\n");
}
