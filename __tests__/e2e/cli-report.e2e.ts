/**
 * The app's report for a bad environment as a shell user gets it: through a pipe, larger than
 * a pipe buffer, whole, with exit code 1 and nothing written.
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/cli-report.e2e.ts`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { rawEnvironment, ROOT } from "../helpers/config";
import { cleanupTempDirs, makeTempDir } from "./support/tools";

describe("the CLI's report through a pipe", () => {
  afterAll(() => cleanupTempDirs());

  it("arrives whole when it is larger than a pipe buffer (64 KiB)", () => {
    const dir = makeTempDir("pipe-");
    const unknown = Object.fromEntries(
      Array.from({ length: 1500 }, (_, i) => [`unknownSetting${i}${"z".repeat(40)}`, i]),
    );
    const file = join(dir, "env.yaml");
    writeFileSync(file, stringify({ ...rawEnvironment("environments/example.yaml"), ...unknown }));
    // Through a shell pipe into cat, as `npm run synth 2>&1 | less` would.
    const result = spawnSync("sh", ["-c", `node scripts/synth.cjs 2>&1 | cat`], {
      cwd: ROOT,
      env: { ...process.env, HYBRID_CONFIG: file, CDKTF_OUTDIR: join(dir, "out") },
      encoding: "utf8",
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(result.stdout.length).toBeGreaterThan(64 * 1024);
    expect(result.stdout).toContain("(1500 problems)");
    expect(result.stdout.match(/^ {4}hint: /gm)).toHaveLength(1500);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });
});
