/**
 * What the synthesis processes run (the global setup's, and tests' through synth-process.ts):
 * cdktf and the providers load natively there, several times faster than through jest.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Config } from "../../lib/config/schema";
import { join } from "node:path";
import { configOf, type SynthName } from "./environments";
import { synthAll, synthesizeApp } from "./synth";

export function synthesizeInto(dir: string, names: readonly SynthName[]): void {
  for (const name of names) {
    const { stacks, dependencies } = synthesizeApp(configOf(name));
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(stacks));
    writeFileSync(join(dir, `${name}.dependencies.json`), JSON.stringify(dependencies));
  }
}

/** The configs in the JSON file `input`, synthesized into the JSON file `output` (same order). */
export function synthesizeConfigsFile(input: string, output: string): void {
  const configs = JSON.parse(readFileSync(input, "utf8")) as Config[];
  writeFileSync(output, JSON.stringify(configs.map((config) => synthAll(config))));
}
