import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, parseConfig } from "../lib/config/load";

/**
 * Bad-input corpus: every file in fixtures/invalid is an environment broken in one way. Its
 * first line, `# expect: <text>`, holds a substring of the expected report (field path and
 * message), or a regular expression written as `/.../`.
 */
const DIR = join(__dirname, "fixtures", "invalid");
const EXPECT_LINE = /^# expect: (.+)$/;
const STACK_TRACE_LINE = /^\s+at /m;

interface Fixture {
  readonly file: string;
  readonly text: string;
}

const FIXTURES: readonly Fixture[] = readdirSync(DIR)
  .filter((file) => file.endsWith(".yaml"))
  .sort()
  .map((file) => ({ file, text: readFileSync(join(DIR, file), "utf8") }));

/** The `# expect:` line as a substring or, when written `/.../`, a regular expression. */
function expectationOf(fixture: Fixture): string | RegExp {
  const match = EXPECT_LINE.exec(fixture.text.split("\n")[0]);
  if (!match) throw new Error(`${fixture.file} does not start with "# expect: <text>"`);
  const expectation = match[1].trim();
  const regex = /^\/(.+)\/$/.exec(expectation);
  return regex ? new RegExp(regex[1]) : expectation;
}

/** The ConfigError a bad input raises; any other outcome fails the test. */
function rejectionOf(text: string, source: string): ConfigError {
  try {
    parseConfig(text, source);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`${source} was accepted`);
}

function expectReadableReport(error: ConfigError, source: string): void {
  expect(error.message).toContain(`Invalid configuration in ${source}`);
  expect(error.message).toContain("hint:");
  expect(error.message).not.toMatch(STACK_TRACE_LINE);
  // One "hint:" line per problem: no problem is reported without advice.
  expect(error.message.match(/^ {4}hint: \S/gm)?.length).toBe(error.problems.length);
}

describe("bad-input corpus (__tests__/fixtures/invalid)", () => {
  it("holds at least 40 bad inputs", () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(40);
  });

  it("breaks each input in its own way", () => {
    const bodies = FIXTURES.map((fixture) => fixture.text.split("\n").slice(1).join("\n"));
    expect(new Set(bodies).size).toBe(bodies.length);
  });

  it.each(FIXTURES)("rejects $file with the expected message", (fixture) => {
    const expectation = expectationOf(fixture);
    const error = rejectionOf(fixture.text, fixture.file);
    expect(error).toBeInstanceOf(ConfigError);
    if (typeof expectation === "string") expect(error.message).toContain(expectation);
    else expect(error.message).toMatch(expectation);
    expectReadableReport(error, fixture.file);
  });
});

// Unparsable YAML lives here rather than in fixture files: `prettier --check .` (npm run lint)
// cannot parse such files and would fail on them.
describe("YAML syntax errors", () => {
  const CASES: ReadonlyArray<readonly [string, string]> = [
    ["tab indentation", "mode: hybrid\nonprem:\n\tmode: simulated\n"],
    [
      "unclosed flow sequence",
      "mode: hybrid\ncloud:\n  advertisedRanges: [10.0.0.0/8\nbackend: {}\n",
    ],
    ["unclosed quote", 'mode: "hybrid\n'],
    ["bad indentation", "mode: hybrid\n backend: local\n"],
  ];

  it.each(CASES)("reports %s with its line and no stack trace", (_name, text) => {
    const error = rejectionOf(text, "broken.yaml");
    expect(error.message).toMatch(/<root>: is not valid YAML: .* at line \d+/);
    expectReadableReport(error, "broken.yaml");
  });
});
