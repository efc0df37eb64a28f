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
  /** The Google Cloud regions the stack's resources and providers name literally, sorted. */
  readonly regions: readonly string[];
}

const GKE_INTERNAL_LB = "networking.gke.io/load-balancer-type";

function all(stack: EstimatedStackJson, type: string): Json[] {
  return Object.values(stack.resource?.[type] ?? {});
}

const literal = (value: unknown): value is string =>
  typeof value === "string" && !value.includes("${");

const ZONE = /^([a-z]+-[a-z]+[0-9]+)-[a-z]$/;
const REGION = /^[a-z]+-[a-z]+[0-9]+$/;

/**
 * Zones a regional cluster's nodes span when nothing lists them: "by default, nodes in three
 * zones" (https://cloud.google.com/kubernetes-engine/docs/concepts/regional-clusters).
 */
const REGIONAL_DEFAULT_ZONES = 3;

const listLength = (value: unknown): number | undefined =>
  Array.isArray(value) && value.length > 0 ? value.length : undefined;

/** The cluster a node pool belongs to: by reference (`${google_container_cluster.x.name}`) or name. */
function clusterOf(stack: EstimatedStackJson, pool: Json): Json | undefined {
  const clusters = stack.resource?.google_container_cluster ?? {};
  const ref = /^\$\{google_container_cluster\.([^.}]+)\.(?:name|id)\}$/.exec(String(pool.cluster));
  if (ref) return clusters[ref[1]];
  return Object.values(clusters).find((cluster) => cluster.name === pool.cluster);
}

interface PoolZones {
  readonly zones: number;
  /** How the count was found, when it is not simply the cluster's one zone. */
  readonly note?: string;
}

/**
 * The zones a node pool's nodes are in: its `node_count` and autoscaling bounds are per zone
 * ("The number of nodes per instance group", google_container_node_pool). The pool's own
 * node_locations, else the cluster's (which for a zonal cluster omit the cluster's own zone),
 * else the cluster's location: one zone, or the regional default.
 */
function zonesOf(stack: EstimatedStackJson, pool: Json): PoolZones {
  const poolZones = listLength(pool.node_locations);
  if (poolZones !== undefined) return { zones: poolZones, note: "node_locations" };
  const cluster = clusterOf(stack, pool);
  const location = pool.location ?? cluster?.location;
  const zonal = literal(location) && ZONE.test(location);
  const clusterZones = listLength(cluster?.node_locations);
  if (clusterZones !== undefined) {
    return { zones: clusterZones + (zonal ? 1 : 0), note: "cluster node_locations" };
  }
  if (literal(location) && REGION.test(location)) {
    return { zones: REGIONAL_DEFAULT_ZONES, note: "regional default" };
  }
  return zonal ? { zones: 1 } : { zones: 1, note: "location unknown, 1 zone assumed" };
}

interface PoolNodes {
  readonly nodes: number;
  readonly quantity: string;
}

/** The nodes a pool runs (autoscaling: its minimum), across all its zones. */
function nodesOf(stack: EstimatedStackJson, pool: Json): PoolNodes {
  const autoscaling = pool.autoscaling as Json | undefined;
  const totalMinimum = autoscaling?.total_min_node_count;
  if (totalMinimum !== undefined) {
    const nodes = Number(totalMinimum);
    return { nodes, quantity: `${nodes} (autoscaling total minimum)` };
  }
  const perZone = Number(
    pool.node_count ?? autoscaling?.min_node_count ?? pool.initial_node_count ?? 1,
  );
  const { zones, note } = zonesOf(stack, pool);
  const nodes = perZone * zones;
  const spread =
    zones === 1
      ? note
      : `${perZone} per zone × ${zones} zones${note === undefined ? "" : `, ${note}`}`;
  const parts = [autoscaling ? "autoscaling minimum" : undefined, spread].filter(
    (part): part is string => part !== undefined,
  );
  return { nodes, quantity: parts.length > 0 ? `${nodes} (${parts.join(", ")})` : String(nodes) };
}

function nodeItems(stack: EstimatedStackJson, pool: Json): BillableItem[] {
  const config = (pool.node_config as Json | undefined) ?? {};
  const { nodes, quantity } = nodesOf(stack, pool);
  const machine = String(config.machine_type ?? "e2-medium");
  const hourly = PRICES.machineHour[machine];
  const diskType = String(config.disk_type ?? "pd-balanced");
  const diskGb = Number(config.disk_size_gb ?? 100);
  const diskPrice = PRICES.diskGbMonth[diskType];
  return [
    {
      what: `${machine} nodes (${String(pool.name)})`,
      quantity,
      monthly: hourly === undefined ? undefined : nodes * hourly * HOURS_PER_MONTH,
    },
    {
      what: `${diskType} boot disks`,
      quantity: `${nodes} × ${diskGb} GB`,
      monthly: diskPrice === undefined ? undefined : nodes * diskGb * diskPrice,
    },
  ];
}

/** Source ports of one NAT IP address (1024 to 65535). */
const NAT_PORTS_PER_IP = 64512;

/**
 * External IPv4 addresses a Cloud NAT gateway holds: MANUAL_ONLY, the addresses it lists;
 * AUTO_ONLY (what this project synthesizes), as many as the VMs it serves need for their
 * reserved source ports, at least one (https://cloud.google.com/nat/docs/ports-and-addresses:
 * min_ports_per_vm defaults to 64, or 32 with dynamic port allocation).
 */
function natIpsOf(nat: Json, vms: number): number {
  if (nat.nat_ip_allocate_option === "MANUAL_ONLY") return listLength(nat.nat_ips) ?? 0;
  const portsPerVm = Number(
    nat.min_ports_per_vm ?? (nat.enable_dynamic_port_allocation === true ? 32 : 64),
  );
  return Math.max(1, Math.ceil((vms * portsPerVm) / NAT_PORTS_PER_IP));
}

/** The regions a stack names literally: its google providers' and its resources' regions and locations. */
function regionsOf(stack: EstimatedStackJson): string[] {
  const named: unknown[] = [];
  for (const [type, providers] of Object.entries(stack.provider ?? {})) {
    if (type.startsWith("google")) named.push(...providers.map((provider) => provider.region));
  }
  for (const [type, resources] of Object.entries(stack.resource ?? {})) {
    if (!type.startsWith("google_")) continue;
    for (const resource of Object.values(resources)) named.push(resource.region, resource.location);
  }
  const regions = new Set<string>();
  for (const value of named) {
    if (!literal(value)) continue;
    const region = ZONE.exec(value)?.[1] ?? (REGION.test(value) ? value : undefined);
    if (region !== undefined) regions.add(region);
  }
  return [...regions].sort();
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
    for (const pool of pools) items.push(...nodeItems(stack, pool));
    const nodes = pools.reduce((sum, pool) => sum + nodesOf(stack, pool).nodes, 0);
    const nats = all(stack, "google_compute_router_nat");
    if (nats.length > 0) {
      items.push({
        what: "Cloud NAT (per node using it)",
        quantity: String(Math.max(nodes, 1)),
        monthly: monthly(Math.max(nodes, 1) * PRICES.natVmHour),
      });
      const natIps = nats.reduce((sum, nat) => sum + natIpsOf(nat, nodes), 0);
      if (natIps > 0) {
        items.push({
          what: "Cloud NAT external IPv4 addresses",
          quantity: String(natIps),
          monthly: monthly(natIps * PRICES.externalIpv4Hour),
        });
      }
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
      regions: regionsOf(stack),
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
