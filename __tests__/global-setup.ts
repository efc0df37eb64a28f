import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { join, relative } from "node:path";
import { buildSync, version as esbuildVersion } from "esbuild";
import { SYNTH_CACHE_ENV, SYNTH_NAMES } from "./helpers/environments";
import { CODE_CACHE_PRELUDE, SYNTH_BUNDLE_ENV } from "./helpers/synth-process";

/** Processes that synthesize in parallel: the machines this runs on have two cores. */
const PROCESSES = 2;

/**
 * One process synthesizing `names` into `dir`. Through `-e`, not as the main module: main.ts
 * runs the app when it is `require.main`.
 */
function synthesize(bundle: string, dir: string, names: readonly string[]): Promise<void> {
  const code = `${CODE_CACHE_PRELUDE}require(${JSON.stringify(bundle)}).synthesizeInto(process.argv[1], process.argv.slice(2))`;
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

const ROOT = join(__dirname, "..");
/** Kept between runs: the variants of an unchanged tree are not synthesized again. */
const CACHE = join(ROOT, "node_modules", ".cache", "hybrid-registry");

/** Every file whose content can change what the variants synthesize to, or how. */
const INPUTS = [
  "main.ts",
  "lib",
  "stacks",
  "environments",
  "examples",
  "scripts/code-cache.cjs",
  "__tests__/helpers",
  "__tests__/fixtures",
  "package-lock.json",
];

/** A digest of the inputs' paths and contents, esbuild's version and Node's. */
function inputsDigest(): string {
  const hash = createHash("sha256").update(`${esbuildVersion}\0${process.version}\0`);
  const files = INPUTS.flatMap((input) => {
    const path = join(ROOT, input);
    return statSync(path).isDirectory()
      ? readdirSync(path, { recursive: true, encoding: "utf8" }).map((file) => join(path, file))
      : [path];
  })
    .filter((file) => statSync(file).isFile())
    .sort();
  for (const file of files) hash.update(`${relative(ROOT, file)}\0`).update(readFileSync(file));
  return hash.digest("hex").slice(0, 24);
}

/**
 * Synthesize every test environment once per tree, split over two processes (cdktf's
 * synthesis is CPU-bound and single-threaded), into a folder named after a digest of every
 * input (sources, variants, fixtures, package versions): an unchanged tree reuses it, any
 * change synthesizes anew. Workers inherit the folder's path.
 */
export default async function globalSetup(): Promise<void> {
  const digest = inputsDigest();
  const dir = join(CACHE, `variants-${digest}`);
  // Inside the project, so the bundle's external packages resolve from node_modules.
  const script = join(CACHE, `synth-names-${digest}.cjs`);
  process.env[SYNTH_CACHE_ENV] = dir;
  // Kept for tests that synthesize configs of their own (helpers/synth-process.ts).
  process.env[SYNTH_BUNDLE_ENV] = script;
  if (existsSync(dir) && existsSync(script)) return;
  mkdirSync(CACHE, { recursive: true });
  // Older trees' variants and bundles go; then this tree's are built under names of their own
  // and renamed, so a concurrent run never reads half of them.
  for (const entry of readdirSync(CACHE)) {
    const path = join(CACHE, entry);
    const older =
      (/^(variants|synth-names)-[0-9a-f]{24}/.test(entry) && !entry.includes(digest)) ||
      // Named by process id before the digest (a run killed before its teardown left them).
      /^synth-names-\d+\.cjs$/.test(entry);
    // A partial folder an hour old belongs to a run that was killed.
    const abandoned =
      entry.startsWith("partial-variants-") && Date.now() - statSync(path).mtimeMs > 3_600_000;
    if (older || abandoned) rmSync(path, { recursive: true, force: true });
  }
  const partialScript = `${script}.${String(process.pid)}.partial`;
  buildSync({
    entryPoints: [join(__dirname, "helpers", "synth-names.ts")],
    outfile: partialScript,
    bundle: true,
    packages: "external",
    platform: "node",
    target: "node20",
    format: "cjs",
    logLevel: "warning",
    // helpers/config.ts finds the repository from its own folder, not the bundle's.
    define: { __dirname: JSON.stringify(join(__dirname, "helpers")) },
  });
  renameSync(partialScript, script);
  const partialDir = mkdtempSync(join(CACHE, `partial-variants-`));
  // Interleaved, so each process gets a share of the slow hybrid environments.
  const shares = Array.from({ length: PROCESSES }, (_, index) =>
    SYNTH_NAMES.filter((__, position) => position % PROCESSES === index),
  );
  try {
    await Promise.all(shares.map((names) => synthesize(script, partialDir, names)));
    renameSync(partialDir, dir);
  } catch (error) {
    rmSync(partialDir, { recursive: true, force: true });
    // Another run of the same tree finished first: its folder is as good as ours.
    if (!existsSync(dir)) throw error;
  }
}
