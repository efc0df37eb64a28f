/**
 * What an environment builds, read back from its synthesized Terraform JSON (not from the
 * config): networks and ranges, the VPN link and its BGP sessions, clusters, the registry, DNS,
 * and the remote-state edges between stacks. Values that are references are followed through
 * remote state to the producer's outputs and resources where they are literals there.
 */

type Json = Record<string, unknown>;

/** One synthesized stack, as Terraform JSON. */
export interface SynthesizedStack {
  readonly resource?: Record<string, Record<string, Json>>;
  readonly data?: Record<string, Record<string, Json>>;
  readonly output?: Record<string, { readonly value?: unknown }>;
  readonly provider?: Record<string, Json[]>;
}

export interface NetworkNode {
  readonly name: string;
  readonly subnet: string;
  readonly secondaryRanges: readonly string[];
}

export interface SideNode {
  /** The stack that builds it. */
  readonly stack: string;
  readonly network?: NetworkNode;
  /** A real site (external mode): its device's public IPs and its ranges. */
  readonly site?: {
    readonly peerInterfaces: readonly string[];
    readonly networks: readonly string[];
  };
  readonly router?: { readonly name: string; readonly asn: string };
  readonly cluster?: { readonly name: string; readonly location: string };
  /** An application side's VPN link to on-prem, built in its stack. */
  readonly vpn?: VpnLinkNode;
  /** The private zone of the registry's domain this side's stack keeps. */
  readonly dns?: DnsNode;
  /** The side's pull-through cache, from the workloads stack that reads this side's stack. */
  readonly cache?: { readonly address: string };
  readonly artifactRegistry?: string;
}

export interface VpnLinkNode {
  /** Tunnel resources (one per end of each tunnel built here). */
  readonly tunnels: number;
  readonly perSide: number;
  readonly bgpSessions: number;
}

export interface DnsNode {
  readonly zone: string;
  readonly records: ReadonlyArray<readonly [string, string]>;
}

export interface Topology {
  /** hybrid: on-prem, then each application side; standalone: none (one cluster). */
  readonly sides: readonly SideNode[];
  readonly registry?: {
    readonly fqdn: string;
    readonly address: string;
    readonly exposure: string;
  };
  readonly stateEdges: ReadonlyArray<{ readonly producer: string; readonly consumer: string }>;
}

const REFERENCE = /^\$\{([a-z0-9_]+)\.([\w-]+)\.([\w[\].]+)\}$/;
const REMOTE_OUTPUT = /^\$\{data\.terraform_remote_state\.([\w-]+)\.outputs\.(\w+)\}$/;

function entries(stack: SynthesizedStack | undefined, type: string): Json[] {
  return Object.values(stack?.resource?.[type] ?? {});
}

function first(stack: SynthesizedStack | undefined, type: string): Json | undefined {
  return entries(stack, type)[0];
}

/**
 * Which stack a terraform_remote_state data source reads, from its backend settings: the
 * stack name that ends its state path, gcs prefix or workspace name (the longest, since
 * `cloud-network` ends `cloud-network-dev`'s too, and the default prefix `hybrid-registry`
 * holds `registry`).
 */
function producerOf(dataSource: Json, stackNames: readonly string[]): string | undefined {
  const text = JSON.stringify(dataSource.config ?? {});
  return stackNames
    .filter((name) => text.includes(`${name}.tfstate"`) || text.includes(`${name}"`))
    .sort((a, b) => b.length - a.length)[0];
}

type StateEdge = { producer: string; consumer: string };

/** The stacks with what reading them needs: who reads whose state, and literals for values. */
interface Reading {
  readonly stacks: Readonly<Record<string, SynthesizedStack>>;
  readonly stateEdges: readonly StateEdge[];
  readonly resolve: (value: unknown, stackName: string) => string;
}

export function topologyOf(stacks: Readonly<Record<string, SynthesizedStack>>): Topology {
  const stateEdges = stateEdgesOf(stacks);
  const reading: Reading = {
    stacks,
    stateEdges,
    resolve: (value, stackName) => literalOf(stacks, value, stackName),
  };
  return {
    sides: Object.entries(stacks).flatMap(([stackName, stack]) => {
      const side = sideOf(reading, stackName, stack);
      return side ? [side] : [];
    }),
    registry: registryOf(reading),
    stateEdges,
  };
}

