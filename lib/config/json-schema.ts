import { z } from "zod";
import {
  referenceRows,
  renderConfigReference,
  type ReferenceRow,
  type SchemaNode,
} from "./reference";
import { configSchema } from "./schema";
import { SIDE_NAME } from "./sides/schema";

/** Where the editor schema lives; environment files point at it with a yaml-language-server comment. */
export const JSON_SCHEMA_PATH = "environments/schema.json";

/** The generated field reference. */
export const REFERENCE_PATH = "docs/configuration.md";

/** The editor schema's identity, the same whatever path or URL a file loads it from. */
export const JSON_SCHEMA_ID = "urn:hybrid-registry:environment";
export const JSON_SCHEMA_TITLE = "hybrid-registry environment";

type JsonNode = Record<string, unknown>;

function isNode(value: unknown): value is JsonNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Messages for the patterns whose zod schema reports only the raw expression: a record key
 * checked by the record's own error, and z.email's built-in check.
 */
const PATTERN_MESSAGES = new Map([
  [
    SIDE_NAME.source,
    "is not a side name: start with a letter, then a-z, 0-9 and '-', at most 20 characters",
  ],
  [z.regexes.email.source, "must be an email address such as platform@example.com"],
]);

/**
 * What an editor says when a value fails `pattern` (yaml-language-server and VS Code show
 * `patternErrorMessage` instead of the expression): the message zod itself gives a value the
 * pattern rejects, so the editor and `npm run synth` say the same.
 */
function patternErrorMessage(schema: z.core.$ZodType, pattern: string): string {
  const regex = new RegExp(pattern, "u");
  const sample = ["!", ""].find((candidate) => !regex.test(candidate));
  const issues = sample === undefined ? [] : (z.safeParse(schema, sample).error?.issues ?? []);
  const issue =
    issues.find((i) => i.code === "invalid_format" && i.format === "regex") ??
    issues.find((i) => i.code === "custom");
  const message =
    issue && !issue.message.includes(pattern) ? issue.message : PATTERN_MESSAGES.get(pattern);
  if (message === undefined) {
    throw new Error(`no message for the pattern ${pattern}: give its .regex() a message`);
  }
  return message.charAt(0).toUpperCase() + message.slice(1);
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
  const nodes = branches as JsonNode[];
  const values = nodes.map((branch) => (branch.properties as JsonNode)[key] as JsonNode);
  const descriptions = nodes.map((branch) => branch.description);
  return {
    ...rest,
    type: "object",
    properties: {
      [key]: {
        ...(typeof rest.description === "string" ? { description: rest.description } : {}),
        enum: values.map((value) => value.const),
        // Shown beside each value an editor offers (yaml-language-server, VS Code).
        ...(descriptions.every((text) => typeof text === "string")
          ? { enumDescriptions: descriptions }
          : {}),
      },
    },
    required: [key],
    allOf: nodes.map((branch, i) => ({
      if: { properties: { [key]: values[i] }, required: [key] },
      // The `if` checks the discriminator: a `const` here too would be offered a second time.
      then: { ...branch, properties: { ...(branch.properties as JsonNode), [key]: true } },
    })),
  };
}

/** "Nodes per zone. @default 1" as "Nodes per zone. Default: 1". */
function editorDescription(text: string): string {
  const match = /^(.*?)\s*@default (.*)$/.exec(text);
  if (!match) return text;
  const [, lead, value] = match;
  if (!lead) return `Default: ${value}`;
  return `${/[.!?]$/.test(lead) ? lead : `${lead}.`} Default: ${value}`;
}

/** Keywords whose values are data, not schemas: left as they are. */
const DATA_KEYWORDS = new Set(["const", "enum", "enumDescriptions"]);

/**
 * What an editor offers, without the reference's conventions: no `{}` default (offered as a
 * "Default value" that inserts an empty object, which leaving the key out already means) and
 * "Default: ..." for the `@default` tag in descriptions.
 */
function forEditors(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forEditors);
  if (!isNode(node)) return node;
  const out: JsonNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "default") {
      if (JSON.stringify(value) !== "{}") out[key] = value;
    } else if (key === "description" && typeof value === "string") {
      out[key] = editorDescription(value);
    } else if (key === "properties" && isNode(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [name, forEditors(child)]),
      );
    } else out[key] = DATA_KEYWORDS.has(key) ? value : forEditors(value);
  }
  return out;
}

function configJsonSchema(): SchemaNode & Record<string, unknown> {
  return z.toJSONSchema(configSchema, {
    io: "input",
    target: "draft-2020-12",
    override: ({ zodSchema, jsonSchema }) => {
      if (typeof jsonSchema.pattern === "string") {
        jsonSchema.patternErrorMessage = patternErrorMessage(zodSchema, jsonSchema.pattern);
      }
    },
  }) as SchemaNode & Record<string, unknown>;
}

/** The JSON Schema of an environment file as an editor sees it (input side: defaults optional). */
export function renderConfigJsonSchema(): string {
  const { $schema, description, ...schema } = forEditors(
    discriminatedAsIfThen(configJsonSchema()),
  ) as JsonNode;
  const head = { $schema, $id: JSON_SCHEMA_ID, title: JSON_SCHEMA_TITLE, description };
  return `${JSON.stringify({ ...head, ...schema }, null, 2)}\n`;
}

/** docs/configuration.md: one section per top-level key, one row per field, from the same schema. */
export function renderConfigReferenceDoc(): string {
  return renderConfigReference({
    ...configJsonSchema(),
    $id: JSON_SCHEMA_ID,
    title: JSON_SCHEMA_TITLE,
  });
}

/** The reference's rows, for checking them against what the schema accepts. */
export function configReferenceRows(): ReferenceRow[] {
  return referenceRows(configJsonSchema());
}
