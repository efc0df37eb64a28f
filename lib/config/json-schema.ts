import { z } from "zod";
import { renderConfigReference, type SchemaNode } from "./reference";
import { configSchema } from "./schema";

/** Where the editor schema lives; environment files point at it with a yaml-language-server comment. */
export const JSON_SCHEMA_PATH = "environments/schema.json";

/** The generated field reference. */
export const REFERENCE_PATH = "docs/configuration.md";

type JsonNode = Record<string, unknown>;

function isNode(value: unknown): value is JsonNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The property every branch fixes with a `const` (zod's discriminator), if there is one. */
function discriminatorOf(branches: readonly unknown[]): string | undefined {
  const [first] = branches;
  if (!isNode(first) || !isNode(first.properties)) return undefined;
  return Object.keys(first.properties).find((key) =>
    branches.every(
      (branch) =>
        isNode(branch) &&
        isNode(branch.properties) &&
        isNode(branch.properties[key]) &&
        "const" in branch.properties[key],
    ),
  );
}

/**
 * A discriminated union as `if`/`then` on its discriminator instead of `oneOf`: with `oneOf`
 * an editor reports every branch's errors (seventeen for one typo in a standalone file); with
 * `if`/`then` only those of the branch the file chose.
 */
export function discriminatedAsIfThen(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(discriminatedAsIfThen);
  if (!isNode(node)) return node;
  const converted = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, discriminatedAsIfThen(value)]),
  );
  const branches = converted.oneOf;
  const key = Array.isArray(branches) ? discriminatorOf(branches) : undefined;
  if (!Array.isArray(branches) || key === undefined) return converted;
  const rest = { ...converted };
  delete rest.oneOf;
  const values = branches.map((branch) => ((branch as JsonNode).properties as JsonNode)[key]);
  return {
    ...rest,
    type: "object",
    properties: { [key]: { enum: values.map((value) => (value as JsonNode).const) } },
    required: [key],
    allOf: branches.map((branch, i) => ({
      if: { properties: { [key]: values[i] }, required: [key] },
      then: branch,
    })),
  };
}

function configJsonSchema(): SchemaNode & Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: "input", target: "draft-2020-12" }) as SchemaNode &
    Record<string, unknown>;
}

/** The JSON Schema of an environment file as an editor sees it (input side: defaults optional). */
export function renderConfigJsonSchema(): string {
  const schema = discriminatedAsIfThen(configJsonSchema()) as JsonNode;
  return `${JSON.stringify({ ...schema, title: "hybrid-registry environment" }, null, 2)}\n`;
}

/** docs/configuration.md: one row per field, from the same schema. */
export function renderConfigReferenceDoc(): string {
  return renderConfigReference(configJsonSchema());
}