/** A literal for a value, following references within and across stacks. */
function literalOf(
  stacks: Readonly<Record<string, SynthesizedStack>>,
  value: unknown,
  stackName: string,
  depth = 0,
): string {
  if (typeof value !== "string" || depth > 5) return String(value ?? "");
  const remote = REMOTE_OUTPUT.exec(value);
  if (remote) {
    const source = stacks[stackName]?.data?.terraform_remote_state?.[remote[1]];
    const producer = source ? producerOf(source, Object.keys(stacks)) : undefined;
    const output = producer ? stacks[producer]?.output?.[remote[2]]?.value : undefined;
    return producer && output !== undefined
      ? literalOf(stacks, output, producer, depth + 1)
      : `(${remote[2]} from remote state)`;
  }
  const reference = REFERENCE.exec(value);
  if (reference) {
    const body = stacks[stackName]?.resource?.[reference[1]]?.[reference[2]];
    const attribute = body?.[reference[3]];
    return attribute !== undefined
      ? literalOf(stacks, attribute, stackName, depth + 1)
      : `(${reference[3]})`;
  }
  return value;
}

/** Which stack reads whose remote state. */
function stateEdgesOf(stacks: Readonly<Record<string, SynthesizedStack>>): StateEdge[] {
  const names = Object.keys(stacks);
  const stateEdges: StateEdge[] = [];
  for (const [stackName, stack] of Object.entries(stacks)) {
    for (const source of Object.values(stack.data?.terraform_remote_state ?? {})) {
      const producer = producerOf(source, names);
      if (producer) stateEdges.push({ producer, consumer: stackName });
    }
  }
  return stateEdges;
}

/** The side a stack builds: a network of its own, or a real site (external mode); else none. */
function sideOf(
  reading: Reading,
  stackName: string,
  stack: SynthesizedStack,
): SideNode | undefined {
  const subnet = first(stack, "google_compute_subnetwork");
  const network = first(stack, "google_compute_network");
  if (subnet && network) return networkSideOf(reading, stackName, stack, network, subnet);
  if (stack.output?.mode?.value === "external") {
    return {
      stack: stackName,
      site: {
        peerInterfaces: (stack.output.vpn_interface_ips?.value as string[] | undefined) ?? [],
        networks: (stack.output.network_cidrs?.value as string[] | undefined) ?? [],
      },
      router: { name: "VPN device", asn: reading.resolve(stack.output.asn?.value, stackName) },
    };
  }
  return undefined;
}

/** A side with a VPC: its ranges, router, cluster, VPN link, zone, cache and repository. */
function networkSideOf(
  reading: Reading,
  stackName: string,
  stack: SynthesizedStack,
  network: Json,
  subnet: Json,
): SideNode {
  const router = first(stack, "google_compute_router");
  const cluster = first(stack, "google_container_cluster");
  const repository = first(stack, "google_artifact_registry_repository");
  return {
    stack: stackName,
    network: {
      name: String(network.name),
      subnet: String(subnet.ip_cidr_range),
      secondaryRanges: ((subnet.secondary_ip_range as Json[] | undefined) ?? []).map((range) =>
        String(range.ip_cidr_range),
      ),
    },
    router: router
      ? {
          name: String(router.name),
          asn: reading.resolve((router.bgp as Json | undefined)?.asn, stackName),
        }
      : undefined,
    cluster: cluster
      ? { name: String(cluster.name), location: String(cluster.location) }
      : undefined,
    vpn: vpnOf(stack),
    dns: dnsOf(reading, stackName),
    cache: cacheOf(reading, stackName),
    artifactRegistry: repository
      ? `${String(repository.location)}-docker.pkg.dev/…/${String(repository.repository_id)}`
      : undefined,
  };
}

function serviceNamed(
  stacks: Readonly<Record<string, SynthesizedStack>>,
  stackName: string,
  name: string,
): Json | undefined {
  return entries(stacks[stackName], "kubernetes_service_v1").find(
    (service) => (service.metadata as Json | undefined)?.name === name,
  );
}

