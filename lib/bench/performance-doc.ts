/**
 * docs/performance.md's "Latest results": `npm run bench -- --write` puts its report between
 * the markers, formatted, so the tree stays lint-clean.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

export const BEGIN = "<!-- bench:begin -->";
export const END = "<!-- bench:end -->";

/** `doc` with `report` in place of what is between its markers. */
export function withBenchReport(doc: string, report: string, path: string): string {
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${path} lacks the ${BEGIN} … ${END} markers`);
  return `${doc.slice(0, start + BEGIN.length)}\n${report}\n${doc.slice(end)}`;
}

/** Write `report` into the file at `path` between its markers, then format it with `prettier`. */
export function writeBenchReport(path: string, report: string, prettier: string): void {
  writeFileSync(path, withBenchReport(readFileSync(path, "utf8"), report, path));
  // The table as prettier lays it out: `npm run lint` checks docs/ too.
  const formatted = spawnSync(prettier, ["--write", path], { encoding: "utf8" });
  if (formatted.status !== 0) throw new Error(`prettier failed on ${path}: ${formatted.stderr}`);
}
