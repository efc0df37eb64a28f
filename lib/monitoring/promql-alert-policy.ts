import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { MonitoringAlertPolicy } from "@cdktf/provider-google/lib/monitoring-alert-policy";
import type { AlertRule } from "./alert-rules";

export interface PromqlAlertPolicyProps {
  readonly rule: AlertRule;
  /** @default the provider's project */
  readonly project?: string;
  /** Full names (`projects/<p>/notificationChannels/<id>`). */
  readonly notificationChannels: readonly string[];
  /** @default none */
  readonly dependsOn?: ITerraformDependable[];
}

/** One Cloud Monitoring alert policy evaluating a PromQL rule. */
export class PromqlAlertPolicy extends Construct {
  public readonly policy: MonitoringAlertPolicy;

  constructor(scope: Construct, id: string, props: PromqlAlertPolicyProps) {
    super(scope, id);
    const { rule } = props;
    this.policy = new MonitoringAlertPolicy(this, "policy", {
      project: props.project,
      displayName: `hybrid-registry: ${rule.displayName}`,
      combiner: "OR",
      severity: rule.severity,
      notificationChannels: [...props.notificationChannels],
      documentation: { content: rule.documentation, mimeType: "text/markdown" },
      userLabels: { "part-of": "hybrid-registry" },
      conditions: [
        {
          displayName: rule.displayName,
          conditionPrometheusQueryLanguage: {
            query: rule.query,
            duration: rule.duration,
            evaluationInterval: "60s",
            alertRule: rule.id.replace(/-/g, "_"),
            ruleGroup: "hybrid_registry",
            // The registry's metrics exist only once workloads is deployed.
            disableMetricValidation: true,
          },
        },
      ],
      dependsOn: props.dependsOn,
    });
  }
}
