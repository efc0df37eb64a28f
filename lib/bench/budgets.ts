/**
 * The budgets of docs/performance.md, by report row: synthesis runs on every `cdktf synth`,
 * `diff` and `deploy` and in every test, so its time and memory are kept in bounds.
 */

/** What a row may take: median wall time and peak memory (either may be unbounded). */
export interface Budget {
  readonly seconds?: number;
  readonly megabytes?: number;
}

/** The rows with a budget (lib/bench/bench-cases.ts names every row). */
export const BUDGETS: Readonly<Record<string, Budget>> = {
  "synthesis, default environment": { seconds: 1.0, megabytes: 400 },
  "synthesis, 20 application sides": { seconds: 2.5 },
  "npm test": { seconds: 20 },
};

/** How a row's median time and peak memory miss its budget, one line each (none: met). */
export function budgetFailures(
  budget: Budget | undefined,
  seconds: number,
  megabytes: number | undefined,
): string[] {
  const failures: string[] = [];
  if (budget?.seconds !== undefined && seconds > budget.seconds) {
    failures.push(`median ${seconds.toFixed(2)} s > ${budget.seconds} s`);
  }
  if (budget?.megabytes !== undefined && megabytes !== undefined && megabytes > budget.megabytes) {
    failures.push(`peak ${megabytes.toFixed(0)} MB > ${budget.megabytes} MB`);
  }
  return failures;
}
