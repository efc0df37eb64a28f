import type { AlertRule } from "./alert-rules";

/**
 * Namespace, Deployment and scrape job of the pull-through cache, as the application workloads
 * create them (stacks/application-workloads.ts; __tests__/monitoring.test.ts checks they agree).
 */
export const CACHE_NAME = "registry-cache";
/** The cache's data claim: RegistryStorage names it `<name>-data`. */
export const CACHE_CLAIM = `${CACHE_NAME}-data`;
/** The cache pod's volume of that claim (RegistryStorage). */
const DATA_VOLUME = "data";

/**
 * Where the volume's fill comes from:
 * - `gke`: GKE's system metric `kubernetes.io/pod/volume/utilization` (system metrics are on
 *   by default and free, https://cloud.google.com/monitoring/api/metrics_kubernetes), as the
 *   registry's storage alert uses;
 * - `kubelet`: the kubelet's `kubelet_volume_stats_*` per claim, which any Prometheus that
 *   scrapes the kubelets has (kube-prometheus-stack does; on GKE, managed collection's
 *   optional Kubelet package,
 *   https://cloud.google.com/kubernetes-engine/docs/how-to/cadvisor-kubelet-metrics).
 */
export type VolumeMetrics = "gke" | "kubelet";

export interface CacheAlertRuleProps {
  /** @default CACHE_NAME */
  readonly namespace?: string;
  /** Scrape job of the cache (the PodMonitoring's name). @default CACHE_NAME */
  readonly job?: string;
  /** The cache's claim. @default CACHE_CLAIM */
  readonly claim?: string;
  /** Used share of the cache's volume above which to alert (0-1). */
  readonly storageUtilization: number;
  readonly volumeMetrics: VolumeMetrics;
  /**
   * GKE cluster of the cache: a metrics scope may hold several sides' clusters (sides may
   * share a project), each with its own cache.
   * @default any cluster (a Prometheus of one cluster)
   */
  readonly cluster?: string;
  /**
   * Whether "cache down" is wanted: it reads the scrape's `up`, which exists only where the
   * cache is scraped.
   * @default true
   */
  readonly scraped?: boolean;
}

/** The pull-through cache: scraped at all, room for what it caches. */
export function cacheAlertRules(props: CacheAlertRuleProps): AlertRule[] {
  const namespace = props.namespace ?? CACHE_NAME;
  const claim = props.claim ?? CACHE_CLAIM;
  const ratio = String(props.storageUtilization);
  const percent = String(props.storageUtilization * 100);
  // Managed Service for Prometheus labels series with `cluster`; GKE system metrics' k8s_pod
  // resource with `cluster_name`.
  const inCluster = (label: string) => (props.cluster ? `,${label}="${props.cluster}"` : "");
  const target = `namespace="${namespace}",job="${props.job ?? CACHE_NAME}"${inCluster("cluster")}`;
  const volume = `namespace="${namespace}",persistentvolumeclaim="${claim}"${inCluster("cluster")}`;
  const fill =
    props.volumeMetrics === "gke"
      ? `max(kubernetes_io:pod_volume_utilization{monitored_resource="k8s_pod"${inCluster("cluster_name")},namespace_name="${namespace}",volume_name="${DATA_VOLUME}"})`
      : `max(1 - kubelet_volume_stats_available_bytes{${volume}} / kubelet_volume_stats_capacity_bytes{${volume}})`;
  const down: AlertRule = {
    id: "cache-down",
    displayName: "Pull-through cache down",
    query: `max(up{${target}}) < 1 or absent(up{${target}})`,
    duration: "300s",
    severity: "CRITICAL",
    documentation: `The pull-through cache has not answered its metrics scrape for 5 minutes: nodes pulling images through it cannot start a pod whose image is not already on the node. Check \`kubectl -n ${namespace} get pods,pvc\` (a pod pending on its claim, a full volume) and docs/troubleshooting.md.`,
  };
  const storage: AlertRule = {
    id: "cache-storage",
    displayName: "Pull-through cache storage filling up",
    query: `${fill} > ${ratio}`,
    duration: "900s",
    severity: "WARNING",
    documentation: `The pull-through cache's volume (claim ${claim}) is more than ${percent}% full: once full, pulls through the cache get cut-off layers. Grow app.pullThroughCache.storageSize (in place where the storage class allows volume expansion) or shorten app.pullThroughCache.ttl; cached content can always be fetched again from the registry.`,
  };
  return [...((props.scraped ?? true) ? [down] : []), storage];
}
