/**
 * CronJob schedules are checked as Kubernetes checks them: robfig/cron v3 ParseStandard plus the
 * API server's refusal of "TZ". The verdicts below were cross-checked against the real
 * github.com/robfig/cron/v3 v3.0.1 parser.
 */
import { cronScheduleProblem } from "../lib/config/maintenance/cron-schedule";

describe("schedules Kubernetes accepts", () => {
  it.each([
    "0 3 * * 0",
    "*/15 * * * *",
    "0 0 1,15 * *",
    "30 3 * * SUN",
    "0 0 ? * MON-FRI",
    "59 23 31 12 6",
    "0 0 1 JAN-dec *",
    "0 0 * * sun,Sat",
    "0-59/5 0-23/2 1-31/3 1-12/4 0-6/2",
    "5/15 * * * *", // "N/step" is N-max/step (parser.go:293-296)
    "*/60 * * * *", // a step larger than the range: only the start matches
    "*/1 */1 */1 */1 */1",
    "? ? ? ? ?", // robfig takes "?" in every field, not only day of month and week
    "7 7 7 7 MON-5",
    "00 007 01 01 00",
    "+5 * * * *", // strconv.Atoi takes a sign
    "*/+5 * * * *",
    "*-5 * * * *", // after "*" the rest of a range is ignored (parser.go:262-265)
    "1,,2 * * * *", // strings.FieldsFunc drops empty list items
    "0 0 , * *",
    "  0\t3 * *\n*  ", // strings.Fields: any Unicode white space, leading and trailing
    "0\u00a03\u3000*\u0085*\u2028*",
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
    "@every 1h",
    "@every 1h30m",
    "@every 90s",
    "@every 1.5h",
    "@every .5s",
    "@every 5.s",
    "@every 0",
    "@every -1h", // Every() rounds anything under a second up to one (constantdelay.go:14-21)
    "@every 1µs",
    "@every 2562047h47m16.854775807s",
  ])("%j", (schedule) => {
    expect(cronScheduleProblem(schedule)).toBeUndefined();
  });
});

describe("schedules Kubernetes refuses", () => {
  it.each([
    ["0 3 * * 7", 'field 5 (day of week) "7" is outside 0-6'],
    ["60 * * * *", 'field 1 (minute) "60" is outside 0-59'],
    ["0 24 * * *", 'field 2 (hour) "24" is outside 0-23'],
    ["0 0 0 * *", 'field 3 (day of month) "0" is outside 1-31'],
    ["0 0 32 * *", 'field 3 (day of month) "32" is outside 1-31'],
    ["0 0 * 13 *", 'field 4 (month) "13" is outside 1-12'],
    ["0 0 * 0 *", 'field 4 (month) "0" is outside 1-12'],
    ["0 0 * * 0-7", 'field 5 (day of week) "0-7" is outside 0-6'],
    ["60/5 * * * *", 'field 1 (minute) "60/5" is outside 0-59'],
    ["0 0 1-31/0 * *", 'step 0 in "1-31/0" must be at least 1'],
    ["*/0 * * * *", 'step 0 in "*/0" must be at least 1'],
    ["*/-1 * * * *", 'step -1 in "*/-1" must be at least 1'],
    ["*/-0 * * * *", 'step 0 in "*/-0" must be at least 1'],
    ["5-1 * * * *", 'field 1 (minute) "5-1" runs backwards: 5 is after 1'],
    ["0 0 * * FRI-MON", 'field 5 (day of week) "FRI-MON" runs backwards: 5 is after 1'],
    ["- - - - -", 'field 1 (minute) "-": "" is not a number'],
    ["1-2-3 * * * *", 'field 1 (minute) "1-2-3" has more than one "-"'],
    ["*/2/3 * * * *", 'field 1 (minute) "*/2/3" has more than one "/"'],
    ["*/ * * * *", 'field 1 (minute) "*/": step "" is not a number'],
    ["1- * * * *", 'field 1 (minute) "1-": "" is not a number'],
    ["x * * * *", 'field 1 (minute) "x": "x" is not a number'],
    ["1.5 * * * *", 'field 1 (minute) "1.5": "1.5" is not a number'],
    ["1_0 * * * *", 'field 1 (minute) "1_0": "1_0" is not a number'],
    ["0 0 * JANUARY *", 'field 4 (month) "JANUARY": "JANUARY" is not a number or a name JAN-DEC'],
    [
      "0 0 * * MONDAY",
      'field 5 (day of week) "MONDAY": "MONDAY" is not a number or a name SUN-SAT',
    ],
    // Names only in their own field.
    ["0 0 MON * *", 'field 3 (day of month) "MON": "MON" is not a number'],
    ["*/JAN * * * *", 'field 1 (minute) "*/JAN": step "JAN" is not a number'],
    ["9223372036854775808 * * * *", "is not a number"], // past int64: strconv.Atoi fails
    ["9223372036854775807 * * * *", 'field 1 (minute) "9223372036854775807" is outside 0-59'],
    ["* * * *", "expected 5 fields (minute hour day-of-month month day-of-week), found 4"],
    ["* * * * * *", "found 6"], // no seconds field in the standard parser
    ["   ", "found 0"],
    ["", "schedule is empty"],
    ["0 3 * * 0\ufeff", 'field 5 (day of week) "0\ufeff"'], // U+FEFF is not white space to Go
    ["TZ=UTC 0 0 * * *", 'must not contain "TZ"'],
    ["CRON_TZ=Europe/Berlin 0 0 * * *", "set timeZone instead"],
    ["@every 1hTZ", 'must not contain "TZ"'],
    ["@Daily", 'unknown descriptor "@Daily"'],
    ["@daily ", 'unknown descriptor "@daily "'],
    ["@reboot", 'unknown descriptor "@reboot"'],
    ["@every", 'unknown descriptor "@every"'],
    [" @daily", "found 1 (a descriptor like @daily must not follow a space)"],
    ["@every ", '"@every " needs a Go duration'],
    ["@every 1", "needs a Go duration"], // no unit
    ["@every 1d", "needs a Go duration"], // no day unit in Go
    ["@every 1H", "needs a Go duration"],
    ["@every 1h ", "needs a Go duration"],
    ["@every  1h", "needs a Go duration"],
    ["@every .s", "needs a Go duration"],
    ["@every 2562048h", "needs a Go duration"], // past the int64 nanoseconds of a Duration
    ["@every 2562047h47m16.854775808s", "needs a Go duration"],
  ])("%j: %s", (schedule, message) => {
    expect(cronScheduleProblem(schedule)).toContain(message);
  });
});

describe("a field's every value", () => {
  const fields = [
    { index: 0, min: 0, max: 59 },
    { index: 1, min: 0, max: 23 },
    { index: 2, min: 1, max: 31 },
    { index: 3, min: 1, max: 12 },
    { index: 4, min: 0, max: 6 },
  ];
  const withField = (index: number, value: string) =>
    ["*", "*", "*", "*", "*"].map((field, i) => (i === index ? value : field)).join(" ");

  it.each(fields)("field $index is accepted exactly within $min-$max", ({ index, min, max }) => {
    for (let value = 0; value <= 99; value++) {
      const accepted = cronScheduleProblem(withField(index, String(value))) === undefined;
      expect([value, accepted]).toEqual([value, value >= min && value <= max]);
    }
  });
});
