import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { environmentNameOfFile, resolveBackend } from "./backend/environment";
import { resolveWorkspaceSetup } from "./backend/workspace-setup";
import { configSchema, type Config, type ParsedConfig } from "./schema";
import { escapeUnsafe, shownText, shownValue } from "./core/display";
import {
  boundInput,
  flowNestingDepth,
  isUnder,
  MAX_ALIAS_COUNT,
  MAX_FILE_BYTES,
  MAX_FLOW_NESTING,
} from "./core/input-bounds";
import { nearestName } from "./core/key-suggestion";
import { knownSettingsAt } from "./known-settings";
import { repairedSemanticView, semanticView, skippedSections } from "./semantic-view";
import { positionOf } from "./core/source-position";
import type { ConfigProblem } from "./core/problem";
import { semanticProblems } from "./validate";

/** The environment used when HYBRID_CONFIG is not set. */
export const DEFAULT_CONFIG_PATH = "environments/example.yaml";

/** Raised for every unusable environment file; carries all problems at once. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
    /** Sections whose cross-field rules could not run because they are invalid. */
    readonly skipped: readonly string[] = [],
  ) {
    super(formatProblems(source, problems, skipped));
    this.name = "ConfigError";
  }
}

function formatProblems(
  source: string,
  problems: readonly ConfigProblem[],
  skipped: readonly string[],
): string {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  // Paths hold keys from the file and messages may quote it: both are escaped and bounded.
  const lines = problems.map((p) => {
    const value = p.value === undefined ? "" : ` (got ${shownValue(p.value)})`;
    const path = p.path ? shownText(p.path, 200) : "<root>";
    const where = p.position ? `, at line ${p.position.line}, column ${p.position.column}` : "";
    return `  - ${path}: ${escapeUnsafe(p.message)}${value}${where}\n    hint: ${escapeUnsafe(p.hint)}`;
  });
  const note =
    skipped.length > 0
      ? `\n  Not checked yet: the cross-field rules that need ${skipped.map((path) => shownText(path, 100)).join(", ")} (invalid above) run once those are fixed.`
      : "";
  return `Invalid configuration in ${shownText(source, 300)} (${count}):\n${lines.join("\n")}${note}`;
}

const TYPE_NAMES: Record<string, string> = {
  int: "an integer",
  object: "an object",
  array: "a list",
};

function typeName(expected: string): string {
  return TYPE_NAMES[expected] ?? `a ${expected}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Settings that were renamed or removed, by path: the hint says what to write instead. */
const RETIRED_SETTINGS: ReadonlyMap<string, string> = new Map([
  [
    "app.pullThroughCache.storageLimit",
    "renamed to app.pullThroughCache.storageSize: the cache now lives on a PersistentVolumeClaim of that size (see docs/operations.md, Upgrading)",
  ],
]);

function schemaProblem(issue: z.core.$ZodIssue, input: unknown): ConfigProblem[] {
  const path = issue.path.map(String);
  const value = valueAt(input, issue.path);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => {
        const keyPath = [...path, key].join(".");
        const known = knownSettingsAt(path);
        // A name that is valid in another variant (another `type` or `mode`) is not a typo.
        const otherVariant = known.includes(key);
        const nearest = otherVariant ? undefined : nearestName(key, known);
        return {
          path: keyPath,
          value: undefined,
          message: "is not a known setting",
          hint:
            RETIRED_SETTINGS.get(keyPath) ??
            (otherVariant
              ? `${key} belongs to another variant of ${path.join(".") || "the file"} (another type or mode): remove it or change the type`
              : nearest
                ? `did you mean ${[...path, nearest].join(".")}?`
                : "check the spelling against environments/schema.json (your editor can complete it)"),
        };
      });
    case "invalid_type":
      return [
        value === undefined
          ? {
              path: path.join("."),
              value: undefined,
              message: issue.message.startsWith("is required") ? issue.message : "is required",
              hint: `add it as ${typeName(issue.expected)}`,
            }
          : {
              path: path.join("."),
              value,
              message: `must be ${typeName(issue.expected)}`,
              hint: "see environments/schema.json for the expected type",
            },
      ];
    case "invalid_union":
      return [
        {
          path: path.join("."),
          value,
          message:
            "options" in issue && Array.isArray(issue.options)
              ? `must be one of ${issue.options.map((v) => JSON.stringify(v)).join(", ")}`
              : "matches none of the allowed shapes",
          hint: "see environments/schema.json for the allowed values",
        },
      ];
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const relation = issue.code === "too_small" ? "at least" : "at most";
      const unit =
        issue.origin === "array" ? " item(s)" : issue.origin === "string" ? " character(s)" : "";
      return [
        {
          path: path.join("."),
          value,
          message: `must ${issue.origin === "array" ? "list" : "be"} ${relation} ${String(bound)}${unit}`,
          hint: "see docs/configuration.md for the allowed values",
        },
      ];
    }
    case "invalid_value":
      return [
        {
          path: path.join("."),
          value,
          message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`,
          hint: "pick one of the listed values",
        },
      ];
    default:
      return [
        {
          path: path.join("."),
          value,
          message: issue.message,
          hint: "see environments/schema.json and docs/configuration.md",
        },
      ];
  }
}

