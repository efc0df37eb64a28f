import { partSuffix } from "./mermaid";
import type { SideNode, Topology } from "./topology";

/**
 * A plain SVG of the same topology as the Mermaid chart, laid out here (no browser needed):
 * one column per side, its parts stacked as boxes, the VPN link, the pull path and the
 * remote-state edges as labelled lines. Deterministic, so a test can compare it.
 */

interface Box {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly lines: readonly string[];
}

const COLUMN_WIDTH = 360;
const COLUMN_GAP = 280;
const BOX_WIDTH = 320;
const LINE_HEIGHT = 16;
const BOX_GAP = 18;
const TOP = 60;

function escape(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

function boxHeight(box: Box): number {
  return box.lines.length * LINE_HEIGHT + 14;
}

export function renderSvg(topology: Topology): string {
  const columns: Array<{ title: string; boxes: Box[] }> = [];
  const sides = topology.sides.length > 0 ? topology.sides : [undefined];
  sides.forEach((side, i) => {
    const x = 20 + i * (COLUMN_WIDTH + COLUMN_GAP) + (COLUMN_WIDTH - BOX_WIDTH) / 2;
    const parts: Array<[string, string[]]> = [];
    if (side?.network) {
      parts.push([
        `s${i}_net`,
        [
          `VPC ${side.network.name}`,
          `subnet ${side.network.subnet}`,
          ...side.network.secondaryRanges.map((r) => `secondary ${r}`),
        ],
      ]);
    }
    if (side?.site) {
      parts.push([
        `s${i}_net`,
        [
          "your data centre",
          `networks ${side.site.networks.join(", ")}`,
          `device ${side.site.peerInterfaces.join(", ")}`,
        ],
      ]);
    }
    if (side?.router)
      parts.push([`s${i}_router`, [side.router.name, `BGP ASN ${side.router.asn}`]]);
    if (side?.cluster)
      parts.push([`s${i}_cluster`, [`GKE ${side.cluster.name}`, side.cluster.location]]);
    if (!side) parts.push(["s0_cluster", ["your cluster (kubeconfig)"]]);
    if (i === 0 && topology.registry) {
      parts.push(["registry", [`registry ${topology.registry.fqdn}`, topology.registry.address]]);
    }
    const suffix = partSuffix(i);
    if (side?.cache) parts.push([`cache${suffix}`, ["pull-through cache", side.cache.address]]);
    if (side?.dns) {
      parts.push([
        `dns${suffix}`,
        [`private zone ${side.dns.zone}`, ...side.dns.records.map(([n, v]) => `${n} → ${v}`)],
      ]);
    }
    if (side?.artifactRegistry)
      parts.push([`ar${suffix}`, ["Artifact Registry", side.artifactRegistry]]);
    let y = TOP + 20;
    const boxes = parts.map(([id, lines]) => {
      const box = { id, x, y, lines };
      y += boxHeight(box) + BOX_GAP;
      return box;
    });
    columns.push({ title: side?.stack ?? "workloads", boxes });
  });

  const boxes = columns.flatMap((column) => column.boxes);
  const byId = new Map(boxes.map((box) => [box.id, box]));
  const height =
    Math.max(
      ...columns.map((c) => c.boxes.reduce((h, b) => h + boxHeight(b) + BOX_GAP, TOP + 40)),
    ) + 80;
  // Room on the right for a same-column edge and its label.
  const width = columns.length * COLUMN_WIDTH + (columns.length - 1) * COLUMN_GAP + 140;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
  ];
  columns.forEach((column, i) => {
    const x = 20 + i * (COLUMN_WIDTH + COLUMN_GAP);
    out.push(
      `<rect x="${x}" y="${TOP - 30}" width="${COLUMN_WIDTH}" height="${height - TOP - 10}" rx="10" fill="#f4f7fb" stroke="#9fb3c8"/>`,
      `<text x="${x + 12}" y="${TOP - 10}" font-weight="bold">${escape(column.title)}</text>`,
    );
  });
  for (const box of boxes) {
    out.push(
      `<rect x="${box.x}" y="${box.y}" width="${BOX_WIDTH}" height="${boxHeight(box)}" rx="6" fill="#ffffff" stroke="#3a6ea5"/>`,
      ...box.lines.map(
        (line, i) =>
          `<text x="${box.x + 10}" y="${box.y + 18 + i * LINE_HEIGHT}">${escape(line)}</text>`,
      ),
    );
  }
  const edge = (from: string, to: string, text: string, dashed = false) => {
    const a = byId.get(from);
    const b = byId.get(to);
    if (!a || !b) return;
    const sameColumn = a.x === b.x;
    const [x1, x2] = sameColumn
      ? [a.x + BOX_WIDTH, b.x + BOX_WIDTH]
      : a.x < b.x
        ? [a.x + BOX_WIDTH, b.x]
        : [a.x, b.x + BOX_WIDTH];
    const y1 = a.y + boxHeight(a) / 2;
    const y2 = b.y + boxHeight(b) / 2;
    const bend = sameColumn ? `C ${x1 + 60} ${y1}, ${x2 + 60} ${y2},` : "L";
    out.push(
      `<path d="M ${x1} ${y1} ${bend} ${x2} ${y2}" fill="none" stroke="#444" ${dashed ? 'stroke-dasharray="5 4" ' : ""}marker-end="url(#arrow)"/>`,
      `<text x="${(x1 + x2) / 2 + (sameColumn ? 50 : 0)}" y="${(y1 + y2) / 2 - 6}" text-anchor="middle" fill="#222">${escape(text)}</text>`,
    );
  };
  topology.sides.forEach((side, i) => {
    if (i === 0) return;
    if (side.vpn) {
      edge(
        `s${i}_router`,
        "s0_router",
        `HA VPN: ${side.vpn.perSide} tunnels per side, ${side.vpn.bgpSessions} BGP sessions`,
      );
    }
  });
  const pullers = topology.sides.flatMap((side, i) =>
    i > 0 && side.cluster ? [{ side, cluster: `s${i}_cluster`, suffix: partSuffix(i) }] : [],
  );
  // Standalone: the one cluster pulls.
  if (pullers.length === 0) {
    const only: SideNode = topology.sides.at(0) ?? { stack: "workloads" };
    pullers.push({ side: only, cluster: "s0_cluster", suffix: "0" });
  }
  for (const { side, cluster, suffix } of pullers) {
    if (side.dns) edge(cluster, `dns${suffix}`, "1 resolve", true);
    if (side.cache) {
      edge(cluster, `cache${suffix}`, "2 pull");
      edge(`cache${suffix}`, "registry", "3 miss: over the VPN");
    } else if (topology.registry) {
      edge(cluster, "registry", side.dns ? "2 pull over the VPN" : "pull");
    }
  }
  const states = topology.stateEdges.map((e) => `${e.producer} → ${e.consumer}`);
  if (states.length > 0) {
    out.push(
      `<text x="20" y="${height - 20}" fill="#555">remote state: ${escape(states.join(", "))}</text>`,
    );
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
