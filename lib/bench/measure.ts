/**
 * Runs the bench's rows: each `runs` times, side by side (each round runs every row once, so
 * drift in the machine hits all alike), timing the wall clock and reading the peak memory the
 * preloaded probe (scripts/bench-rss-probe.cjs) reports at exit.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { benchCases, SIDE_COUNTS, sidesFile, type BenchCase } from "./bench-cases";
import { sidesEnvironment } from "./sides-environment";

/** One run of a row. */
export interface Sample {
  readonly seconds: number;
  /** Peak resident memory; runs without the probe have none. */
  readonly megabytes?: number;
  /** Bytes of JSON a synthesis wrote. */
  readonly bytes?: number;
}

/** A row and its runs. */
export interface MeasuredCase {
  readonly name: string;
  readonly samples: readonly Sample[];
}

/** Bytes of every stack's cdk.tf.json under a synthesis output folder. */
function jsonBytes(outdir: string): number {
  const stacks = join(outdir, "stacks");
  return readdirSync(stacks).reduce(
    (total, stack) => total + statSync(join(stacks, stack, "cdk.tf.json")).size,
    0,
  );
}

/** One timed run of a row's command in `root`. */
export function timedRun(root: string, { command, args, env, outdir }: BenchCase): Sample {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: root,
    env: { ...process.env, CI: "1", ...env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  }
  // The probe reports at exit; runs without it have no memory figure.
  const peaks = [...result.stderr.matchAll(/bench-maxrss=(\d+)/g)].map((m) => Number(m[1]));
  return {
    seconds,
    megabytes: peaks.length ? Math.max(...peaks) / 1024 : undefined,
    bytes: outdir ? jsonBytes(outdir) : undefined,
  };
}

export interface BenchOptions {
  /** The project's root. */
  readonly root: string;
  /** Runs of each row. */
  readonly runs: number;
  /** Progress, one line per round. */
  readonly log: (line: string) => void;
}

/** Every row measured `runs` times, in a temporary folder removed afterwards. */
export function measureBench({ root, runs, log }: BenchOptions): MeasuredCase[] {
  const workdir = mkdtempSync(join(tmpdir(), "hybrid-bench-"));
  try {
    const oneSide = readFileSync(join(root, "environments", "example.yaml"), "utf8");
    for (const count of SIDE_COUNTS) {
      writeFileSync(sidesFile(workdir, count), sidesEnvironment(oneSide, count));
    }
    const cases = benchCases({ root, node: process.execPath, workdir });
    const samples = cases.map((): Sample[] => []);
    for (let round = 1; round <= runs; round++) {
      cases.forEach((benchCase, index) => samples[index].push(timedRun(root, benchCase)));
      log(`round ${round}/${runs} done`);
    }
    return cases.map(({ name }, index) => ({ name, samples: samples[index] }));
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
}

/** The machine the figures were measured on. */
export interface Machine {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryBytes: number;
  /** Node.js's version, e.g. v20.20.2. */
  readonly node: string;
}

/** The machine the bench runs on, as the report names it. */
export function machineOf(): Machine {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown CPU",
    memoryBytes: totalmem(),
    node: process.version,
  };
}