function fileProblem(message: string, hint: string): ConfigProblem {
  return { path: "", value: undefined, message, hint };
}

function yamlProblem(message: string): ConfigProblem {
  return fileProblem(
    `is not valid YAML: ${shownText(message, 200)}`,
    "fix the YAML syntax at the reported line",
  );
}

/**
 * Cross-field problems inside sections the strict view had to skip for one invalid setting:
 * found on the section with its invalid settings left out, kept only where they are about none
 * of those settings (neither at nor naming them), so every fault is in the one report.
 */
function repairedSectionProblems(
  input: unknown,
  view: ReturnType<typeof semanticView>,
  known: readonly ConfigProblem[],
): ConfigProblem[] {
  const skipped = skippedSections(input, view);
  if (skipped.length === 0) return [];
  const { view: repairedView, repaired } = repairedSemanticView(input);
  const seen = new Set(known.map((problem) => `${problem.path}\0${problem.message}`));
  return semanticProblems(repairedView).filter(
    (problem) =>
      skipped.some((section) => isUnder(problem.path, section)) &&
      !repaired.some(
        (left) =>
          isUnder(problem.path, left) ||
          problem.message.includes(left) ||
          (problem.hint ?? "").includes(left),
      ) &&
      !seen.has(`${problem.path}\0${problem.message}`),
  );
}

/** Parse and validate already-read YAML text; `source` names it in messages. */
export function parseConfig(text: string, source: string): Config {
  if (flowNestingDepth(text) > MAX_FLOW_NESTING) {
    throw new ConfigError(source, [
      fileProblem(
        `nests [ ] or { } deeper than ${MAX_FLOW_NESTING} levels`,
        "an environment file is a few levels deep; see environments/example.yaml",
      ),
    ]);
  }
  const lineCounter = new LineCounter();
  // Warnings (e.g. a list used as a key, stringified) would go to the process's warning
  // channel; the schema reports such keys as unknown settings instead.
  const document = parseDocument(text, { lineCounter, logLevel: "error" });
  if (document.errors.length > 0) {
    throw new ConfigError(
      source,
      // The first line carries the position ("... at line 3, column 1:"); the rest is a snippet.
      document.errors.map((error) => yamlProblem(error.message.split("\n")[0].replace(/:$/, ""))),
    );
  }
  let parsed: unknown;
  try {
    // Unresolved aliases and alias bombs only surface when the document is converted.
    parsed = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new ConfigError(source, [
      yamlProblem(error instanceof Error ? error.message : String(error)),
    ]);
  }
  // Cycles, deep nesting and huge strings are replaced before any rule sees them.
  const bounded = boundInput(parsed);
  const input = bounded.input;
  const reported = (problem: ConfigProblem) =>
    !bounded.replacedPaths.some((replaced) => isUnder(problem.path, replaced));
  // Schema and cross-field problems are reported together: the cross-field rules run on every
  // part of the file that is valid on its own.
  const result = configSchema.safeParse(input);
  const view = semanticView(input);
  const crossFieldProblems = semanticProblems(view);
  const problems = [
    ...bounded.problems,
    ...(result.success
      ? []
      : result.error.issues.flatMap((issue) => schemaProblem(issue, input)).filter(reported)),
    ...crossFieldProblems.filter(reported),
    ...(result.success
      ? []
      : repairedSectionProblems(input, view, crossFieldProblems).filter(reported)),
  ];
  if (problems.length > 0 || !result.success) {
    throw new ConfigError(
      source,
      problems.map((problem) => ({
        ...problem,
        position: problem.position ?? positionOf(document, lineCounter, problem.path),
      })),
      skippedSections(input, view),
    );
  }
  return withEnvironment(result.data, source);
}

