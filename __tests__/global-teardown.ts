import { rmSync } from "node:fs";
import { SYNTH_CACHE_ENV } from "./helpers/environments";
import { SYNTH_BUNDLE_ENV } from "./helpers/synth-process";

export default function globalTeardown(): void {
  for (const path of [process.env[SYNTH_CACHE_ENV], process.env[SYNTH_BUNDLE_ENV]]) {
    if (path) rmSync(path, { recursive: true, force: true });
  }
}
