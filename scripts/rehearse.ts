/**
 * `npm run rehearse`: the environment in HYBRID_CONFIG (default environments/example.yaml)
 * planned, applied, re-planned, changed day-2 and destroyed with real Terraform against the
 * offline stand-in providers (lib/rehearsal). Nothing outside its own temporary folder changes.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stackNamesOf } from "../main";
import { stringify } from "yaml";
import { DEFAULT_CONFIG_PATH, parseConfig } from "../lib/config/load";
import { startTool } from "../lib/cli/command-line";
import { DAY_TWO_CHANGES } from "../lib/rehearsal/day-two-changes";
import { rehearse, summaryTable } from "../lib/rehearsal/rehearse";
import { REPLACEMENT_TABLE } from "../lib/rehearsal/replacement-table";
import { installStandIns } from "../lib/rehearsal/stand-ins";
import { parseEnvironment } from "../lib/rehearsal/workspace";

const USAGE = `usage: npm run rehearse [-- --keep] [--changes=<id>,...]

Rehearses the environment in HYBRID_CONFIG (default ${DEFAULT_CONFIG_PATH}) offline: every stack
deployed through the cdktf CLI with real Terraform against stand-in providers, planned again
(must be empty), taken through the day-2 changes (no stateful resource may be replaced or
destroyed) and destroyed. --keep leaves the rehearsal's folder for inspection; --changes limits the day-2
changes to those named (${DAY_TWO_CHANGES.map((change) => change.id).join(", ")}; none: --changes=).`;

const SPEC = {
  command: "npm run rehearse",
  usage: USAGE,
  flags: { keep: { type: "boolean" }, changes: { type: "string" } },
} as const;

startTool(SPEC, async (flags) => {
  const ids = flags.changes?.split(",").filter((id) => id !== "");
  const unknownChanges = (ids ?? []).filter(
    (id) => !DAY_TWO_CHANGES.some((change) => change.id === id),
  );
  if (unknownChanges.length > 0) {
    process.stderr.write(
      `${SPEC.command}: unknown day-2 change ${unknownChanges.join(", ")}\n\n${USAGE}\n`,
    );
    return 2;
  }
  const path = process.env.HYBRID_CONFIG ?? DEFAULT_CONFIG_PATH;
  const environment = parseEnvironment(readFileSync(path, "utf8"), path);
  const started = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), "hybrid-rehearsal-"));
  console.log(`rehearsing ${path} in ${workDir}`);
  try {
    const report = await rehearse({
      projectRoot: join(__dirname, ".."),
      environment,
      stacksOf: (raw) => stackNamesOf(parseConfig(stringify(raw), path)),
      workDir,
      installProviders: installStandIns,
      // A type the table does not know is taken as stateful: the table's test lists every
      // type the stacks emit, so this only guards a type added since.
      isStateful: (type) => REPLACEMENT_TABLE[type]?.stateful ?? true,
      // Seconds since the start, so a slow step shows where the time goes.
      log: (line) =>
        console.log(`${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s  ${line}`),
      changes:
        ids === undefined
          ? DAY_TWO_CHANGES
          : DAY_TWO_CHANGES.filter((change) => ids.includes(change.id)),
    });
    console.log(
      `\n${summaryTable(report)}\n\n${report.failed ? "FAILED" : "passed"} in ${report.seconds.toFixed(0)} s`,
    );
    return report.failed ? 1 : 0;
  } finally {
    if (flags.keep) console.log(`kept ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
});
