/**
 * Writes docs/prometheus-rules.yaml: the registry's alert rules for a Prometheus of your own
 * (npm run alert-rules); a unit test keeps the file current.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { documentedPrometheusRules } from "../lib/monitoring/documented-rules";

writeFileSync(join(__dirname, "..", "docs", "prometheus-rules.yaml"), documentedPrometheusRules());
console.log("wrote docs/prometheus-rules.yaml");
