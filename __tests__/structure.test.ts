/**
 * The code's shape (issue 24): no import cycle (type imports included) and a configuration
 * core that no concept leaks into. Function length is eslint's max-lines-per-function
 * (eslint.config.mjs), checked by `npm run lint`. Imports are read with a regular expression
 * over the sources: every relative `import`/`export ... from` and `require()`.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ROOT } from "./helpers/config";

const SOURCE_ROOTS = ["lib", "stacks", "scripts", "main.ts"];

function sourceFiles(path: string): string[] {
  if (statSync(path).isFile()) return /\.(ts|cjs)$/.test(path) ? [path] : [];
  return readdirSync(path).flatMap((name) => sourceFiles(join(path, name)));
}

interface SourceFile {
  readonly path: string;
  /** Relative imports (and re-exports), resolved to files; type-only ones included. */
  readonly imports: string[];
}

function resolveImport(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  return [`${base}.ts`, `${base}.cjs`, join(base, "index.ts"), base].find(
    (candidate) => existsSync(candidate) && statSync(candidate).isFile(),
  );
}

/** `from "./x"` (import, import type, export ... from) and `require("./x")`. */
const RELATIVE_IMPORT = /(?:\bfrom\s*|\brequire\(\s*)["'](\.{1,2}\/[^"']+)["']/g;

function read(path: string): SourceFile {
  const text = readFileSync(path, "utf8");
  const imports = [...text.matchAll(RELATIVE_IMPORT)]
    .map((match) => resolveImport(path, match[1]))
    .filter((target): target is string => target !== undefined);
  return { path, imports };
}

const files = SOURCE_ROOTS.flatMap((root) => sourceFiles(join(ROOT, root))).map(read);

/** Strongly connected components of more than one file (Tarjan), as sorted relative paths. */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const connect = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file) ?? 0);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      component.push(relative(ROOT, member));
      if (member === file) break;
    }
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) connect(file);
  return cycles;
}

describe("the code's structure", () => {
  it("reads every source file", () => {
    expect(files.length).toBeGreaterThan(100);
    // And their imports: main.ts alone imports the stacks and the config loader.
    const main = files.find((file) => file.path === join(ROOT, "main.ts"));
    expect(main?.imports).toEqual(
      expect.arrayContaining([
        join(ROOT, "stacks", "workloads.ts"),
        join(ROOT, "lib", "config", "load.ts"),
      ]),
    );
    expect(files.reduce((count, file) => count + file.imports.length, 0)).toBeGreaterThan(500);
  });

  it("has no circular import, type imports included", () => {
    const graph = new Map(files.map((file) => [file.path, file.imports]));
    expect(importCycles(graph)).toEqual([]);
  });

  it("finds a cycle when there is one (the check itself)", () => {
    const graph = new Map([
      [join(ROOT, "a.ts"), [join(ROOT, "b.ts")]],
      [join(ROOT, "b.ts"), [join(ROOT, "c.ts")]],
      [join(ROOT, "c.ts"), [join(ROOT, "a.ts")]],
      [join(ROOT, "d.ts"), [join(ROOT, "a.ts")]],
    ]);
    expect(importCycles(graph)).toEqual([["a.ts", "b.ts", "c.ts"]]);
  });

  it("keeps the configuration core free of the concepts (they use it, it uses none of them)", () => {
    const core = join(ROOT, "lib", "config", "core");
    const leaks = files
      .filter((file) => file.path.startsWith(core))
      .flatMap((file) =>
        file.imports
          .filter((target) => target.startsWith(join(ROOT, "lib", "config")))
          .filter((target) => !target.startsWith(core))
          .map((target) => `${relative(ROOT, file.path)} -> ${relative(ROOT, target)}`),
      );
    expect(leaks).toEqual([]);
  });
});
