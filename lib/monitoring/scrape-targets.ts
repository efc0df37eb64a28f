import { Construct } from "constructs";
import { Fn, Token, type TerraformProvider } from "cdktf";
import { DataKubernetesResources } from "@cdktf/provider-kubernetes/lib/data-kubernetes-resources";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { appLabels } from "../k8s/labels";

/**
 * Name of the registry's scrape configs. Managed Service for Prometheus labels the series with
 * the PodMonitoring's name as `job`; the alert rules select on it.
 */
export const REGISTRY_SCRAPE_JOB = "registry";

/** Label of the metrics Service whose value the ServiceMonitor makes the `job`. */
const JOB_LABEL = "hybrid-registry/scrape-job";

/** CRD of Google Cloud Managed Service for Prometheus' per-namespace scrape config. */
export const POD_MONITORING_CRD = "podmonitorings.monitoring.googleapis.com";
/** CRD of the Prometheus operator's Service-based scrape config. */
export const SERVICE_MONITOR_CRD = "servicemonitors.monitoring.coreos.com";

export interface ScrapeTargetsProps {
  /**
   * Kubernetes provider of the cluster.
   * @default the stack's default kubernetes provider
   */
  readonly provider?: TerraformProvider;
  readonly namespace: string;
  /** Name of the scrape configs (GMP uses it as the `job` label) and prefix of the Service. */
  readonly name: string;
  /** Labels of the pods to scrape. */
  readonly podSelector: Readonly<Record<string, string>>;
  /** Container port serving the metrics. */
  readonly port: { readonly name: string; readonly number: number };
  /** @default "/metrics" */
  readonly path?: string;
  /** Scrape interval. @default "30s" */
  readonly interval?: string;
  /** A PodMonitoring where Managed Service for Prometheus is installed. @default true */
  readonly podMonitoring?: boolean;
  /** A ServiceMonitor (and the Service it needs) where the Prometheus operator is. @default true */
  readonly serviceMonitor?: boolean;
  /**
   * Extra labels on the ServiceMonitor: a Prometheus picks only those its
   * `serviceMonitorSelector` matches (kube-prometheus-stack: `release: <its release name>`).
   * @default none
   */
  readonly serviceMonitorLabels?: Readonly<Record<string, string>>;
}

/**
 * Scrape configs for whichever collector the cluster has. A `kubernetes_manifest` of a kind
 * the cluster does not know fails the plan, so each one exists only when its CRD does: a
 * `kubernetes_resources` lookup of the CRD by name (always a known kind) sets its `count`
 * (terraform-provider-kubernetes docs, data-sources/resources: `length(...objects)`). A CRD
 * installed later is picked up by the next apply.
 */
export class ScrapeTargets extends Construct {
  public readonly podMonitoring?: Manifest;
  public readonly serviceMonitor?: Manifest;
  /** The ClusterIP Service a ServiceMonitor selects (only the metrics port). */
  public readonly metricsService?: ServiceV1;

  constructor(scope: Construct, id: string, props: ScrapeTargetsProps) {
    super(scope, id);
    const { provider, namespace, name } = props;
    const labels = appLabels(name, "metrics");
    const endpoint = {
      port: props.port.name,
      path: props.path ?? "/metrics",
      interval: props.interval ?? "30s",
    };
    const installed = (crdId: string, crd: string) =>
      Token.asNumber(
        Fn.lengthOf(
          new DataKubernetesResources(this, crdId, {
            provider,
            apiVersion: "apiextensions.k8s.io/v1",
            kind: "CustomResourceDefinition",
            fieldSelector: `metadata.name=${crd}`,
          }).objects,
        ),
      );
    if (props.podMonitoring ?? true) {
      this.podMonitoring = new Manifest(this, "pod-monitoring", {
        provider,
        count: installed("pod-monitoring-crd", POD_MONITORING_CRD),
        manifest: {
          apiVersion: "monitoring.googleapis.com/v1",
          kind: "PodMonitoring",
          metadata: { name, namespace, labels },
          spec: { selector: { matchLabels: { ...props.podSelector } }, endpoints: [endpoint] },
        },
      });
    }
    if (props.serviceMonitor ?? true) {
      this.metricsService = new ServiceV1(this, "service", {
        provider,
        // The operator names the job after the Service unless jobLabel names a label of it:
        // the same `job` as the PodMonitoring's, so one set of rules fits both collectors.
        metadata: { name: `${name}-metrics`, namespace, labels: { ...labels, [JOB_LABEL]: name } },
        spec: {
          type: "ClusterIP",
          selector: { ...props.podSelector },
          port: [{ name: props.port.name, port: props.port.number, targetPort: props.port.name }],
        },
      });
      this.serviceMonitor = new Manifest(this, "service-monitor", {
        provider,
        count: installed("service-monitor-crd", SERVICE_MONITOR_CRD),
        manifest: {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "ServiceMonitor",
          metadata: { name, namespace, labels: { ...labels, ...props.serviceMonitorLabels } },
          spec: { selector: { matchLabels: labels }, jobLabel: JOB_LABEL, endpoints: [endpoint] },
        },
      });
    }
  }
}
