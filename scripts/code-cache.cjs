"use strict";
/**
 * V8's code cache for the CommonJS modules a synthesis loads (cdktf, constructs, the provider
 * bindings: about 600 modules and 37 MB of JavaScript, most of a synthesis's time). Node 20
 * has no built-in compile cache (module.enableCompileCache came in 22.1), so modules are
 * compiled through vm.Script with the cached data of an earlier run, and the data is written
 * when the process exits: then it holds the functions the run compiled lazily too, which the
 * eager cache of `produceCachedData` (and the v8-compile-cache package) leaves out.
 *
 * Correct when sources or packages change: a module's entry is keyed by its path, size and
 * modification time, Node's and V8's versions and the architecture, so any change reads no
 * entry; V8 also refuses data made for another source (`cachedDataRejected`), which then
 * compiles as usual and is written again.
 */
const Module = require("node:module");
const { createHash } = require("node:crypto");
const { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require("node:fs");
const { dirname, join } = require("node:path");
const vm = require("node:vm");

/** The entry file of a module's cached code, or undefined when the file cannot be read. */
function entryOf(cacheDir, filename) {
  try {
    const { size, mtimeMs } = statSync(filename);
    const key = createHash("sha1")
      .update(
        [filename, size, mtimeMs, process.version, process.versions.v8, process.arch].join("\0"),
      )
      .digest("hex");
    return join(cacheDir, `${key}.bin`);
  } catch {
    return undefined;
  }
}

/** `require` for a module, as Node's own makeRequireFunction builds it. */
function requireFor(module) {
  const require = (id) => module.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, module);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

/** Compile every CommonJS module loaded from now on with the code cache in `cacheDir`. */
function installCodeCache(cacheDir) {
  const compile = Module.prototype._compile;
  const toWrite = [];
  Module.prototype._compile = function compileWithCache(content, filename) {
    const entry = entryOf(cacheDir, filename);
    if (entry === undefined) return compile.call(this, content, filename);
    let cachedData;
    try {
      cachedData = readFileSync(entry);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(Module.wrap(content), {
      filename,
      cachedData,
      // An import() inside the module loads as it would without the cache.
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    if (cachedData === undefined || script.cachedDataRejected) toWrite.push([entry, script]);
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(
      this.exports,
      this.exports,
      requireFor(this),
      this,
      filename,
      dirname(filename),
    );
  };
  process.once("exit", () => {
    if (toWrite.length === 0) return;
    try {
      mkdirSync(cacheDir, { recursive: true });
      for (const [entry, script] of toWrite) {
        // Under a name of its own, then renamed: parallel syntheses never read half a file.
        const partial = `${entry}.${process.pid}.partial`;
        writeFileSync(partial, script.createCachedData());
        renameSync(partial, entry);
      }
    } catch {
      // A cache that cannot be written only costs the next run its speed.
    }
  });
}

module.exports = { installCodeCache };
