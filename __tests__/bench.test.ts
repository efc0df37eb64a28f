/**
 * `npm run bench` (lib/bench): what it measures, how it reads the runs against the budgets,
 * the report it prints and writes into docs/performance.md, and the environments of its scale
 * rows. The measuring itself runs real processes for minutes: `npm run bench`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../lib/config/load";
import { applicationSidesOf } from "../lib/config/sides/application-sides";
import { benchCases, SIDE_COUNTS, sidesFile, sidesRow } from "../lib/bench/bench-cases";
import { BUDGETS, budgetFailures } from "../lib/bench/budgets";
import type { MeasuredCase } from "../lib/bench/measure";
import { BEGIN, END, withBenchReport } from "../lib/bench/performance-doc";
import { benchRows, missedBudgets, renderReport } from "../lib/bench/report";
import { MAX_SIDES, sidesEnvironment } from "../lib/bench/sides-environment";
import { linearFit, median } from "../lib/bench/statistics";
import { ROOT } from "./helpers/config";

const CASES = benchCases({ root: "/project", node: "/usr/bin/node", workdir: "/tmp/bench" });

describe("npm run bench: the rows it measures", () => {
  it("times the floor, the syntheses, the tests and the type check, in the report's order", () => {
    expect(CASES.map((benchCase) => benchCase.name)).toEqual([
      `floor: node -e 'require("cdktf")'`,
      "synthesis, default environment",
      "synthesis, standalone environment",
      "synthesis, 1 application side",
      "synthesis, 5 application sides",
      "synthesis, 20 application sides",
      "baseline: synthesis with provider root imports",
      "npm test",
      "type check (tsc --noEmit)",
    ]);
  });

  it("runs every synthesis through the fast runner with the memory probe, each into its own folder", () => {
    const syntheses = CASES.filter((benchCase) => benchCase.outdir !== undefined);
    expect(syntheses).toHaveLength(6);
    for (const { command, args, env, outdir } of syntheses) {
      expect(command).toBe("/usr/bin/node");
      expect(args.slice(0, 2)).toEqual(["-r", "/project/scripts/bench-rss-probe.cjs"]);
      expect(args.slice(-2)).toEqual(["scripts/synth.cjs", "--quiet"]);
      expect(env.CDKTF_OUTDIR).toBe(outdir);
    }
    expect(new Set(syntheses.map((benchCase) => benchCase.outdir)).size).toBe(6);
    expect(
      SIDE_COUNTS.map(
        (count) => CASES.find((benchCase) => benchCase.name === sidesRow(count))?.env.HYBRID_CONFIG,
      ),
    ).toEqual(SIDE_COUNTS.map((count) => sidesFile("/tmp/bench", count)));
    // The baseline loads every provider package's root first.
    const baseline = CASES.find((benchCase) => benchCase.name.startsWith("baseline"));
    expect(baseline?.args.filter((arg) => arg.startsWith("@cdktf/provider-"))).toHaveLength(5);
  });

  it("has a budget only for rows it measures", () => {
    const names = CASES.map((benchCase) => benchCase.name);
    for (const name of Object.keys(BUDGETS)) expect(names).toContain(name);
  });
});

describe("npm run bench: figures and budgets", () => {
  it("takes the median of the runs", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("fits a line and reports the largest deviation from it", () => {
    expect(linearFit([1, 5, 20].map((x) => ({ x, y: 0.5 + 0.05 * x })))).toEqual({
      slope: expect.closeTo(0.05, 10) as number,
      intercept: expect.closeTo(0.5, 10) as number,
      worst: expect.closeTo(0, 10) as number,
    });
    const bent = linearFit([
      { x: 0, y: 0 },
      { x: 1, y: 1 },
      { x: 2, y: 0 },
    ]);
    expect(bent.slope).toBe(0);
    expect(bent.worst).toBeCloseTo(2 / 3, 10);
  });

  it("says how a row misses its budget, and nothing when it is met or has none", () => {
    const budget = { seconds: 1.0, megabytes: 400 };
    expect(budgetFailures(budget, 0.6, 190)).toEqual([]);
    expect(budgetFailures(budget, 1.234, 401.4)).toEqual([
      "median 1.23 s > 1 s",
      "peak 401 MB > 400 MB",
    ]);
    // A row without the memory probe is held to its time budget only.
    expect(budgetFailures(budget, 0.6, undefined)).toEqual([]);
    expect(budgetFailures(undefined, 100, 10_000)).toEqual([]);
  });
});

/** The rows of docs/performance.md's results, each measured the same in every run. */
const MEASURED: MeasuredCase[] = [
  [`floor: node -e 'require("cdktf")'`, 0.16, 63, undefined],
  ["synthesis, default environment", 0.6, 190, 149],
  ["synthesis, standalone environment", 0.51, 185, 61],
  ["synthesis, 1 application side", 0.61, 192, 170],
  ["synthesis, 5 application sides", 0.79, 199, 453],
  ["synthesis, 20 application sides", 1.47, 233, 1516],
  ["baseline: synthesis with provider root imports", 2.76, 859, 149],
  ["npm test", 17.87, undefined, undefined],
  ["type check (tsc --noEmit)", 6.37, undefined, undefined],
].map(([name, seconds, megabytes, kibibytes]) => ({
  name: String(name),
  samples: [
    {
      seconds: Number(seconds),
      megabytes: megabytes === undefined ? undefined : Number(megabytes),
      bytes: kibibytes === undefined ? undefined : Number(kibibytes) * 1024,
    },
  ],
}));

