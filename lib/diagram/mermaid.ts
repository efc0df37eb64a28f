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
  if (index === topology.sides.length - 1 && topology.cache) {
    lines.push(`    cache[(${label("pull-through cache", topology.cache.address)})]`);
  }
  if (index === topology.sides.length - 1 && topology.dns) {
    lines.push(
      `    dns[${label(`private zone ${topology.dns.zone}`, ...topology.dns.records.map(([name, value]) => `${name} → ${value}`))}]`,
    );
  }
  if (index === topology.sides.length - 1 && topology.artifactRegistry) {
    lines.push(`    ar[${label("Artifact Registry", topology.artifactRegistry)}]`);
  }
  lines.push("  end");
  return lines;
}

/** A Mermaid flowchart of the topology: deterministic, so a test can compare it. */
export function renderMermaid(topology: Topology): string {
  const lines = ["flowchart LR"];
  topology.sides.forEach((side, i) => lines.push(...sideLines(side, i, topology)));
  const [onprem, cloud] = topology.sides;
  if (topology.vpn && onprem && cloud) {
    lines.push(
      `  s0_router <== ${label(`HA VPN: ${topology.vpn.perSide} tunnels per side, ${topology.vpn.bgpSessions} BGP sessions`)} ==> s1_router`,
    );
  }
  const appCluster = cloud?.cluster ? "s1_cluster" : onprem?.cluster ? "s0_cluster" : undefined;
  if (topology.registry && appCluster) {
    if (topology.dns) lines.push(`  ${appCluster} -. ${label("1 resolve")} .-> dns`);
    if (topology.cache) {
      lines.push(`  ${appCluster} -- ${label("2 pull")} --> cache`);
      lines.push(`  cache -- ${label("3 miss: fetch over the VPN")} --> registry`);
    } else {
      lines.push(
        `  ${appCluster} -- ${label(topology.dns ? "2 pull over the VPN" : "pull")} --> registry`,
      );
    }
  }
  if (topology.sides.length === 0 && topology.registry) {
    lines.push(`  nodes[${label("cluster nodes")}] -- ${label("pull")} --> registry`);
    lines.push(
      `  registry[(${label(`registry ${topology.registry.fqdn}`, topology.registry.address)})]`,
    );
  }
  for (const edge of topology.stateEdges) {
    lines.push(`  ${id(edge.producer)} -. ${label("remote state")} .-> ${id(edge.consumer)}`);
  }
  return `${lines.join("\n")}\n`;
}
