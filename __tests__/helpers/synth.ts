import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TerraformStack, Testing } from "cdktf";
import { parse, stringify } from "yaml";
import { buildApp } from "../../main";
import { parseConfig } from "../../lib/config/load";
import type { Config } from "../../lib/config/schema";

export const ROOT = join(__dirname, "..", "..");

/** Synthesized Terraform JSON of one stack. */
export interface StackJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, { value: unknown; sensitive?: boolean; description?: string }>;
  readonly provider?: Record<string, Array<Record<string, unknown>>>;
  readonly terraform: Record<string, unknown>;
}

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

/** Build the app for a config and synthesize each stack to parsed JSON, keyed by stack name. */
export function synthAll(config: Config): Record<string, StackJson> {
  const app = buildApp(Testing.app(), config);
  const stacks = app.node.children.filter((child) => TerraformStack.isStack(child));
  return Object.fromEntries(
    stacks.map((stack) => [stack.node.id, JSON.parse(Testing.synth(stack)) as StackJson]),
  );
}

/** All resources of one type in a stack, as [logical id, body] pairs. */
export function resourcesOf(
  stack: StackJson,
  type: string,
): Array<[string, Record<string, unknown>]> {
  return Object.entries(stack.resource?.[type] ?? {});
}

/** Every string anywhere inside a JSON value. */
export function allStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value && typeof value === "object") return Object.values(value).flatMap(allStrings);
  return [];
}
