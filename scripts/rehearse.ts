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
import { startTool, UsageError } from "../lib/cli/command-line";
import { DAY_TWO_CHANGES } from "../lib/rehearsal/day-two-changes";
import { rehearse, summaryTable } from "../lib/rehearsal/rehearse";
import { manySummary, rehearseMany, shippedEnvironments } from "../lib/rehearsal/rehearse-many";
import { REPLACEMENT_TABLE } from "../lib/rehearsal/replacement-table";
import { installStandIns } from "../lib/rehearsal/stand-ins";
import { parseEnvironment } from "../lib/rehearsal/workspace";

const USAGE = `usage: [HYBRID_CONFIG=<file>] npm run rehearse [-- --keep] [--deploy-only] [--changes=<id>,...]
       npm run rehearse -- --all [--jobs=<n>] [--deploy-only] [--changes=<id>,...] [--keep]

Rehearses an environment offline (default ${DEFAULT_CONFIG_PATH}): every stack deployed
through the cdktf CLI with real Terraform against stand-in providers, planned again (must be
empty), planned as another environment on the same state (must be refused), taken through the
day-2 changes (none may replace a stateful resource or anything it does not name) and
destroyed. Writes only its own temporary folder.

  --keep               leave the rehearsal's folder for inspection
  --changes=<id>,...   only these day-2 changes (${DAY_TWO_CHANGES.map((change) => change.id).join(", ")}); --changes= none
  --deploy-only        stop after the first deployment and the second plan
  --all                every shipped environment (environments/ and examples/), each in its
                       own process, --jobs at a time (default 2)`;

const SPEC = {
  command: "npm run rehearse",
  usage: USAGE,
  flags: {
    keep: { type: "boolean" },
    changes: { type: "string" },
    all: { type: "boolean" },
    "deploy-only": { type: "boolean" },
    jobs: { type: "string" },
  },
} as const;

startTool(SPEC, async (flags) => {
  if (flags.all) {
    const jobs = Number(flags.jobs ?? "2");
    if (!Number.isInteger(jobs) || jobs < 1) {
      throw new UsageError("--jobs takes a whole number of at least 1");
    }
    const projectRoot = join(__dirname, "..");
    const results = await rehearseMany({
      projectRoot,
      environments: shippedEnvironments(projectRoot),
      jobs,
      args: [
        ...(flags.changes === undefined ? [] : [`--changes=${flags.changes}`]),
        ...(flags.keep ? ["--keep"] : []),
        ...(flags["deploy-only"] ? ["--deploy-only"] : []),
      ],
      log: (line) => console.log(line),
    });
    console.log(`\n${manySummary(results)}`);
    return results.every((result) => result.passed) ? 0 : 1;
  }
  const ids = flags.changes?.split(",").filter((id) => id !== "");
  const unknownChanges = (ids ?? []).filter(
    (id) => !DAY_TWO_CHANGES.some((change) => change.id === id),
  );
  if (unknownChanges.length > 0) {
    throw new UsageError(`unknown day-2 change ${unknownChanges.join(", ")}`);
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
      deployOnly: flags["deploy-only"] ?? false,
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
