import { writeFileSync } from "node:fs";
import { z } from "zod";
import { configSchema } from "./schema";

/** Where the editor schema lives; environment files point at it with a yaml-language-server comment. */
export const JSON_SCHEMA_PATH = "environments/schema.json";

/** The JSON Schema of an environment file as an editor sees it (input side: defaults optional). */
export function renderConfigJsonSchema(): string {
  const schema = z.toJSONSchema(configSchema, { io: "input", target: "draft-2020-12" });
  return `${JSON.stringify({ ...schema, title: "hybrid-registry environment" }, null, 2)}\n`;
}

// `npm run schema` regenerates the checked-in file.
if (require.main === module) {
  writeFileSync(JSON_SCHEMA_PATH, renderConfigJsonSchema());
  console.log(`wrote ${JSON_SCHEMA_PATH}`);
}
