/**
 * Synthesis of configs a test builds itself, in a separate Node process running the global
 * setup's bundle: cdktf and the providers load there natively, several times faster than
 * through jest's module system (measured: 2.3 s for the first in-jest synthesis, 0.8 s in a
 * process).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Config } from "../../lib/config/schema";
import type { StackJson } from "./json";

/**
 * What a synthesizing child process runs first: V8's code cache for cdktf and the bindings, as
 * `npm run synth` uses it (scripts/code-cache.cjs), so loading them costs less in every test
 * process after the first run.
 */
export const CODE_CACHE_PRELUDE = `require(${JSON.stringify(
  join(__dirname, "..", "..", "scripts", "code-cache.cjs"),
)}).installCodeCache(${JSON.stringify(
  join(__dirname, "..", "..", "node_modules", ".cache", "hybrid-registry", "v8-code-cache"),
)});`;

/** Environment variable naming the bundle of helpers/synth-names.ts the global setup built. */
export const SYNTH_BUNDLE_ENV = "HYBRID_SYNTH_BUNDLE";

/** Each config's stacks (by name), synthesized in one child process, in order. */
export function synthesizeInProcess(configs: readonly Config[]): Array<Record<string, StackJson>> {
  const bundle = process.env[SYNTH_BUNDLE_ENV];
  if (!bundle) throw new Error(`${SYNTH_BUNDLE_ENV} is not set: run the tests through jest`);
  const dir = mkdtempSync(join(tmpdir(), "hybrid-synth-configs-"));
  try {
    const input = join(dir, "configs.json");
    const output = join(dir, "stacks.json");
    writeFileSync(input, JSON.stringify(configs));
    const code = `${CODE_CACHE_PRELUDE}require(${JSON.stringify(bundle)}).synthesizeConfigsFile(process.argv[1], process.argv[2])`;
    const result = spawnSync(process.execPath, ["-e", code, input, output], { encoding: "utf8" });
    if (result.status !== 0)
      throw new Error(`synthesis failed (${String(result.status)}):\n${result.stderr}`);
    return JSON.parse(readFileSync(output, "utf8")) as Array<Record<string, StackJson>>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A test file's own configs, by name, synthesized together in one process the first time the
 * returned function is called (a process per config would load cdktf once per config).
 */
export function synthesizedOnce<Name extends string>(
  configs: () => Record<Name, Config>,
): () => Record<Name, Record<string, StackJson>> {
  let synthesized: Record<Name, Record<string, StackJson>> | undefined;
  return () => {
    if (synthesized) return synthesized;
    const named = Object.entries<Config>(configs());
    const stacks = synthesizeInProcess(named.map(([, config]) => config));
    synthesized = Object.fromEntries(named.map(([name], index) => [name, stacks[index]])) as Record<
      Name,
      Record<string, StackJson>
    >;
    return synthesized;
  };
}
