"use strict";
/**
 * `npm run bench`: wall time (median of RUNS runs, measured side by side in one run) and peak
 * memory of synthesis, the test suite and the type check, against the budgets in
 * docs/performance.md. Prints the report; `--write` puts it into docs/performance.md between
 * its markers (formatted, so the tree stays lint-clean), `--out <file>` into a file of your
 * own. Exit code 1 when a budget is missed. Runs under tsx (package.json) to share the
 * tools' command-line handling (lib/cli/command-line.ts).
 *
 * The baseline is the same app with every provider package's root module loaded first, as an
 * app importing classes from the package roots would: it shows what per-resource imports save.
 */
const { spawnSync } = require("node:child_process");
const {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} = require("node:fs");
const { cpus, tmpdir, totalmem } = require("node:os");
const { join } = require("node:path");
const { sidesEnvironment } = require("./sides-environment.cjs");
const { startTool } = require("../lib/cli/command-line");

const ROOT = join(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const REPORT = join(ROOT, "docs", "performance.md");
const BEGIN = "<!-- bench:begin -->";
const END = "<!-- bench:end -->";
/** Prints the process's peak resident memory (KiB) on exit; preloaded with -r. */
const RSS_PROBE = join(__dirname, "bench-rss-probe.cjs");
const PROVIDER_ROOTS = [
  "@cdktf/provider-google",
  "@cdktf/provider-kubernetes",
  "@cdktf/provider-random",
  "@cdktf/provider-tls",
  "@cdktf/provider-time",
];

const FLOOR = `floor: node -e 'require("cdktf")'`;

const BUDGETS = {
  "synthesis, default environment": { seconds: 1.0, megabytes: 400 },
  "synthesis, 20 application sides": { seconds: 2.5 },
  "npm test": { seconds: 20 },
};

/** Application sides of the scale rows (scripts/sides-environment.cjs). */
const SIDE_COUNTS = [1, 5, 20];
const sidesRow = (count) => `synthesis, ${count} application side${count === 1 ? "" : "s"}`;

/** Bytes of every stack's cdk.tf.json under a synthesis output folder. */
function jsonBytes(outdir) {
  const stacks = join(outdir, "stacks");
  return readdirSync(stacks).reduce(
    (total, stack) => total + statSync(join(stacks, stack, "cdk.tf.json")).size,
    0,
  );
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** One timed run; synthesis runs preload the memory probe (see `synth`). */
function timed(command, args, env, outdir) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: ROOT,
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

/**
 * How synthesis grows with application sides: the least-squares line through the side rows,
 * and how far each row is from it (a small residual means linear).
 */
function growth(rows) {
  const points = SIDE_COUNTS.map((count) => {
    const row = rows.find((candidate) => candidate.name === sidesRow(count));
    return { count, seconds: row.seconds, megabytes: row.megabytes, bytes: row.bytes };
  });
  const fit = (key) => {
    const n = points.length;
    const meanX = points.reduce((sum, p) => sum + p.count, 0) / n;
    const meanY = points.reduce((sum, p) => sum + p[key], 0) / n;
    const slope =
      points.reduce((sum, p) => sum + (p.count - meanX) * (p[key] - meanY), 0) /
      points.reduce((sum, p) => sum + (p.count - meanX) ** 2, 0);
    const intercept = meanY - slope * meanX;
    const worst = Math.max(...points.map((p) => Math.abs(p[key] - (intercept + slope * p.count))));
    return { slope, intercept, worst };
  };
  const time = fit("seconds");
  const memory = fit("megabytes");
  const size = fit("bytes");
  return [
    `Growth with application sides (least squares over ${SIDE_COUNTS.join(", ")} sides): synthesis takes ${time.intercept.toFixed(2)} s + ${(time.slope * 1000).toFixed(0)} ms per side (largest deviation from the line ${(time.worst * 1000).toFixed(0)} ms),`,
    `peak memory ${memory.intercept.toFixed(0)} MB + ${memory.slope.toFixed(1)} MB per side, JSON ${(size.intercept / 1024).toFixed(0)} KiB + ${(size.slope / 1024).toFixed(0)} KiB per side.`,
  ].join(" ");
}

const USAGE = `usage: npm run bench [-- --write] [--out <file>]

Measures the floor (node -e 'require("cdktf")'), synthesis (default environment and 1, 5, 20
application sides), npm test and the type check: median wall time of BENCH_RUNS runs (default
5) side by side, peak memory, JSON written, against the budgets in docs/performance.md. Prints the report; exit code 1 when a
budget is missed. Takes several minutes.

  --write        put the report into docs/performance.md between its markers (formatted)
  --out <file>   write the report to <file>`;

function main(flags) {
  const workdir = mkdtempSync(join(tmpdir(), "hybrid-bench-"));
  // One output folder per row: a row's stacks are never another row's orphans.
  const synth = (name, environment, preload = []) => {
    const outdir = join(workdir, `out-${name.replace(/\W+/g, "-")}`);
    return [
      name,
      process.execPath,
      [
        ...[RSS_PROBE, ...preload].flatMap((module) => ["-r", module]),
        "scripts/synth.cjs",
        "--quiet",
      ],
      { HYBRID_CONFIG: environment, CDKTF_OUTDIR: outdir },
      outdir,
    ];
  };
  const sideRows = SIDE_COUNTS.map((count) => {
    const file = join(workdir, `sides-${count}.yaml`);
    writeFileSync(file, sidesEnvironment(count));
    return synth(sidesRow(count), file);
  });
  const cases = [
    // The floor: loading cdktf and nothing else, what no synthesis can beat.
    [FLOOR, process.execPath, ["-r", RSS_PROBE, "-e", 'require("cdktf")'], {}],
    synth("synthesis, default environment", "environments/example.yaml"),
    synth("synthesis, standalone environment", "environments/standalone-k3s.yaml"),
    ...sideRows,
    // Last of the syntheses: the 900 MB it takes slows whichever process the OS runs next.
    synth(
      "baseline: synthesis with provider root imports",
      "environments/example.yaml",
      PROVIDER_ROOTS,
    ),
    ["npm test", "npm", ["test", "--silent"], {}],
    ["type check (tsc --noEmit)", "npm", ["run", "--silent", "typecheck"], {}],
  ];
  const samples = new Map(cases.map(([name]) => [name, []]));
  try {
    // Side by side: each round runs every case once, so drift in the machine hits all alike.
    for (let round = 1; round <= RUNS; round++) {
      for (const [name, command, args, env, outdir] of cases) {
        samples.get(name).push(timed(command, args, env, outdir));
      }
      process.stderr.write(`round ${round}/${RUNS} done\n`);
    }
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }

  const rows = cases.map(([name]) => {
    const runs = samples.get(name);
    const seconds = median(runs.map((run) => run.seconds));
    const peaks = runs.map((run) => run.megabytes).filter((value) => value !== undefined);
    const megabytes = peaks.length ? Math.max(...peaks) : undefined;
    const bytes = runs[0].bytes;
    const budget = BUDGETS[name];
    const failures = [
      budget?.seconds !== undefined && seconds > budget.seconds
        ? `median ${seconds.toFixed(2)} s > ${budget.seconds} s`
        : undefined,
      budget?.megabytes !== undefined && megabytes !== undefined && megabytes > budget.megabytes
        ? `peak ${megabytes.toFixed(0)} MB > ${budget.megabytes} MB`
        : undefined,
    ].filter(Boolean);
    return { name, seconds, megabytes, bytes, budget, failures };
  });
  const floor = rows[0];
  const synthesis = rows[1];
  const baseline = rows.find((row) => row.name.startsWith("baseline"));
  const table = [
    "| what | median wall | peak memory | JSON written | budget |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map(
      (row) =>
        `| ${row.name} | ${row.seconds.toFixed(2)} s | ${
          row.megabytes === undefined ? "n/a" : `${row.megabytes.toFixed(0)} MB`
        } | ${row.bytes === undefined ? "n/a" : `${(row.bytes / 1024).toFixed(0)} KiB`} | ${
          row.budget
            ? [
                row.budget.seconds !== undefined ? `≤ ${row.budget.seconds} s` : "",
                row.budget.megabytes !== undefined ? `≤ ${row.budget.megabytes} MB` : "",
              ]
                .filter(Boolean)
                .join(", ") + (row.failures.length ? " **missed**" : " met")
            : ""
        } |`,
    ),
  ];
  const summary = [
    `Measured with \`npm run bench\` on ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}; median of ${RUNS} runs per row, the rows run side by side in each round.`,
    "",
    ...table,
    "",
    `The default environment's synthesis takes ${(synthesis.seconds / floor.seconds).toFixed(1)}× the floor (loading cdktf alone, ${floor.seconds.toFixed(2)} s).`,
    "",
    `Per-resource provider imports make synthesis ${(baseline.seconds / synthesis.seconds).toFixed(1)}× faster and ${(baseline.megabytes / synthesis.megabytes).toFixed(1)}× smaller in memory than root-package imports.`,
    "",
    growth(rows),
  ].join("\n");
  if (flags.write) {
    const report = readFileSync(REPORT, "utf8");
    const start = report.indexOf(BEGIN);
    const end = report.indexOf(END);
    if (start < 0 || end < start) throw new Error(`${REPORT} lacks the ${BEGIN} … ${END} markers`);
    writeFileSync(
      REPORT,
      `${report.slice(0, start + BEGIN.length)}\n${summary}\n${report.slice(end)}`,
    );
    // The table as prettier lays it out: `npm run lint` checks docs/ too.
    const prettier = join(ROOT, "node_modules", ".bin", "prettier");
    const formatted = spawnSync(prettier, ["--write", REPORT], { encoding: "utf8" });
    if (formatted.status !== 0)
      throw new Error(`prettier failed on ${REPORT}: ${formatted.stderr}`);
    process.stderr.write(`wrote ${REPORT}\n`);
  }
  if (flags.out) {
    writeFileSync(flags.out, `${summary}\n`);
    process.stderr.write(`wrote ${flags.out}\n`);
  }
  process.stdout.write(`${summary}\n`);
  const missed = rows.flatMap((row) => row.failures.map((failure) => `${row.name}: ${failure}`));
  if (missed.length > 0) {
    process.stderr.write(`Budgets missed:\n${missed.map((line) => `  - ${line}`).join("\n")}\n`);
    return 1;
  }
  return 0;
}

startTool(
  {
    command: "npm run bench",
    usage: USAGE,
    flags: { write: { type: "boolean" }, out: { type: "string" } },
  },
  main,
);
