"use strict";
/**
 * Runs main.ts fast: esbuild compiles the project's own TypeScript (lib/, stacks/, main.ts)
 * into one CommonJS file on every run (tens of milliseconds) and Node runs it, loading cdktf and
 * the providers from node_modules as usual. Rebuilding each time keeps it correct without any
 * cache to invalidate; type checking stays with `npm run typecheck`.
 */
const { buildSync } = require("esbuild");
const { rmSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
// One file per process, so concurrent runs (parallel tests, two terminals) never share one.
const outfile = join(root, "node_modules", ".cache", "hybrid-registry", `main-${process.pid}.cjs`);
buildSync({
  entryPoints: [join(root, "main.ts")],
  outfile,
  bundle: true,
  packages: "external",
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: "inline",
  logLevel: "warning",
});
try {
  require(outfile).main();
} finally {
  rmSync(outfile, { force: true });
}
