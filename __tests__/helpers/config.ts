import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { parseConfig } from "../../lib/config/load";
import type { CloudSection, Config } from "../../lib/config/schema";

export const ROOT = join(__dirname, "..", "..");

export function readEnvironment(relativePath: string): string {
  return readFileSync(join(ROOT, relativePath), "utf8");
}

export function loadEnvironment(relativePath: string): Config {
  return parseConfig(readEnvironment(relativePath), relativePath);
}

/** Parse a config given as a JS object (tests build variants of the examples this way). */
export function configFrom(input: unknown, source = "test.yaml"): Config {
  return parseConfig(stringify(input), source);
}

/** Raw YAML of an example environment as a plain object, for tests to modify. */
export function rawEnvironment(relativePath: string): Record<string, unknown> {
  return parse(readEnvironment(relativePath));
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep-merge plain objects; arrays and scalars in `patch` replace, `null` deletes. */
export function merge(base: Json, patch: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    if (value === null) delete out[key];
    else out[key] = isRecord(current) && isRecord(value) ? merge(current, value) : value;
  }
  return out;
}

/** The one application side of a `cloud:` form environment. */
export function cloudOf(config: Config): CloudSection {
  if (config.mode !== "hybrid" || !config.cloud) throw new Error("not a cloud: form environment");
  return config.cloud;
}