const MACHINE = {
  cores: 2,
  cpuModel: "Intel(R) Xeon(R) Processor",
  memoryBytes: 24 * 2 ** 30,
  node: "v20.20.2",
};

describe("npm run bench: the report", () => {
  it("reads each row's runs: median time, largest peak, the first run's JSON", () => {
    const [row] = benchRows([
      {
        name: "synthesis, default environment",
        samples: [
          { seconds: 0.9, megabytes: 180, bytes: 1000 },
          { seconds: 0.5, megabytes: 410, bytes: 2000 },
          { seconds: 1.2, megabytes: 190, bytes: 3000 },
        ],
      },
    ]);
    expect(row).toEqual({
      name: "synthesis, default environment",
      seconds: 0.9,
      megabytes: 410,
      bytes: 1000,
      budget: { seconds: 1.0, megabytes: 400 },
      failures: ["peak 410 MB > 400 MB"],
    });
  });

  it("renders the table, the comparisons and the growth with sides", () => {
    expect(renderReport(benchRows(MEASURED), MACHINE, 5)).toBe(
      [
        "Measured with `npm run bench` on 2 cores (Intel(R) Xeon(R) Processor), 24 GiB, Node.js v20.20.2; median of 5 runs per row, the rows run side by side in each round.",
        "",
        "| what | median wall | peak memory | JSON written | budget |",
        "| --- | --- | --- | --- | --- |",
        `| floor: node -e 'require("cdktf")' | 0.16 s | 63 MB | n/a |  |`,
        "| synthesis, default environment | 0.60 s | 190 MB | 149 KiB | ≤ 1 s, ≤ 400 MB met |",
        "| synthesis, standalone environment | 0.51 s | 185 MB | 61 KiB |  |",
        "| synthesis, 1 application side | 0.61 s | 192 MB | 170 KiB |  |",
        "| synthesis, 5 application sides | 0.79 s | 199 MB | 453 KiB |  |",
        "| synthesis, 20 application sides | 1.47 s | 233 MB | 1516 KiB | ≤ 2.5 s met |",
        "| baseline: synthesis with provider root imports | 2.76 s | 859 MB | 149 KiB |  |",
        "| npm test | 17.87 s | n/a | n/a | ≤ 20 s met |",
        "| type check (tsc --noEmit) | 6.37 s | n/a | n/a |  |",
        "",
        "The default environment's synthesis takes 3.8× the floor (loading cdktf alone, 0.16 s).",
        "",
        "Per-resource provider imports make synthesis 4.6× faster and 4.5× smaller in memory than root-package imports.",
        "",
        "Growth with application sides (least squares over 1, 5, 20 sides): synthesis takes 0.56 s + 45 ms per side (largest deviation from the line 1 ms), peak memory 189 MB + 2.2 MB per side, JSON 99 KiB + 71 KiB per side.",
      ].join("\n"),
    );
    expect(missedBudgets(benchRows(MEASURED))).toEqual([]);
  });

  it("marks a missed budget in the table and lists it", () => {
    const slow = MEASURED.map((measured) =>
      measured.name === "npm test" ? { ...measured, samples: [{ seconds: 21.5 }] } : measured,
    );
    const rows = benchRows(slow);
    expect(renderReport(rows, MACHINE, 5)).toContain(
      "| npm test | 21.50 s | n/a | n/a | ≤ 20 s **missed** |",
    );
    expect(missedBudgets(rows)).toEqual(["npm test: median 21.50 s > 20 s"]);
  });

  it("goes between docs/performance.md's markers, and nowhere without them", () => {
    const doc = `# Performance\n\n${BEGIN}\nold figures\n${END}\n\nafter\n`;
    expect(withBenchReport(doc, "new figures", "doc.md")).toBe(
      `# Performance\n\n${BEGIN}\nnew figures\n${END}\n\nafter\n`,
    );
    expect(() => withBenchReport("# Performance\n", "new", "doc.md")).toThrow(
      `doc.md lacks the ${BEGIN} … ${END} markers`,
    );
    const shipped = readFileSync(join(ROOT, "docs", "performance.md"), "utf8");
    expect(shipped.indexOf(BEGIN)).toBeGreaterThan(0);
    expect(shipped.indexOf(END)).toBeGreaterThan(shipped.indexOf(BEGIN));
  });
});

describe("npm run bench: the environments of the scale rows", () => {
  const example = readFileSync(join(ROOT, "environments", "example.yaml"), "utf8");

  it("are valid environments with the sides asked for, on ranges of their own", () => {
    const config = parseConfig(sidesEnvironment(example, 3), "sides-3.yaml");
    expect(config.mode).toBe("hybrid");
    if (config.mode !== "hybrid") return;
    const sides = applicationSidesOf(config);
    expect(sides.map((side) => side.name)).toEqual(["side0", "side1", "side2"]);
    expect(sides.map((side) => side.cloud.network.subnetCidr)).toEqual([
      "10.128.0.0/24",
      "10.129.0.0/24",
      "10.130.0.0/24",
    ]);
    expect(new Set(sides.map((side) => side.cloud.asn)).size).toBe(3);
  });

  it(`take 1 to ${MAX_SIDES} sides`, () => {
    expect(() => sidesEnvironment(example, 0)).toThrow("1 to 128 sides, not 0");
    expect(() => sidesEnvironment(example, MAX_SIDES + 1)).toThrow("1 to 128 sides, not 129");
  });
});
