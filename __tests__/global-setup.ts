import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configOf, SYNTH_CACHE_ENV, SYNTH_NAMES } from "./helpers/environments";
import { synthAll } from "./helpers/synth";

/** Synthesize every test environment once per run; workers inherit the directory's path. */
export default function globalSetup(): void {
  const dir = mkdtempSync(join(tmpdir(), "hybrid-synth-"));
  for (const name of SYNTH_NAMES) {
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(synthAll(configOf(name))));
  }
  process.env[SYNTH_CACHE_ENV] = dir;
}
