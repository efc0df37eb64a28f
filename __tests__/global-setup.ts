import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { SYNTH_CACHE_ENV, SYNTH_NAMES } from "./helpers/environments";
import { SYNTH_BUNDLE_ENV } from "./helpers/synth-process";

/** Processes that synthesize in parallel: the machines this runs on have two cores. */
const PROCESSES = 2;

/**
 * One process synthesizing `names` into `dir`. Through `-e`, not as the main module: main.ts
 * runs the app when it is `require.main`.
 */
function synthesize(bundle: string, dir: string, names: readonly string[]): Promise<void> {
  const code = `require(${JSON.stringify(bundle)}).synthesizeInto(process.argv[1], process.argv.slice(2))`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", code, dir, ...names], {
      stdio: ["ignore", "inherit", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`synthesis failed (${String(code)}):\n${stderr}`)),
    );
  });
}

/**
 * Synthesize every test environment once per run, split over two processes (cdktf's synthesis
 * is CPU-bound and single-threaded); workers inherit the directory's path.
 */
export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "hybrid-synth-"));
  // Inside the project, so the bundle's external packages resolve from node_modules.
  const script = join(
    __dirname,
    "..",
    "node_modules",
    ".cache",
    "hybrid-registry",
    `synth-names-${process.pid}.cjs`,
  );
  buildSync({
    entryPoints: [join(__dirname, "helpers", "synth-names.ts")],
    outfile: script,
    bundle: true,
    packages: "external",
    platform: "node",
    target: "node20",
    format: "cjs",
    logLevel: "warning",
    // helpers/config.ts finds the repository from its own folder, not the bundle's.
    define: { __dirname: JSON.stringify(join(__dirname, "helpers")) },
  });
  // Interleaved, so each process gets a share of the slow hybrid environments.
  const shares = Array.from({ length: PROCESSES }, (_, index) =>
    SYNTH_NAMES.filter((__, position) => position % PROCESSES === index),
  );
  try {
    await Promise.all(shares.map((names) => synthesize(script, dir, names)));
  } catch (error) {
    rmSync(script, { force: true });
    throw error;
  }
  process.env[SYNTH_CACHE_ENV] = dir;
  // Kept for tests that synthesize configs of their own (helpers/synth-process.ts).
  process.env[SYNTH_BUNDLE_ENV] = script;
}
