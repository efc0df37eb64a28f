import type { SideNode, Topology } from "./topology";

/** Mermaid's label syntax: quotes would end the label, brackets are fine inside quotes. */
function label(...lines: Array<string | undefined>): string {
  return `"${lines
    .filter((line): line is string => Boolean(line))
    .map((line) => line.replaceAll('"', "'"))
    .join("<br/>")}"`;
}

function id(text: string): string {
  return text.replace(/[^A-Za-z0-9]/g, "_");
}

function sideLines(side: SideNode, index: number, topology: Topology): string[] {
  const prefix = `s${index}`;
  const title = side.site
    ? `${side.stack}: your data centre`
    : `${side.stack}: VPC ${side.network?.name ?? ""}`;
  const lines = [`  subgraph ${id(side.stack)}[${label(title)}]`];
  if (side.network) {
    lines.push(
      `    ${prefix}_net[${label(
        `subnet ${side.network.subnet}`,
        side.network.secondaryRanges.length
          ? `pods/services ${side.network.secondaryRanges.join(", ")}`
          : undefined,
      )}]`,
    );
  }
  if (side.site) {
    lines.push(
      `    ${prefix}_net[${label(`networks ${side.site.networks.join(", ")}`, `device ${side.site.peerInterfaces.join(", ")}`)}]`,
    );
  }
  if (side.router) {
    lines.push(`    ${prefix}_router[${label(side.router.name, `BGP ASN ${side.router.asn}`)}]`);
  }
  if (side.cluster) {
    lines.push(
      `    ${prefix}_cluster[${label(`GKE ${side.cluster.name}`, side.cluster.location)}]`,
    );
  }
  if (index === 0 && topology.registry) {
    lines.push(
      `    registry[(${label(`registry ${topology.registry.fqdn}`, topology.registry.address)})]`,
    );
  }
  const suffix = partSuffix(index);
  if (side.cache) {
    lines.push(`    cache${suffix}[(${label("pull-through cache", side.cache.address)})]`);
  }
  if (side.dns) {
    lines.push(
      `    dns${suffix}[${label(`private zone ${side.dns.zone}`, ...side.dns.records.map(([name, value]) => `${name} → ${value}`))}]`,
    );
  }
  if (side.artifactRegistry) {
    lines.push(`    ar${suffix}[${label("Artifact Registry", side.artifactRegistry)}]`);
  }
  lines.push("  end");
  return lines;
}

/**
 * Node ids of a side's DNS zone, cache and repository: plain for the first application side
 * (the one-side chart), numbered for on-prem and further sides.
 */
export function partSuffix(index: number): string {
  return index === 1 ? "" : String(index);
}

/** A stack's node id; the registry stack's would be the registry server's. */
function stackId(name: string): string {
  return name === "registry" ? "registry_stack" : id(name);
}

/** A Mermaid flowchart of the topology: deterministic, so a test can compare it. */
export function renderMermaid(topology: Topology): string {
  const lines = ["flowchart LR"];
  topology.sides.forEach((side, i) => lines.push(...sideLines(side, i, topology)));
  topology.sides.forEach((side, i) => {
    if (i === 0) return;
    if (side.vpn && topology.sides[0].router) {
      lines.push(
        `  s0_router <== ${label(`HA VPN: ${side.vpn.perSide} tunnels per side, ${side.vpn.bgpSessions} BGP sessions`)} ==> s${i}_router`,
      );
    }
    if (topology.registry && side.cluster) lines.push(...pullLines(side, i, topology));
  });
  const [onprem] = topology.sides;
  if (topology.sides.length === 1 && topology.registry && onprem.cluster) {
    lines.push(...pullLines(onprem, 0, topology));
  }
  if (topology.sides.length === 0 && topology.registry) {
    lines.push(`  nodes[${label("cluster nodes")}] -- ${label("pull")} --> registry`);
    lines.push(
      `  registry[(${label(`registry ${topology.registry.fqdn}`, topology.registry.address)})]`,
    );
  }
  for (const edge of topology.stateEdges) {
    lines.push(
      `  ${stackId(edge.producer)} -. ${label("remote state")} .-> ${stackId(edge.consumer)}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** How a side's cluster pulls: resolve in its zone, then the registry or its cache. */
function pullLines(side: SideNode, index: number, topology: Topology): string[] {
  const cluster = `s${index}_cluster`;
  const suffix = partSuffix(index);
  const lines: string[] = [];
  if (side.dns) lines.push(`  ${cluster} -. ${label("1 resolve")} .-> dns${suffix}`);
  if (side.cache) {
    lines.push(`  ${cluster} -- ${label("2 pull")} --> cache${suffix}`);
    lines.push(`  cache${suffix} -- ${label("3 miss: fetch over the VPN")} --> registry`);
  } else if (topology.registry) {
    lines.push(`  ${cluster} -- ${label(side.dns ? "2 pull over the VPN" : "pull")} --> registry`);
  }
  return lines;
}
