/**
 * scripts/code-cache.cjs: modules compile with V8's cached data of an earlier run, and a
 * changed module never runs from a stale entry. Each case is a real Node process.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./helpers/config";

describe("the synthesis's V8 code cache", () => {
  const dir = mkdtempSync(join(tmpdir(), "hybrid-code-cache-"));
  const cacheDir = join(dir, "cache");
  const moduleFile = join(dir, "answer.cjs");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Load `moduleFile` with the cache installed; what it exports, and the cache's entries. */
  const load = () => {
    const code = [
      `require(${JSON.stringify(join(ROOT, "scripts", "code-cache.cjs"))}).installCodeCache(${JSON.stringify(cacheDir)});`,
      `const loaded = require(${JSON.stringify(moduleFile)});`,
      "process.stdout.write(JSON.stringify({ answer: loaded.answer(), resolved: loaded.resolved }));",
    ].join("\n");
    const result = spawnSync(process.execPath, ["-e", code], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(result.stderr);
    const entries = (() => {
      try {
        return readdirSync(cacheDir).sort();
      } catch {
        return [];
      }
    })();
    return { exports: JSON.parse(result.stdout) as unknown, entries };
  };

  it("writes an entry on the first run, reads it on the next, and runs the module the same", () => {
    writeFileSync(
      moduleFile,
      'exports.answer = () => 41 + 1;\nexports.resolved = require.resolve("node:path");\n',
    );
    const first = load();
    expect(first.exports).toEqual({ answer: 42, resolved: "node:path" });
    expect(first.entries).toHaveLength(1);
    const second = load();
    expect(second).toEqual(first);
  });

  it("never runs a changed module from the entry of its earlier content", () => {
    writeFileSync(moduleFile, 'exports.answer = () => 7;\nexports.resolved = "changed";\n');
    // Even with the old modification time, the size differs; with the same size, the time does.
    utimesSync(moduleFile, new Date(), new Date(Date.now() + 5000));
    expect(load().exports).toEqual({ answer: 7, resolved: "changed" });
  });
});
