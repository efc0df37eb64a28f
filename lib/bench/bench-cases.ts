/**
 * What `npm run bench` measures, one report row each: the floor, synthesis of the shipped
 * environments and of 1, 5 and 20 application sides, the baseline with provider root imports,
 * the test suite and the type check.
 *
 * The baseline is the same app with every provider package's root module loaded first, as an
 * app importing classes from the package roots would: it shows what per-resource imports save.
 */
import { join } from "node:path";

/** One measured command: a row of the report. */
export interface BenchCase {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Added to the run's environment (which always has CI=1). */
  readonly env: Readonly<Record<string, string>>;
  /** A synthesis's output folder, whose JSON the report weighs. */
  readonly outdir?: string;
}

export const FLOOR = `floor: node -e 'require("cdktf")'`;
export const DEFAULT_SYNTHESIS = "synthesis, default environment";
export const BASELINE = "baseline: synthesis with provider root imports";

const PROVIDER_ROOTS = [
  "@cdktf/provider-google",
  "@cdktf/provider-kubernetes",
  "@cdktf/provider-random",
  "@cdktf/provider-tls",
  "@cdktf/provider-time",
];

/** Application sides of the scale rows (lib/bench/sides-environment.ts). */
export const SIDE_COUNTS: readonly number[] = [1, 5, 20];

/** The report row of synthesis with `count` application sides. */
export function sidesRow(count: number): string {
  return `synthesis, ${count} application side${count === 1 ? "" : "s"}`;
}

/** Where the environment with `count` sides is written for its row. */
export function sidesFile(workdir: string, count: number): string {
  return join(workdir, `sides-${count}.yaml`);
}

export interface BenchCaseOptions {
  /** The project's root: commands run there. */
  readonly root: string;
  /** The Node.js binary that runs synthesis. */
  readonly node: string;
  /** A temporary folder for the rows' outputs and the sides' environments. */
  readonly workdir: string;
}

/** Every row, in the report's order. */
export function benchCases({ root, node, workdir }: BenchCaseOptions): BenchCase[] {
  /** Prints the process's peak resident memory (KiB) on exit; preloaded with -r. */
  const rssProbe = join(root, "scripts", "bench-rss-probe.cjs");
  // One output folder per row: a row's stacks are never another row's orphans.
  const synth = (name: string, environment: string, preload: readonly string[] = []) => {
    const outdir = join(workdir, `out-${name.replace(/\W+/g, "-")}`);
    return {
      name,
      command: node,
      args: [
        ...[rssProbe, ...preload].flatMap((module) => ["-r", module]),
        "scripts/synth.cjs",
        "--quiet",
      ],
      env: { HYBRID_CONFIG: environment, CDKTF_OUTDIR: outdir },
      outdir,
    };
  };
  return [
    // The floor: loading cdktf and nothing else, what no synthesis can beat.
    { name: FLOOR, command: node, args: ["-r", rssProbe, "-e", 'require("cdktf")'], env: {} },
    synth(DEFAULT_SYNTHESIS, "environments/example.yaml"),
    synth("synthesis, standalone environment", "environments/standalone-k3s.yaml"),
    ...SIDE_COUNTS.map((count) => synth(sidesRow(count), sidesFile(workdir, count))),
    // Last of the syntheses: the 900 MB it takes slows whichever process the OS runs next.
    synth(BASELINE, "environments/example.yaml", PROVIDER_ROOTS),
    { name: "npm test", command: "npm", args: ["test", "--silent"], env: {} },
    {
      name: "type check (tsc --noEmit)",
      command: "npm",
      args: ["run", "--silent", "typecheck"],
      env: {},
    },
  ];
}
