/**
 * `npm run schema`: regenerates the checked-in editor schema and configuration reference from
 * the config schema (lib/config/schema.ts); a test fails while either is out of date.
 */
import { writeFileSync } from "node:fs";
import { startTool } from "../lib/cli/command-line";
import {
  JSON_SCHEMA_PATH,
  REFERENCE_PATH,
  renderConfigJsonSchema,
  renderConfigReferenceDoc,
} from "../lib/config/json-schema";

const USAGE = `usage: npm run schema

Writes ${JSON_SCHEMA_PATH} (the JSON Schema editors use for environment files) and
${REFERENCE_PATH} (the configuration reference) from the config schema. Run it after
changing lib/config; a test fails while either file is out of date.`;

startTool({ command: "npm run schema", usage: USAGE, flags: {} }, () => {
  writeFileSync(JSON_SCHEMA_PATH, renderConfigJsonSchema());
  writeFileSync(REFERENCE_PATH, renderConfigReferenceDoc());
  console.log(`wrote ${JSON_SCHEMA_PATH} and ${REFERENCE_PATH}`);
  return 0;
});
