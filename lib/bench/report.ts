/**
 * The bench's report: per row the median wall time, the peak memory, the JSON written and the
 * budget met or missed; how the default synthesis compares with the floor and the baseline;
 * and how synthesis grows with application sides.
 */
import { BASELINE, DEFAULT_SYNTHESIS, FLOOR, SIDE_COUNTS, sidesRow } from "./bench-cases";
import { BUDGETS, budgetFailures, type Budget } from "./budgets";
import type { Machine, MeasuredCase } from "./measure";
import { linearFit, median } from "./statistics";

/** A row of the report. */
export interface BenchRow {
  readonly name: string;
  /** Median wall time. */
  readonly seconds: number;
  /** Largest peak resident memory over the runs; rows without the probe have none. */
  readonly megabytes?: number;
  /** JSON a synthesis wrote (the first run's). */
  readonly bytes?: number;
  readonly budget?: Budget;
  /** How the row misses its budget; empty when it is met or has none. */
  readonly failures: readonly string[];
}

/** Each measured row's figures against its budget. */
export function benchRows(
  measured: readonly MeasuredCase[],
  budgets: Readonly<Record<string, Budget>> = BUDGETS,
): BenchRow[] {
  return measured.map(({ name, samples }) => {
    const seconds = median(samples.map((sample) => sample.seconds));
    const peaks = samples.flatMap((sample) =>
      sample.megabytes === undefined ? [] : [sample.megabytes],
    );
    const megabytes = peaks.length ? Math.max(...peaks) : undefined;
    const budget = budgets[name] as Budget | undefined;
    const failures = budgetFailures(budget, seconds, megabytes);
    return { name, seconds, megabytes, bytes: samples[0]?.bytes, budget, failures };
  });
}

/** The budget column: the budget and whether it was met; empty for a row without one. */
function budgetCell({ budget, failures }: BenchRow): string {
  if (!budget) return "";
  const bounds = [
    budget.seconds !== undefined ? `≤ ${budget.seconds} s` : "",
    budget.megabytes !== undefined ? `≤ ${budget.megabytes} MB` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return bounds + (failures.length ? " **missed**" : " met");
}

/** The rows as a Markdown table. */
export function renderTable(rows: readonly BenchRow[]): string[] {
  return [
    "| what | median wall | peak memory | JSON written | budget |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map(
      (row) =>
        `| ${row.name} | ${row.seconds.toFixed(2)} s | ${
          row.megabytes === undefined ? "n/a" : `${row.megabytes.toFixed(0)} MB`
        } | ${row.bytes === undefined ? "n/a" : `${(row.bytes / 1024).toFixed(0)} KiB`} | ${budgetCell(row)} |`,
    ),
  ];
}

/** The row named `name`; the report cannot be written without it. */
function rowNamed(rows: readonly BenchRow[], name: string): BenchRow {
  const row = rows.find((candidate) => candidate.name === name);
  if (!row) throw new Error(`the bench has no row "${name}"`);
  return row;
}

/** A figure of a row; a synthesis row always has its memory and JSON. */
function figureOf(row: BenchRow, key: "seconds" | "megabytes" | "bytes"): number {
  const value = row[key];
  if (value === undefined) throw new Error(`the row "${row.name}" has no ${key} figure`);
  return value;
}

/**
 * How synthesis grows with application sides: the least-squares line through the side rows,
 * and how far each row is from it (a small residual means linear).
 */
export function growthLine(rows: readonly BenchRow[]): string {
  const sideRows = SIDE_COUNTS.map((count) => ({ count, row: rowNamed(rows, sidesRow(count)) }));
  const fit = (key: "seconds" | "megabytes" | "bytes") =>
    linearFit(sideRows.map(({ count, row }) => ({ x: count, y: figureOf(row, key) })));
  const time = fit("seconds");
  const memory = fit("megabytes");
  const size = fit("bytes");
  return [
    `Growth with application sides (least squares over ${SIDE_COUNTS.join(", ")} sides): synthesis takes ${time.intercept.toFixed(2)} s + ${(time.slope * 1000).toFixed(0)} ms per side (largest deviation from the line ${(time.worst * 1000).toFixed(0)} ms),`,
    `peak memory ${memory.intercept.toFixed(0)} MB + ${memory.slope.toFixed(1)} MB per side, JSON ${(size.intercept / 1024).toFixed(0)} KiB + ${(size.slope / 1024).toFixed(0)} KiB per side.`,
  ].join(" ");
}

/** The whole report, as docs/performance.md shows it between its markers. */
export function renderReport(rows: readonly BenchRow[], machine: Machine, runs: number): string {
  const floor = rowNamed(rows, FLOOR);
  const synthesis = rowNamed(rows, DEFAULT_SYNTHESIS);
  const baseline = rowNamed(rows, BASELINE);
  return [
    `Measured with \`npm run bench\` on ${machine.cores} cores (${machine.cpuModel}), ${(machine.memoryBytes / 2 ** 30).toFixed(0)} GiB, Node.js ${machine.node}; median of ${runs} runs per row, the rows run side by side in each round.`,
    "",
    ...renderTable(rows),
    "",
    `The default environment's synthesis takes ${(synthesis.seconds / floor.seconds).toFixed(1)}× the floor (loading cdktf alone, ${floor.seconds.toFixed(2)} s).`,
    "",
    `Per-resource provider imports make synthesis ${(baseline.seconds / synthesis.seconds).toFixed(1)}× faster and ${(figureOf(baseline, "megabytes") / figureOf(synthesis, "megabytes")).toFixed(1)}× smaller in memory than root-package imports.`,
    "",
    growthLine(rows),
  ].join("\n");
}

/** Every missed budget, `<row>: <how>`. */
export function missedBudgets(rows: readonly BenchRow[]): string[] {
  return rows.flatMap((row) => row.failures.map((failure) => `${row.name}: ${failure}`));
}
