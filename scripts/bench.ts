/**
 * `npm run bench`: wall time (median of BENCH_RUNS runs, measured side by side in one run) and
 * peak memory of synthesis, the test suite and the type check, against the budgets in
 * docs/performance.md (lib/bench). Prints the report; `--write` puts it into
 * docs/performance.md between its markers (formatted, so the tree stays lint-clean), `--out
 * <file>` into a file of your own. Exit code 1 when a budget is missed.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { measureBench, machineOf } from "../lib/bench/measure";
import { writeBenchReport } from "../lib/bench/performance-doc";
import { benchRows, missedBudgets, renderReport } from "../lib/bench/report";
import { startTool } from "../lib/cli/command-line";

const ROOT = join(__dirname, "..");
const REPORT = join(ROOT, "docs", "performance.md");

const USAGE = `usage: npm run bench [-- --write] [--out <file>]

Measures the floor (node -e 'require("cdktf")'), synthesis (default environment and 1, 5, 20
application sides), npm test and the type check: median wall time of BENCH_RUNS runs (default
5) side by side, peak memory, JSON written, against the budgets in docs/performance.md. Prints the report; exit code 1 when a
budget is missed. Takes several minutes.

  --write        put the report into docs/performance.md between its markers (formatted)
  --out <file>   write the report to <file>`;

const SPEC = {
  command: "npm run bench",
  usage: USAGE,
  flags: { write: { type: "boolean" }, out: { type: "string" } },
} as const;

startTool(SPEC, (flags) => {
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const rows = benchRows(measureBench({ root: ROOT, runs, log }));
  const report = renderReport(rows, machineOf(), runs);
  if (flags.write) {
    writeBenchReport(REPORT, report, join(ROOT, "node_modules", ".bin", "prettier"));
    log(`wrote ${REPORT}`);
  }
  if (flags.out) {
    writeFileSync(flags.out, `${report}\n`);
    log(`wrote ${flags.out}`);
  }
  process.stdout.write(`${report}\n`);
  const missed = missedBudgets(rows);
  if (missed.length > 0) {
    log(`Budgets missed:\n${missed.map((line) => `  - ${line}`).join("\n")}`);
    return 1;
  }
  return 0;
});
