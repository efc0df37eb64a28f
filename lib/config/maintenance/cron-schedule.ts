/**
 * Kubernetes CronJob `spec.schedule`, checked the way the API server checks it, so that a schedule
 * accepted here is never refused at apply.
 *
 * The API server (kubernetes/kubernetes pkg/apis/batch/validation/validation.go,
 * validateScheduleFormat) refuses a schedule when
 *   - `cron.ParseStandard(schedule)` from github.com/robfig/cron/v3 returns an error, or
 *   - the schedule contains "TZ" anywhere (`strings.Contains(schedule, "TZ")`), which covers the
 *     `TZ=` and `CRON_TZ=` prefixes: only CronJobs that already had one may keep it on update,
 *     new ones must set `spec.timeZone` instead.
 * An empty schedule is refused as required (validateCronJobSpec, `len(spec.Schedule) == 0`).
 *
 * What follows is a port of ParseStandard: robfig/cron v3.0.1 parser.go (line numbers below are
 * of that tag), with the field bounds of spec.go:21-49, Go's strings.Fields for the split, Go's
 * strconv.Atoi for numbers and Go's time.ParseDuration for `@every`.
 */

import { goParseDurationAccepts } from "../core/go-duration";

/** A field of the 5-field standard spec: robfig/cron spec.go:21-49 (`bounds`). */
interface Bounds {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  /** Lower-case names (parser.go:321-328 looks them up with strings.ToLower). */
  readonly names?: ReadonlyMap<string, number>;
  readonly namesHint?: string;
}

const MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun"]
  .concat(["jul", "aug", "sep", "oct", "nov", "dec"])
  .map((name, index): [string, number] => [name, index + 1]);
const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"].map(
  (name, index): [string, number] => [name, index],
);

/** ParseStandard's fields, in order: parser.go:217-219 (Minute | Hour | Dom | Month | Dow). */
const FIELDS: readonly Bounds[] = [
  { label: "minute", min: 0, max: 59 },
  { label: "hour", min: 0, max: 23 },
  { label: "day of month", min: 1, max: 31 },
  { label: "month", min: 1, max: 12, names: new Map(MONTH_NAMES), namesHint: "JAN-DEC" },
  { label: "day of week", min: 0, max: 6, names: new Map(DAY_NAMES), namesHint: "SUN-SAT" },
];

/**
 * Descriptors parseDescriptor matches exactly (case-sensitive, no surrounding space):
 * parser.go:366-422; `@every <duration>` is parser.go:424-431.
 */
const DESCRIPTORS = new Set([
  "@yearly",
  "@annually",
  "@monthly",
  "@weekly",
  "@daily",
  "@midnight",
  "@hourly",
]);
const EVERY = "@every ";

/**
 * What Go's strings.Fields splits on: unicode.IsSpace (go/src/unicode/graphic.go:128-138 and the
 * White_Space table, unicode/tables.go). Not JavaScript's \s, which lacks U+0085 and has U+FEFF.
 */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** Why Kubernetes would refuse `schedule` as CronJob spec.schedule; undefined if it accepts it. */
