import { HOURS_PER_MONTH, PRICES, TYPICAL_MINUTES } from "./price-table";

type Json = Record<string, unknown>;

/** One synthesized stack, as Terraform JSON. */
export interface EstimatedStackJson {
  readonly resource?: Record<string, Record<string, Json>>;
  readonly provider?: Record<string, Json[]>;
}

/**
 * The stack's kubernetes providers that reach GKE (configured with a control-plane host, not
 * a kubeconfig), as resources name them (`kubernetes.<alias>`, or "" for the default one).
 */
function gkeProvidersOf(stack: EstimatedStackJson): Set<string> {
  return new Set(
    (stack.provider?.kubernetes ?? [])
      .filter((provider) => provider.host !== undefined)
      .map((provider) => (provider.alias ? `kubernetes.${String(provider.alias)}` : "")),
  );
}

/** A billable item of a stack and its monthly list price. */
export interface BillableItem {
  readonly what: string;
  readonly quantity: string;
  /** USD per month; undefined when the price table does not know it. */
  readonly monthly?: number;
}

export interface StackEstimate {
  readonly stack: string;
  readonly items: readonly BillableItem[];
  readonly monthly: number;
  /** Typical minutes for a first deploy (the longest chain of slow resources). */
  readonly deployMinutes: number;
}

const GKE_INTERNAL_LB = "networking.gke.io/load-balancer-type";

function all(stack: EstimatedStackJson, type: string): Json[] {
  return Object.values(stack.resource?.[type] ?? {});
}

const literal = (value: unknown): value is string =>
  typeof value === "string" && !value.includes("${");

function nodeItems(pool: Json): BillableItem[] {
  const config = (pool.node_config as Json | undefined) ?? {};
  const autoscaling = pool.autoscaling as Json | undefined;
  const nodes = Number(pool.node_count ?? autoscaling?.min_node_count ?? 1);
  const machine = String(config.machine_type ?? "e2-medium");
  const hourly = PRICES.machineHour[machine];
  const diskType = String(config.disk_type ?? "pd-balanced");
  const diskGb = Number(config.disk_size_gb ?? 100);
  const diskPrice = PRICES.diskGbMonth[diskType];
  return [
    {
      what: `${machine} nodes (${String(pool.name)})`,
      quantity: autoscaling ? `${nodes} (autoscaling minimum)` : String(nodes),
      monthly: hourly === undefined ? undefined : nodes * hourly * HOURS_PER_MONTH,
    },
    {
      what: `${diskType} boot disks`,
      quantity: `${nodes} × ${diskGb} GB`,
      monthly: diskPrice === undefined ? undefined : nodes * diskGb * diskPrice,
    },
  ];
}

/** Claims on GKE get persistent disks; elsewhere the storage is the cluster owner's. */
function claimItems(
  stack: EstimatedStackJson,
  onGke: (provider: unknown) => boolean,
): BillableItem[] {
  return all(stack, "kubernetes_persistent_volume_claim_v1")
    .filter((claim) => onGke(claim.provider))
    .map((claim) => {
      const size = String(
        (((claim.spec as Json).resources as Json).requests as Json).storage ?? "0",
      );
      const gb = Number(/^(\d+)Gi$/.exec(size)?.[1] ?? 0) * (2 ** 30 / 1e9);
      return {
        what: `pd-balanced volume (${String((claim.metadata as Json).name)})`,
        quantity: size,
        monthly: gb * PRICES.diskGbMonth["pd-balanced"],
      };
    });
}

/**
 * Billable resources of each stack at list prices, and a typical first-deploy time, read from
 * the synthesized stacks. Workloads on GKE are billed through the clusters' nodes; their load
 * balancers and disks are counted when the stack runs them on GKE.
 */
export function estimateOf(stacks: Readonly<Record<string, EstimatedStackJson>>): StackEstimate[] {
  return Object.entries(stacks).map(([name, stack]) => {
    const gkeProviders = gkeProvidersOf(stack);
    const monthly = (hours: number) => hours * HOURS_PER_MONTH;
    const items: BillableItem[] = [];
    const tunnels = all(stack, "google_compute_vpn_tunnel").length;
    if (tunnels > 0) {
      items.push({
        what: "HA VPN tunnels",
        quantity: String(tunnels),
        monthly: monthly(tunnels * PRICES.vpnTunnelHour),
      });
    }
    const clusters = all(stack, "google_container_cluster").length;
    if (clusters > 0) {
      items.push({
        what: "GKE cluster management",
        quantity: String(clusters),
        monthly: monthly(clusters * PRICES.gkeClusterHour),
      });
    }
    const pools = all(stack, "google_container_node_pool");
    for (const pool of pools) items.push(...nodeItems(pool));
    const nodes = pools.reduce((sum, pool) => sum + Number(pool.node_count ?? 1), 0);
    if (all(stack, "google_compute_router_nat").length > 0) {
      items.push({
        what: "Cloud NAT (per node using it)",
        quantity: String(Math.max(nodes, 1)),
        monthly: monthly(Math.max(nodes, 1) * PRICES.natVmHour),
      });
    }
    const zones = all(stack, "google_dns_managed_zone").length;
    if (zones > 0)
      items.push({
        what: "Cloud DNS private zone",
        quantity: String(zones),
        monthly: zones * PRICES.dnsZoneMonth,
      });
    const secrets = all(stack, "google_secret_manager_secret_version").length;
    if (secrets > 0)
      items.push({
        what: "Secret Manager versions",
        quantity: String(secrets),
        monthly: secrets * PRICES.secretVersionMonth,
      });
    const onGke = (provider: unknown) => gkeProviders.has(String(provider ?? ""));
    const internalLbs = all(stack, "kubernetes_service_v1").filter(
      (service) =>
        onGke(service.provider) &&
        literal(
          (((service.metadata as Json).annotations as Json | undefined) ?? {})[GKE_INTERNAL_LB],
        ),
    ).length;
    if (internalLbs > 0) {
      items.push({
        what: "internal load balancer forwarding rules",
        quantity: String(internalLbs),
        monthly: monthly(internalLbs * PRICES.forwardingRuleHour),
      });
    }
    items.push(...claimItems(stack, onGke));
    if (all(stack, "google_artifact_registry_repository").length > 0) {
      items.push({
        what: "Artifact Registry storage",
        quantity: "per GB stored ($0.10/GB-month past 0.5 GB)",
      });
    }
    const minutes = deployMinutes(
      stack,
      clusters > 0,
      tunnels > 0,
      internalLbs + all(stack, "kubernetes_deployment_v1").length > 0,
    );
    return {
      stack: name,
      items,
      monthly: items.reduce((sum, item) => sum + (item.monthly ?? 0), 0),
      deployMinutes: minutes,
    };
  });
}

function deployMinutes(
  stack: EstimatedStackJson,
  cluster: boolean,
  vpn: boolean,
  workloads: boolean,
): number {
  const t = TYPICAL_MINUTES;
  const apis = all(stack, "google_project_service").length > 0 ? t.apis : 0;
  const gke = cluster
    ? t.cluster + t.nodePool + (all(stack, "time_sleep").length > 0 ? t.iamWait : 0)
    : 0;
  const network =
    all(stack, "google_compute_network").length > 0
      ? t.network + (vpn ? t.vpn : 0)
      : vpn
        ? t.vpn
        : 0;
  const dns = all(stack, "google_dns_managed_zone").length > 0 ? t.dns : 0;
  return apis + Math.max(gke, network, dns) + (workloads ? t.registryRollout : 0);
}
