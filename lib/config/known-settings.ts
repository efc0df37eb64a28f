import { z } from "zod";
import { configSchema } from "./schema";

type JsonNode = Record<string, unknown>;

function isNode(value: unknown): value is JsonNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A node and every branch of its unions, flattened. */
function variants(node: unknown): JsonNode[] {
  if (!isNode(node)) return [];
  const branches = ["oneOf", "anyOf", "allOf"].flatMap((key) =>
    Array.isArray(node[key]) ? (node[key] as unknown[]) : [],
  );
  return [node, ...branches.flatMap(variants)];
}

let schema: JsonNode | undefined;

/**
 * The setting names valid inside the object at `path` (segments of a dotted path; list indexes
 * as numbers or digit strings), over every variant of the unions on the way.
 */
export function knownSettingsAt(path: readonly string[]): string[] {
  schema ??= z.toJSONSchema(configSchema, { io: "input" }) as JsonNode;
  let nodes = variants(schema);
  for (const segment of path) {
    nodes = nodes.flatMap((node) => {
      if (/^\d+$/.test(segment) && isNode(node.items)) return variants(node.items);
      const properties = node.properties;
      return isNode(properties) ? variants(properties[segment]) : [];
    });
  }
  const names = nodes.flatMap((node) =>
    isNode(node.properties) ? Object.keys(node.properties) : [],
  );
  return [...new Set(names)];
}
