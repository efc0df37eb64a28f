/**
 * What each of the global setup's synthesis processes runs: the named environments into
 * `dir`, one JSON file per name.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { configOf, type SynthName } from "./environments";
import { synthAll } from "./synth";

export function synthesizeInto(dir: string, names: readonly SynthName[]): void {
  for (const name of names) {
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(synthAll(configOf(name))));
  }
}
