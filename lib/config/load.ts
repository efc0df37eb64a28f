import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { configSchema, type Config } from "./schema";
import { semanticView } from "./semantic-view";
import { semanticProblems, type ConfigProblem } from "./validate";

/** The environment used when HYBRID_CONFIG is not set. */
export const DEFAULT_CONFIG_PATH = "environments/example.yaml";

/** Raised for every unusable environment file; carries all problems at once. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(formatProblems(source, problems));
    this.name = "ConfigError";
  }
}

function formatProblems(source: string, problems: readonly ConfigProblem[]): string {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  const lines = problems.map((p) => {
    const value = p.value === undefined ? "" : ` (got ${JSON.stringify(p.value)})`;
    return `  - ${p.path || "<root>"}: ${p.message}${value}\n    hint: ${p.hint}`;
  });
  return `Invalid configuration in ${source} (${count}):\n${lines.join("\n")}`;
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
    "renamed to app.pullThroughCache.storageSize: the cache now lives on a PersistentVolumeClaim of that size (see README, Upgrading)",
  ],
]);

function schemaProblem(issue: z.core.$ZodIssue, input: unknown): ConfigProblem[] {
  const path = issue.path.map(String);
  const value = valueAt(input, issue.path);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => {
        const keyPath = [...path, key].join(".");
        return {
          path: keyPath,
          value: undefined,
          message: "is not a known setting",
          hint:
            RETIRED_SETTINGS.get(keyPath) ??
            "check the spelling against environments/schema.json (your editor can complete it)",
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
          hint: "see environments/schema.json and the README's configuration reference",
        },
      ];
  }
}

/** Parse and validate already-read YAML text; `source` names it in messages. */
export function parseConfig(text: string, source: string): Config {
  const yamlProblem = (message: string): ConfigProblem => ({
    path: "",
    value: undefined,
    message: `is not valid YAML: ${message}`,
    hint: "fix the YAML syntax at the reported line",
  });
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new ConfigError(
      source,
      // The first line carries the position ("... at line 3, column 1:"); the rest is a snippet.
      document.errors.map((error) => yamlProblem(error.message.split("\n")[0].replace(/:$/, ""))),
    );
  }
  let input: unknown;
  try {
    // Unresolved aliases and alias bombs only surface when the document is converted.
    input = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError(source, [
      yamlProblem(error instanceof Error ? error.message : String(error)),
    ]);
  }
  // Schema and cross-field problems are reported together: the cross-field rules run on every
  // part of the file that is valid on its own.
  const parsed = configSchema.safeParse(input);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.flatMap((issue) => schemaProblem(issue, input))),
    ...semanticProblems(semanticView(input)),
  ];
  if (problems.length > 0 || !parsed.success) throw new ConfigError(source, problems);
  return parsed.data;
}

/** Read, parse and validate an environment file. */
export function loadConfig(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new ConfigError(path, [
      {
        path: "",
        value: undefined,
        message: "cannot be read",
        hint: "set HYBRID_CONFIG to an existing environment file, e.g. environments/example.yaml",
      },
    ]);
  }
  return parseConfig(text, path);
}
