"use strict";
/**
 * Runs main.ts fast: esbuild compiles the project's own TypeScript (lib/, stacks/, main.ts)
 * into one CommonJS file and Node runs it, loading cdktf and the providers from node_modules
 * as usual; type checking stays with `npm run typecheck`.
 *
 * The bundle is kept under a name made from a digest of everything that goes into it (every
 * source file's path and content, esbuild's version and the build options), so an unchanged
 * tree reuses it and any change builds a new one: there is nothing to invalidate by hand.
 * Starting esbuild and building takes about 0.2 s; digesting the sources a few milliseconds.
 * Modules compile with V8's code cache of earlier runs (./code-cache.cjs).
 */
const { buildSync, version: esbuildVersion } = require("esbuild");
const { createHash } = require("node:crypto");
const { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } = require("node:fs");
const { join, relative } = require("node:path");
const { installCodeCache } = require("./code-cache.cjs");

const root = join(__dirname, "..");
const cacheDir = join(root, "node_modules", ".cache", "hybrid-registry");
/** Where the bundled code comes from: everything else is an external package. */
const SOURCES = ["main.ts", "lib", "stacks"];
const BUILD_OPTIONS = {
  bundle: true,
  packages: "external",
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: "inline",
  logLevel: "warning",
};

/** The TypeScript files of a source entry under `base` (a file, or a folder, recursively). */
function sourceFiles(base, path) {
  const full = join(base, path);
  if (path.endsWith(".ts")) return [full];
  return readdirSync(full, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => join(full, file));
}

/** Digest of the bundle's inputs under `base`: esbuild, its options and every source file. */
function inputsDigest(base = root) {
  const hash = createHash("sha256");
  hash.update(`${esbuildVersion}\0${JSON.stringify(BUILD_OPTIONS)}\0`);
  const files = SOURCES.flatMap((path) => sourceFiles(base, path)).sort();
  for (const file of files) {
    hash.update(`${relative(base, file)}\0`);
    hash.update(readFileSync(file));
    hash.update("\0");
  }
  return hash.digest("hex").slice(0, 24);
}

function bundle() {
  mkdirSync(cacheDir, { recursive: true });
  const outfile = join(cacheDir, `main-${inputsDigest()}.cjs`);
  if (existsSync(outfile)) return outfile;
  // Built under a name of its own, then renamed: a concurrent run never reads half a file.
  const partial = `${outfile}.${process.pid}.partial`;
  buildSync({ ...BUILD_OPTIONS, entryPoints: [join(root, "main.ts")], outfile: partial });
  renameSync(partial, outfile);
  // Older bundles belong to older trees.
  for (const entry of readdirSync(cacheDir)) {
    const path = join(cacheDir, entry);
    if (/^main-[0-9a-f]+\.cjs$/.test(entry) && path !== outfile) rmSync(path, { force: true });
  }
  return outfile;
}

module.exports = { inputsDigest };
if (require.main === module) {
  installCodeCache(join(cacheDir, "v8-code-cache"));
  require(bundle()).main();
}