/** Where clients reach a service: its fixed load balancer IP, every node's port, or in-cluster. */
function addressOf(reading: Reading, service: Json | undefined, stackName: string): string {
  if (!service) return "";
  const annotations = ((service.metadata as Json).annotations as Json | undefined) ?? {};
  const spec = service.spec as Json;
  const fixed = spec.load_balancer_ip ?? annotations["metallb.io/loadBalancerIPs"] ?? undefined;
  if (fixed !== undefined) return `${reading.resolve(fixed, stackName)}:443`;
  const port = ((spec.port as Json[] | undefined) ?? [])[0];
  return spec.type === "NodePort" ? `every node:${String(port?.node_port)}` : "cluster IP:443";
}

/** The VPN link built in a stack: tunnels from both ends count once per pair. */
function vpnOf(stack: SynthesizedStack): VpnLinkNode | undefined {
  const tunnels = entries(stack, "google_compute_vpn_tunnel");
  if (tunnels.length === 0) return undefined;
  const ends = tunnels.some((tunnel) => tunnel.provider !== undefined) ? 2 : 1;
  const peers = entries(stack, "google_compute_router_peer");
  return {
    tunnels: tunnels.length,
    perSide: tunnels.length / ends,
    bgpSessions: peers.length / ends,
  };
}

function dnsOf(reading: Reading, stackName: string): DnsNode | undefined {
  const zone = first(reading.stacks[stackName], "google_dns_managed_zone");
  if (!zone) return undefined;
  return {
    zone: String(zone.dns_name),
    records: entries(reading.stacks[stackName], "google_dns_record_set").map(
      (record) =>
        [
          String(record.name),
          ((record.rrdatas as unknown[] | undefined) ?? [])
            .map((value) => reading.resolve(value, stackName))
            .join(", "),
        ] as const,
    ),
  };
}

/**
 * The cache of the side whose network is `stackName`: in a workloads stack reading it as its
 * nearest network. Every workloads stack reads onprem-network too, but also a side's network
 * that itself reads onprem-network, so the cache is that side's, not on-prem's.
 */
function cacheOf(reading: Reading, stackName: string): { address: string } | undefined {
  const { stacks, stateEdges } = reading;
  const reads = (consumer: string, producer: string) =>
    stateEdges.some((edge) => edge.consumer === consumer && edge.producer === producer);
  const consumer = stateEdges
    .filter((edge) => edge.producer === stackName)
    .map((edge) => edge.consumer)
    .filter(
      (consumer) =>
        !stateEdges.some((edge) => edge.consumer === consumer && reads(edge.producer, stackName)),
    )
    .find((consumer) => serviceNamed(stacks, consumer, "registry-cache") !== undefined);
  return consumer
    ? { address: addressOf(reading, serviceNamed(stacks, consumer, "registry-cache"), consumer) }
    : undefined;
}

/** The registry, from the stack that deploys it: the name clients use and where they reach it. */
function registryOf(reading: Reading): Topology["registry"] {
  const workloadsEntry = Object.entries(reading.stacks).find(([, stack]) =>
    Object.values(stack.resource?.kubernetes_deployment_v1 ?? {}).some(
      (deployment) => (deployment.metadata as Json | undefined)?.name === "registry",
    ),
  );
  if (!workloadsEntry) return undefined;
  const [stackName, stack] = workloadsEntry;
  const registryService = serviceNamed(reading.stacks, stackName, "registry");
  const realm = realmOf(stack);
  if (!registryService) return undefined;
  return {
    fqdn: String(realm ?? "registry"),
    address: addressOf(reading, registryService, stackName),
    exposure: String((registryService.spec as Json).type),
  };
}

/** The realm of the registry's auth proxy is the name clients use. */
function realmOf(workloads: SynthesizedStack): string | undefined {
  const proxyConfig = Object.values(workloads.resource?.kubernetes_config_map_v1 ?? {}).find(
    (configMap) => (configMap.metadata as Json).name === "registry-auth-proxy",
  );
  const nginxConfig = (proxyConfig?.data as Json | undefined)?.["nginx.conf"];
  return typeof nginxConfig === "string"
    ? /auth_basic "([^"]+)";/.exec(nginxConfig)?.[1]
    : undefined;
}
