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
}

export interface Topology {
  /** hybrid: on-prem then cloud; standalone: one cluster. */
  readonly sides: readonly SideNode[];
  /** Tunnel resources (one per end of each tunnel built here) and BGP sessions. */
  readonly vpn?: {
    readonly tunnels: number;
    readonly perSide: number;
    readonly bgpSessions: number;
  };
  readonly registry?: {
    readonly fqdn: string;
    readonly address: string;
    readonly exposure: string;
  };
  readonly cache?: { readonly address: string };
  readonly dns?: {
    readonly zone: string;
    readonly records: ReadonlyArray<readonly [string, string]>;
  };
  readonly artifactRegistry?: string;
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

/** Which stack a terraform_remote_state data source reads, from its backend settings. */
function producerOf(dataSource: Json, stackNames: readonly string[]): string | undefined {
  const text = JSON.stringify(dataSource.config ?? {});
  return stackNames.find((name) => text.includes(name));
}

export function topologyOf(stacks: Readonly<Record<string, SynthesizedStack>>): Topology {
  const names = Object.keys(stacks);

  /** A literal for a value, following references within and across stacks. */
  const resolve = (value: unknown, stackName: string, depth = 0): string => {
    if (typeof value !== "string" || depth > 5) return String(value ?? "");
    const remote = REMOTE_OUTPUT.exec(value);
    if (remote) {
      const source = stacks[stackName]?.data?.terraform_remote_state?.[remote[1]];
      const producer = source ? producerOf(source, names) : undefined;
      const output = producer ? stacks[producer]?.output?.[remote[2]]?.value : undefined;
      return producer && output !== undefined
        ? resolve(output, producer, depth + 1)
        : `(${remote[2]} from remote state)`;
    }
    const reference = REFERENCE.exec(value);
    if (reference) {
      const body = stacks[stackName]?.resource?.[reference[1]]?.[reference[2]];
      const attribute = body?.[reference[3]];
      return attribute !== undefined
        ? resolve(attribute, stackName, depth + 1)
        : `(${reference[3]})`;
    }
    return value;
  };

  const sides: SideNode[] = [];
  const stateEdges: Array<{ producer: string; consumer: string }> = [];
  for (const [stackName, stack] of Object.entries(stacks)) {
    for (const source of Object.values(stack.data?.terraform_remote_state ?? {})) {
      const producer = producerOf(source, names);
      if (producer) stateEdges.push({ producer, consumer: stackName });
    }
    const subnet = first(stack, "google_compute_subnetwork");
    const network = first(stack, "google_compute_network");
    const router = first(stack, "google_compute_router");
    const cluster = first(stack, "google_container_cluster");
    if (subnet && network) {
      sides.push({
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
              asn: resolve((router.bgp as Json | undefined)?.asn, stackName),
            }
          : undefined,
        cluster: cluster
          ? { name: String(cluster.name), location: String(cluster.location) }
          : undefined,
      });
    } else if (stack.output?.mode?.value === "external") {
      sides.push({
        stack: stackName,
        site: {
          peerInterfaces: (stack.output.vpn_interface_ips?.value as string[] | undefined) ?? [],
          networks: (stack.output.network_cidrs?.value as string[] | undefined) ?? [],
        },
        router: { name: "VPN device", asn: resolve(stack.output.asn?.value, stackName) },
      });
    }
  }

  const tunnels = Object.values(stacks).flatMap((stack) =>
    entries(stack, "google_compute_vpn_tunnel"),
  );
  const peers = Object.values(stacks).flatMap((stack) =>
    entries(stack, "google_compute_router_peer"),
  );
  const vpnStack = Object.entries(stacks).find(
    ([, stack]) => entries(stack, "google_compute_vpn_tunnel").length > 0,
  );
  // Tunnels are built from both ends when both are Google's: count one per pair.
  const ends = tunnels.some((tunnel) => tunnel.provider !== undefined) ? 2 : 1;

  const workloadsEntry = Object.entries(stacks).find(([, stack]) =>
    Object.values(stack.resource?.kubernetes_deployment_v1 ?? {}).some(
      (deployment) => (deployment.metadata as Json | undefined)?.name === "registry",
    ),
  );
  const services = workloadsEntry ? entries(workloadsEntry[1], "kubernetes_service_v1") : [];
  const serviceNamed = (name: string) =>
    services.find((service) => (service.metadata as Json | undefined)?.name === name);
  const addressOf = (service: Json | undefined): string => {
    if (!service || !workloadsEntry) return "";
    const annotations = ((service.metadata as Json).annotations as Json | undefined) ?? {};
    const spec = service.spec as Json;
    const fixed = spec.load_balancer_ip ?? annotations["metallb.io/loadBalancerIPs"] ?? undefined;
    if (fixed !== undefined) return `${resolve(fixed, workloadsEntry[0])}:443`;
    const port = ((spec.port as Json[] | undefined) ?? [])[0];
    return spec.type === "NodePort" ? `every node:${String(port?.node_port)}` : "cluster IP:443";
  };
  const registryService = serviceNamed("registry");
  const cacheService = serviceNamed("registry-cache");
  // The realm of the registry's auth proxy is the name clients use.
  const proxyConfig = workloadsEntry
    ? Object.values(workloadsEntry[1].resource?.kubernetes_config_map_v1 ?? {}).find(
        (configMap) => (configMap.metadata as Json).name === "registry-auth-proxy",
      )
    : undefined;
  const nginxConfig = (proxyConfig?.data as Json | undefined)?.["nginx.conf"];
  const realm =
    typeof nginxConfig === "string" ? /auth_basic "([^"]+)";/.exec(nginxConfig)?.[1] : undefined;

  const dnsStack = Object.entries(stacks).find(([, stack]) =>
    first(stack, "google_dns_managed_zone"),
  );
  const zone = dnsStack ? first(dnsStack[1], "google_dns_managed_zone") : undefined;
  const artifactRepository = Object.values(stacks)
    .map((stack) => first(stack, "google_artifact_registry_repository"))
    .find((repository) => repository !== undefined);

  return {
    sides,
    vpn: vpnStack
      ? {
          tunnels: tunnels.length,
          perSide: tunnels.length / ends,
          bgpSessions: peers.length / ends,
        }
      : undefined,
    registry: registryService
      ? {
          fqdn: String(realm ?? "registry"),
          address: addressOf(registryService),
          exposure: String((registryService.spec as Json).type),
        }
      : undefined,
    cache: cacheService ? { address: addressOf(cacheService) } : undefined,
    dns:
      zone && dnsStack
        ? {
            zone: String(zone.dns_name),
            records: entries(dnsStack[1], "google_dns_record_set").map(
              (record) =>
                [
                  String(record.name),
                  ((record.rrdatas as unknown[] | undefined) ?? [])
                    .map((value) => resolve(value, dnsStack[0]))
                    .join(", "),
                ] as const,
            ),
          }
        : undefined,
    artifactRegistry: artifactRepository
      ? `${String(artifactRepository.location)}-docker.pkg.dev/…/${String(artifactRepository.repository_id)}`
      : undefined,
    stateEdges,
  };
}