export function cronScheduleProblem(schedule: string): string | undefined {
  if (schedule.length === 0) return "schedule is empty";
  if (schedule.includes("TZ")) {
    return (
      'schedule must not contain "TZ": Kubernetes refuses TZ= and CRON_TZ= prefixes in new ' +
      "CronJobs, set timeZone instead"
    );
  }
  // parser.go:106-111: a spec starting with "@" (no leading space allowed) is a descriptor.
  if (schedule.startsWith("@")) return descriptorProblem(schedule);

  // parser.go:114 strings.Fields; parser.go:185-190 requires exactly 5 of them.
  const fields = schedule.split(GO_SPACE).filter((field) => field.length > 0);
  if (fields.length !== FIELDS.length) {
    return (
      `expected 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}` +
      (schedule.trim().startsWith("@") ? " (a descriptor like @daily must not follow a space)" : "")
    );
  }
  for (let index = 0; index < FIELDS.length; index++) {
    const problem = fieldProblem(fields[index], FIELDS[index], index + 1);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * getField, parser.go:236-247: a comma-separated list of ranges. strings.FieldsFunc drops empty
 * items, so "1,,2" is 1 and 2, and a field of only commas is accepted (and never matches).
 */
function fieldProblem(field: string, bounds: Bounds, position: number): string | undefined {
  for (const expr of field.split(",").filter((item) => item.length > 0)) {
    const problem = rangeProblem(expr, bounds, `field ${position} (${bounds.label})`);
    if (problem) return problem;
  }
  return undefined;
}

/** getRange, parser.go:252-318: `*` | `?` | number ["-" number] , then optionally "/" step. */
function rangeProblem(expr: string, bounds: Bounds, where: string): string | undefined {
  // parser.go:255-256: strings.Split keeps empty parts ("1-" is ["1", ""]).
  const rangeAndStep = expr.split("/");
  const lowAndHigh = rangeAndStep[0].split("-");
  const singleValue = lowAndHigh.length === 1;
  let start: bigint;
  let end: bigint;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
    // parser.go:262-265: `*` and `?` (in any field) are the whole range; whatever follows a "-"
    // after them is never looked at.
    start = BigInt(bounds.min);
    end = BigInt(bounds.max);
  } else {
    // parser.go:279-280
    if (lowAndHigh.length > 2) return `${where} "${expr}" has more than one "-"`;
    const low = intOrName(lowAndHigh[0], bounds);
    if (typeof low === "string") return `${where} "${expr}": ${low}`;
    start = low;
    if (lowAndHigh.length === 2) {
      const high = intOrName(lowAndHigh[1], bounds);
      if (typeof high === "string") return `${where} "${expr}": ${high}`;
      end = high;
    } else {
      end = start;
    }
  }

  let step = 1n;
  // parser.go:300-301
  if (rangeAndStep.length > 2) return `${where} "${expr}" has more than one "/"`;
  if (rangeAndStep.length === 2) {
    // parser.go:288-296: the step is a plain number (no names), and "N/step" means "N-max/step".
    const parsed = goAtoi(rangeAndStep[1]);
    if (parsed === undefined) {
      return `${where} "${expr}": step "${rangeAndStep[1]}" is not a number`;
    }
    if (parsed < 0n) return `step ${parsed} in "${expr}" must be at least 1`; // parser.go:336-338
    step = parsed;
    if (singleValue) end = BigInt(bounds.max);
  }

  // parser.go:304-315: the same refusals (a start past the maximum is reported as outside).
  const allowed = `${bounds.min}-${bounds.max}`;
  if (start < BigInt(bounds.min) || end > BigInt(bounds.max) || start > BigInt(bounds.max)) {
    return `${where} "${expr}" is outside ${allowed}`;
  }
  if (start > end) return `${where} "${expr}" runs backwards: ${start} is after ${end}`;
  if (step === 0n) return `step 0 in "${expr}" must be at least 1`;
  return undefined;
}

/** parseIntOrName, parser.go:321-328: a name of the field (any case), else mustParseInt. */
function intOrName(text: string, bounds: Bounds): bigint | string {
  const named = bounds.names?.get(text.toLowerCase());
  if (named !== undefined) return BigInt(named);
  const value = goAtoi(text);
  const expected = bounds.namesHint ? `a number or a name ${bounds.namesHint}` : "a number";
  if (value === undefined) return `"${text}" is not ${expected}`;
  // parser.go:336-338 (mustParseInt). Only "+0"-style signs reach here: "-" splits ranges.
  if (value < 0n) return `${value} is negative`;
  return value;
}

/**
 * Go's strconv.Atoi on a 64-bit platform (strconv/atoi.go): an optional sign, then one or more
 * ASCII digits (no underscores with base 10), within int64. Undefined when Atoi errors.
 */
function goAtoi(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value > INT64_MAX || value < INT64_MIN ? undefined : value;
}

function descriptorProblem(descriptor: string): string | undefined {
  if (DESCRIPTORS.has(descriptor)) return undefined;
  if (descriptor.startsWith(EVERY)) {
    const duration = descriptor.slice(EVERY.length);
    // parser.go:426-429; any duration Go parses is accepted: constantdelay.go:14-21 `Every`
    // rounds anything under a second (including negatives) up to one second.
    return goParseDurationAccepts(duration)
      ? undefined
      : `"${descriptor}" needs a Go duration after "@every " such as 90s, 15m or 1h30m`;
  }
  return (
    `unknown descriptor "${descriptor}": use @yearly, @annually, @monthly, @weekly, @daily, ` +
    "@midnight, @hourly or @every <duration> (lower case, nothing after them)"
  );
}
