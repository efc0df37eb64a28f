/**
 * The code's shape (issue 24): no import cycle (type imports included), no function longer
 * than a reader can take in at once, and a configuration core that no concept leaks into.
 * Read from the sources with the TypeScript parser; nothing is compiled or run.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import * as ts from "typescript";
import { ROOT } from "./helpers/config";

/** About what fits on a screen and a half; the "about 120 lines". */
const MAX_FUNCTION_LINES = 120;

const SOURCE_ROOTS = ["lib", "stacks", "scripts", "main.ts"];

function sourceFiles(path: string): string[] {
  if (statSync(path).isFile()) return /\.(ts|cjs)$/.test(path) ? [path] : [];
  return readdirSync(path).flatMap((name) => sourceFiles(join(path, name)));
}

interface SourceFile {
  readonly path: string;
  /** Relative imports (and re-exports), resolved to files; type-only ones included. */
  readonly imports: string[];
  /** `<path>:<line> <name> (<n> lines)` for every function over the limit. */
  readonly longFunctions: string[];
}

function resolveImport(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  return [`${base}.ts`, `${base}.cjs`, join(base, "index.ts"), base].find(
    (candidate) => existsSync(candidate) && statSync(candidate).isFile(),
  );
}

function functionName(node: ts.Node): string {
  if (ts.isConstructorDeclaration(node)) return "constructor";
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name !== undefined) {
    return node.name.getText();
  }
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) {
    return parent.name.getText();
  }
  return "(function)";
}

function read(path: string): SourceFile {
  const text = readFileSync(path, "utf8");
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const imports: string[] = [];
  const longFunctions: string[] = [];
  const lineOf = (position: number) => source.getLineAndCharacterOfPosition(position).line + 1;
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier) &&
      node.moduleSpecifier.text.startsWith(".")
    ) {
      const target = resolveImport(path, node.moduleSpecifier.text);
      if (target) imports.push(target);
    }
    if (ts.isFunctionLike(node) && "body" in node && node.body !== undefined) {
      const lines = lineOf(node.getEnd()) - lineOf(node.getStart()) + 1;
      if (lines > MAX_FUNCTION_LINES) {
        longFunctions.push(
          `${relative(ROOT, path)}:${String(lineOf(node.getStart()))} ${functionName(node)} (${String(lines)} lines)`,
        );
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { path, imports, longFunctions };
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

  it(`has no function over ${String(MAX_FUNCTION_LINES)} lines`, () => {
    expect(files.flatMap((file) => file.longFunctions)).toEqual([]);
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
