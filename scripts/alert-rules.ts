/**
 * Writes docs/prometheus-rules.yaml: the registry's alert rules for a Prometheus of your own
 * (npm run alert-rules); a unit test keeps the file current.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startTool } from "../lib/cli/command-line";
import { documentedPrometheusRules } from "../lib/monitoring/documented-rules";

const USAGE = `usage: npm run alert-rules

Writes docs/prometheus-rules.yaml: the registry's alert rules (with their runbooks) for a
Prometheus of your own. Run it after changing lib/monitoring; a test fails while the file is
out of date.`;

startTool({ command: "npm run alert-rules", usage: USAGE, flags: {} }, () => {
  writeFileSync(
    join(__dirname, "..", "docs", "prometheus-rules.yaml"),
    documentedPrometheusRules(),
  );
  console.log("wrote docs/prometheus-rules.yaml");
  return 0;
});
