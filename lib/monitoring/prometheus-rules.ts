import { stringify } from "yaml";
import type { AlertRule } from "./alert-rules";

/** Go duration in seconds (`300s`) as Prometheus writes it (`5m`). */
function prometheusDuration(duration: string): string {
  const seconds = Number(/^(\d+)s$/.exec(duration)?.[1]);
  if (!Number.isInteger(seconds)) throw new Error(`not a duration in seconds: ${duration}`);
  if (seconds === 0) return "0s";
  return seconds % 60 === 0 ? `${String(seconds / 60)}m` : `${String(seconds)}s`;
}

/**
 * The alert rules as a Prometheus rule file (https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/),
 * the same queries the Cloud Monitoring policies evaluate: for a Prometheus of your own.
 */
export function renderPrometheusRules(rules: readonly AlertRule[], header?: string): string {
  const document = {
    groups: [
      {
        name: "hybrid_registry",
        rules: rules.map((rule) => ({
          alert: rule.id.replace(/-/g, "_"),
          expr: rule.query,
          for: prometheusDuration(rule.duration),
          labels: { severity: rule.severity.toLowerCase() },
          annotations: { summary: rule.displayName, description: rule.documentation },
        })),
      },
    ],
  };
  return `${header ? header.replace(/^/gm, "# ") + "\n" : ""}${stringify(document, { lineWidth: 0 })}`;
}
