/**
 * What the alert policies watch, as PromQL: Cloud Monitoring evaluates it for the Google side
 * (conditionPrometheusQueryLanguage), and any Prometheus can use the same rules (docs/operations.md,
 * "Metrics and alerts"). Google's own metrics appear in PromQL as `<domain>:<path>` with dots
 * and slashes as underscores, e.g. `vpn.googleapis.com/tunnel_established` →
 * `vpn_googleapis_com:tunnel_established`, with `monitored_resource` naming the resource type
 * (https://cloud.google.com/monitoring/promql/promql-mapping).
 */

export type AlertSeverity = "CRITICAL" | "ERROR" | "WARNING";

export interface AlertRule {
  /** Construct id and Prometheus alert name. */
  readonly id: string;
  readonly displayName: string;
  readonly query: string;
  /** How long the query must hold before the alert fires (Go duration, seconds). */
  readonly duration: string;
  readonly severity: AlertSeverity;
  /** What it means and what to do, shown in the notification. */
  readonly documentation: string;
}

export interface RegistryAlertRuleProps {
  /** Namespace of the registry's pods. */
  readonly namespace: string;
  /** Scrape job of the registry (the PodMonitoring's name). */
  readonly job: string;
  /** Share of requests answered 5xx above which to alert (0-1). */
  readonly serverErrorRatio: number;
  /** Used share of the data volume above which to alert (0-1). */
  readonly storageUtilization: number;
}

/** The registry's health: scraped at all, answering without server errors, room to grow. */
export function registryAlertRules(props: RegistryAlertRuleProps): AlertRule[] {
  const target = `namespace="${props.namespace}",job="${props.job}"`;
  const requests = `registry_http_requests_total{namespace="${props.namespace}"`;
  return [
    {
      id: "registry-down",
      displayName: "Registry down",
      query: `max(up{${target}}) < 1 or absent(up{${target}})`,
      duration: "300s",
      severity: "CRITICAL",
      documentation:
        "The registry has not answered its metrics scrape for 5 minutes: no new pod whose image is not already on its node can start. Check `kubectl -n " +
        props.namespace +
        " get pods` and docs/troubleshooting.md.",
    },
    {
      id: "registry-server-errors",
      displayName: "Registry 5xx rate",
      query: `sum(rate(${requests},code=~"5.."}[5m])) / sum(rate(${requests}}[5m])) > ${String(props.serverErrorRatio)}`,
      duration: "600s",
      severity: "ERROR",
      documentation: `More than ${String(props.serverErrorRatio * 100)}% of the registry's requests failed with a server error for 10 minutes: check its logs (storage errors, a full volume).`,
    },
    {
      id: "registry-storage",
      displayName: "Registry storage filling up",
      query: `max(kubernetes_io:pod_volume_utilization{monitored_resource="k8s_pod",namespace_name="${props.namespace}",volume_name="data"}) > ${String(props.storageUtilization)}`,
      duration: "900s",
      severity: "WARNING",
      documentation: `The registry's volume is more than ${String(props.storageUtilization * 100)}% full: grow registry.storage.size (in place) or let garbage collection reclaim space (registry.garbageCollection.deleteUntagged).`,
    },
  ];
}

/** What renews a certificate and what moves its alert's threshold, for the runbook. */
export interface CertificateRunbook {
  /** The stack that issues the certificate. */
  readonly issuedBy: string;
  /** The stack that serves it (its pods get the new certificate on apply). */
  readonly servedBy: string;
  /** The stack holding this alert: its threshold moves when that stack is applied. */
  readonly alertIn: string;
}

/**
 * Fires once the clock passes the start of the certificate's renewal window and stays until
 * the stack holding the alert is applied after the renewal (its threshold is read from the
 * issuing stack's state at plan time, so nothing else moves it).
 */
export function certificateAlertRule(
  renewalStartUnix: string,
  label: string,
  runbook: CertificateRunbook,
): AlertRule {
  return {
    id: "certificate-renewal",
    displayName: `${label} due for renewal`,
    query: `vector(time()) > ${renewalStartUnix}`,
    duration: "0s",
    severity: "WARNING",
    documentation: `The ${label} has entered its renewal window: before it expires, plan and apply ${runbook.issuedBy} (issues the new certificate), then ${runbook.servedBy} (serves it), then ${runbook.alertIn} (moves this alert's threshold: the alert stays until then). docs/operations.md, "Certificate renewal".`,
  };
}

/** Names of one VPN link's tunnels and BGP peers, both ends, as RE2 patterns. */
export interface VpnAlertRuleProps {
  readonly tunnels: string;
  readonly bgpPeers: string;
}

/**
 * One HA VPN link: every tunnel established and every BGP session up. The metrics scope may
 * hold other links' tunnels (the on-prem project, which every side's reverse tunnels are in,
 * joins one side's scope; sides may share a project), so each query keeps to this link's
 * names. PromQL label matchers `=~` are fully anchored RE2
 * (https://prometheus.io/docs/prometheus/latest/querying/basics/#time-series-selectors).
 */
export function vpnAlertRules(link: VpnAlertRuleProps): AlertRule[] {
  return [
    {
      id: "vpn-tunnel-down",
      displayName: "VPN tunnel down",
      query: `min by (tunnel_name) (vpn_googleapis_com:tunnel_established{monitored_resource="vpn_gateway",tunnel_name=~"${link.tunnels}"}) < 1`,
      duration: "300s",
      severity: "ERROR",
      documentation:
        "An HA VPN tunnel has been down for 5 minutes: the link runs on the remaining tunnels without redundancy. Check the peer and `gcloud compute vpn-tunnels describe`.",
    },
    {
      id: "bgp-session-down",
      displayName: "BGP session down",
      query: `min by (bgp_peer_name) (router_googleapis_com:bgp_session_up{monitored_resource="gce_router",bgp_peer_name=~"${link.bgpPeers}"}) < 1`,
      duration: "300s",
      severity: "ERROR",
      documentation:
        "A Cloud Router BGP session has been down for 5 minutes: routes over its tunnel are withdrawn. Check `gcloud compute routers get-status`.",
    },
  ];
}