/** The environment's name and its state locations, decided once the file is valid. */
function withEnvironment(parsed: ParsedConfig, source: string): Config {
  const named = parsed.environment;
  const environment = named ?? environmentNameOfFile(source);
  const backend = resolveBackend(parsed.backend, named);
  const workspaceSetup =
    backend.type === "cloud"
      ? resolveWorkspaceSetup(parsed.backend, backend.workspacePrefix, environment, named)
      : undefined;
  return {
    ...parsed,
    environment,
    environmentNamed: named !== undefined,
    backend,
    ...(workspaceSetup ? { workspaceSetup } : {}),
  };
}

function notRegular(path: string, absolute: string): ConfigError {
  return new ConfigError(path, [
    fileProblem(
      `is not a regular file: ${shownText(absolute, 300)}`,
      "point HYBRID_CONFIG at a YAML file, not a directory, device or pipe",
    ),
  ]);
}

/**
 * The file's text, refused unless it is an existing regular file of at most MAX_FILE_BYTES: a
 * FIFO would block, `/dev/zero` never ends, and a huge file is not an environment.
 */
function readEnvironmentText(path: string): string {
  const absolute = resolve(path);
  let fd: number;
  try {
    // Opening a FIFO blocks until a writer comes: look before opening.
    if (!statSync(path).isFile()) throw notRegular(path, absolute);
    fd = openSync(path, "r");
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(path, [
      code === "ENOENT"
        ? fileProblem(
            `not found: ${shownText(absolute, 300)}`,
            "set HYBRID_CONFIG to an existing environment file, e.g. environments/example.yaml (the default)",
          )
        : fileProblem(
            `cannot be read (${code ?? "error"}): ${shownText(absolute, 300)}`,
            "check the file's permissions, or set HYBRID_CONFIG to another environment file",
          ),
    ]);
  }
  try {
    if (!fstatSync(fd).isFile()) throw notRegular(path, absolute);
    // Read one byte past the limit: a file that grows while it is read is caught as well.
    const buffer = Buffer.alloc(MAX_FILE_BYTES + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) {
      n = readSync(fd, buffer, length, buffer.length - length, null);
    }
    if (length > MAX_FILE_BYTES) {
      throw new ConfigError(path, [
        fileProblem(
          `is larger than ${MAX_FILE_BYTES / 1024} KiB`,
          "an environment file is a few kilobytes; check that HYBRID_CONFIG names the right file",
        ),
      ]);
    }
    return buffer.subarray(0, length).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** Read, parse and validate an environment file. */
export function loadConfig(path: string): Config {
  return parseConfig(readEnvironmentText(path), path);
}

/**
 * The environment a command-line tool runs on (HYBRID_CONFIG, or the default file), or
 * undefined after its report went to stderr with exit code 1: a clear report, no stack trace.
 * exitCode, not exit(): a report written to a pipe must be flushed whole before the end.
 */
export function loadEnvironmentOrReport(
  path = process.env.HYBRID_CONFIG ?? DEFAULT_CONFIG_PATH,
): Config | undefined {
  try {
    return loadConfig(path);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exitCode = 1;
    return undefined;
  }
}
