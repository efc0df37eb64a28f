import { writeFileSync } from "node:fs";
import { z } from "zod";
import { renderConfigReference, type SchemaNode } from "./reference";
import { configSchema } from "./schema";

/** Where the editor schema lives; environment files point at it with a yaml-language-server comment. */
const JSON_SCHEMA_PATH = "environments/schema.json";

/** The generated field reference. */
const REFERENCE_PATH = "docs/configuration.md";

function configJsonSchema(): SchemaNode & Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: "input", target: "draft-2020-12" }) as SchemaNode &
    Record<string, unknown>;
}

/** The JSON Schema of an environment file as an editor sees it (input side: defaults optional). */
export function renderConfigJsonSchema(): string {
  return `${JSON.stringify({ ...configJsonSchema(), title: "hybrid-registry environment" }, null, 2)}\n`;
}

/** docs/configuration.md: one row per field, from the same schema. */
export function renderConfigReferenceDoc(): string {
  return renderConfigReference(configJsonSchema());
}

// `npm run schema` regenerates the checked-in file.
if (require.main === module) {
  writeFileSync(JSON_SCHEMA_PATH, renderConfigJsonSchema());
  writeFileSync(REFERENCE_PATH, renderConfigReferenceDoc());
  console.log(`wrote ${JSON_SCHEMA_PATH} and ${REFERENCE_PATH}`);
}
