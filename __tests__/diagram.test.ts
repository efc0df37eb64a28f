import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderMermaid } from "../lib/diagram/mermaid";
import { withDiagram } from "../lib/diagram/render-environment";
import {
  ASCENT_EM,
  BOLD_CHAR_EM,
  CHAR_EM,
  DESCENT_EM,
  diagramLayout,
  renderSvg,
  svgOf,
  type Layout,
  type LayoutLabel,
  type Rect,
} from "../lib/diagram/svg";
import { topologyOf } from "../lib/diagram/topology";
import { ROOT } from "./helpers/config";
import { stacksOf } from "./helpers/environments";

const topology = (name: Parameters<typeof stacksOf>[0]) => topologyOf(stacksOf(name));

describe("the topology read back from synthesized stacks", () => {
  it("default: two VPCs, HA VPN with BGP, the registry at the reserved IP, DNS, state edges", () => {
    const t = topology("default");
    expect(t.sides.map((side) => [side.stack, side.network?.subnet, side.router?.asn])).toEqual([
      ["onprem-network", "10.0.0.0/24", "64512"],
      ["cloud-network", "10.0.1.0/24", "64513"],
    ]);
    expect(t.sides[1].vpn).toEqual({ tunnels: 4, perSide: 2, bgpSessions: 2 });
    expect(t.registry).toEqual({
      fqdn: "registry.onprem.internal",
      address: "10.0.0.10:443",
      exposure: "LoadBalancer",
    });
    expect(t.sides[1].dns?.records).toEqual([["registry.onprem.internal.", "10.0.0.10"]]);
    expect(t.stateEdges).toEqual(
      expect.arrayContaining([
        { producer: "onprem-network", consumer: "cloud-network" },
        { producer: "onprem-network", consumer: "workloads" },
        { producer: "cloud-network", consumer: "workloads" },
      ]),
    );
  });

  it("external site: the device's interfaces and ranges, a MetalLB address", () => {
    const t = topology("externalPeerFourIps");
    expect(t.sides[0].site?.peerInterfaces).toHaveLength(4);
    expect(t.sides[1].vpn?.perSide).toBe(4);
    expect(t.registry?.address).toBe("192.168.10.20:443");
  });

  it("the pull-through cache and Artifact Registry", () => {
    const t = topology("artifactRegistry");
    expect(t.sides[1].cache?.address).toBe("10.0.1.10:443");
    // The workloads stack reads onprem-network too; the cache is still the side's alone.
    expect(t.sides[0].cache).toBeUndefined();
    expect(t.sides[1].artifactRegistry).toMatch(/^europe-west1-docker\.pkg\.dev\//);
    expect(renderMermaid(t)).toContain('cache -- "3 miss: fetch over the VPN" --> registry');
  });

  it("three sides: each its VPN link to the one on-prem router, its zone, its own pull path", () => {
    const t = topology("threeSides");
    expect(t.sides.map((side) => side.stack)).toEqual([
      "onprem-network",
      "cloud-network-dev",
      "cloud-network-staging",
      "cloud-network-prod",
    ]);
    expect(t.sides.slice(1).map((side) => side.vpn?.perSide)).toEqual([2, 2, 2]);
    expect(t.sides[0].dns?.zone).toBe("onprem.internal.");
    expect(t.sides[3].cache?.address).toBe("10.150.0.10:443");
    expect(t.sides[1].cache).toBeUndefined();
    expect(t.sides[0].cache).toBeUndefined();
    const chart = renderMermaid(t);
    for (const side of [1, 2, 3]) expect(chart).toContain(`==> s${side}_router`);
    expect(chart).toContain('s3_cluster -- "2 pull" --> cache3');
    expect(chart).toContain('s1_cluster -- "2 pull over the VPN" --> registry');
    // The registry stack is its own node, apart from the registry server.
    expect(chart).toContain('registry_stack -. "remote state" .-> workloads_prod');
    expect(renderSvg(t)).toContain("cloud-network-prod");
  });

  it("reads the producer of a remote state from gcs prefixes and workspace names too", () => {
    const reads = (config: Record<string, unknown>) => ({
      data: { terraform_remote_state: { state: { backend: "gcs", config } } },
    });
    const t = topologyOf({
      registry: {},
      "cloud-network-dev": {},
      "workloads-dev": reads({ bucket: "b", prefix: "hybrid-registry/cloud-network-dev" }),
      "workloads-prod": reads({ workspaces: { name: "hybrid-registry-registry" } }),
    });
    expect(t.stateEdges).toEqual([
      { producer: "cloud-network-dev", consumer: "workloads-dev" },
      { producer: "registry", consumer: "workloads-prod" },
    ]);
  });

  it("standalone: one cluster and its registry", () => {
    const t = topology("standaloneNodePort");
    expect(t.sides).toEqual([]);
    expect(t.registry?.address).toBe("every node:30500");
  });
});

describe("the committed diagrams are current (npm run diagram)", () => {
  const t = topology("default");

  it("README.md holds the default environment's Mermaid chart", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme).toBe(withDiagram(readme, renderMermaid(t)));
  });

  it("docs/topology.svg is the default environment's SVG", () => {
    expect(readFileSync(join(ROOT, "docs", "topology.svg"), "utf8")).toBe(renderSvg(t));
  });
});

/** The SVG's layout, checked as geometry: what a reader would see, without a browser. */
describe("the SVG is legible", () => {
  const CASES = {
    "environments/example.yaml": "default",
    "examples/hybrid-three-sides.yaml": "threeSides",
    "three sides and a fourth": "fourSides",
    "examples/artifact-registry.yaml": "exampleArtifactRegistry",
    "examples/standalone-k3s-metallb.yaml": "exampleK3sMetallb",
    "an external site with four interfaces": "externalPeerFourIps",
    "an external site and two sides": "externalSides",
  } as const;

  /** The estimate svg.ts lays text out by: characters × font size × an em per character. */
  const extent = (label: LayoutLabel): Rect => {
    const width = [...label.text].length * label.fontSize * (label.bold ? BOLD_CHAR_EM : CHAR_EM);
    return {
      x: label.anchor === "middle" ? label.x - width / 2 : label.x,
      y: label.y - label.fontSize * ASCENT_EM,
      width,
      height: label.fontSize * (ASCENT_EM + DESCENT_EM),
    };
  };
  const overlaps = (a: Rect, b: Rect) =>
    a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  const contains = (outer: Rect, inner: Rect) =>
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height;
  type Point = readonly [number, number];
  /** Whether a straight run meets a rectangle (borders included), by clipping it to it. */
  const meets = ([x1, y1]: Point, [x2, y2]: Point, r: Rect) => {
    let [low, high] = [0, 1];
    const sides: Array<[number, number]> = [
      [x1 - x2, x1 - r.x],
      [x2 - x1, r.x + r.width - x1],
      [y1 - y2, y1 - r.y],
      [y2 - y1, r.y + r.height - y1],
    ];
    for (const [p, q] of sides) {
      if (p === 0) {
        if (q < 0) return false;
      } else if (p < 0) low = Math.max(low, q / p);
      else high = Math.min(high, q / p);
    }
    return low <= high;
  };
  const inset = (r: Rect, by: number): Rect => ({
    x: r.x + by,
    y: r.y + by,
    width: r.width - 2 * by,
    height: r.height - 2 * by,
  });
  const runs = (points: readonly Point[]) =>
    points.slice(1).map((point, k) => [points[k], point] as const);

  describe.each(Object.entries(CASES))("%s", (_, name) => {
    const layout: Layout = diagramLayout(topology(name));
    const box = (id: string) => layout.boxes.find((candidate) => candidate.id === id);
    /** A box and the groups around it. */
    const withGroups = (id: string) => [id, box(id)?.parent].filter((x) => x !== undefined);

    it("no two labels overlap", () => {
      const pairs = layout.labels.flatMap((a, i) =>
        layout.labels
          .slice(i + 1)
          .filter((b) => overlaps(extent(a), extent(b)))
          .map((b) => `${a.text} / ${b.text}`),
      );
      expect(pairs).toEqual([]);
    });

    it("every box, label and edge lies inside the canvas", () => {
      const canvas = { x: 0, y: 0, width: layout.width, height: layout.height };
      const outside = [
        ...layout.boxes.filter((b) => !contains(canvas, b)).map((b) => b.id),
        ...layout.labels.filter((l) => !contains(canvas, extent(l))).map((l) => l.text),
        ...layout.edges
          .filter((e) =>
            e.points.some(([x, y]) => !contains(canvas, { x, y, width: 0, height: 0 })),
          )
          .map((e) => e.id),
      ];
      expect(outside).toEqual([]);
    });

    it("each box's text lies inside it; no label covers a box it is not in", () => {
      const misplaced = layout.labels.flatMap((label) => {
        const own = box(label.owner);
        const edge = layout.edges.find((candidate) => candidate.id === label.owner);
        // A box's text and title lie in it and its group; an edge's label in its ends' groups.
        const allowed = own
          ? withGroups(own.id)
          : edge
            ? withGroups(edge.from).filter((id) => withGroups(edge.to).includes(id))
            : [];
        return layout.boxes
          .filter((b) =>
            allowed.includes(b.id) ? !contains(b, extent(label)) : overlaps(b, extent(label)),
          )
          .map((b) => `${label.text} in ${b.id}`);
      });
      expect(misplaced).toEqual([]);
    });

    it("every edge runs clear of the boxes and groups not at its ends, and of every label", () => {
      const crossings = layout.edges.flatMap((edge) => {
        const ends = [...withGroups(edge.from), ...withGroups(edge.to)];
        return runs(edge.points).flatMap(([a, b]) => [
          ...layout.boxes
            .filter((other) =>
              // Its own boxes it may touch at their borders but not run through.
              ends.includes(other.id)
                ? other.kind === "part" && meets(a, b, inset(other, 0.5))
                : meets(a, b, other),
            )
            .map((other) => `${edge.id} through ${other.id}`),
          ...layout.labels
            .filter((label) => meets(a, b, extent(label)))
            .map((label) => `${edge.id} through "${label.text}"`),
        ]);
      });
      expect(crossings).toEqual([]);
    });

    it("every edge starts and ends on its boxes' borders and runs straight across or down", () => {
      for (const edge of layout.edges) {
        const [first, last] = [edge.points[0], edge.points[edge.points.length - 1]];
        for (const [point, id] of [
          [first, edge.from],
          [last, edge.to],
        ] as const) {
          const end = box(id);
          expect(end).toBeDefined();
          if (!end) continue;
          const onBorder =
            [end.x, end.x + end.width].includes(point[0]) &&
            point[1] > end.y &&
            point[1] < end.y + end.height;
          expect({ edge: edge.id, id, onBorder }).toEqual({ edge: edge.id, id, onBorder: true });
        }
        for (const [a, b] of runs(edge.points)) expect(a[0] === b[0] || a[1] === b[1]).toBe(true);
      }
    });

    it("draws exactly its layout: every box, edge and label", () => {
      const svg = renderSvg(topology(name));
      expect(svg).toBe(svgOf(layout));
      expect(svg.match(/<rect x=/g)).toHaveLength(layout.boxes.length);
      expect(svg.match(/<path d="M /g)).toHaveLength(layout.edges.length);
      expect(svg.match(/<text /g)).toHaveLength(layout.labels.length);
    });
  });

  const boxOf = (layout: Layout, id: string) => layout.boxes.find((b) => b.id === id);

  it("example: the VPN link both ways (HA VPN with BGP), the pull path, the workloads stack", () => {
    const layout = diagramLayout(topology("default"));
    const vpn = layout.edges.find((edge) => edge.from === "s1_router" && edge.to === "s0_router");
    expect(vpn).toMatchObject({
      twoWay: true,
      label: "HA VPN: 2 tunnels per side, 2 BGP sessions",
    });
    expect(svgOf(layout)).toContain('marker-start="url(#arrow)" marker-end="url(#arrow)"');
    expect(layout.edges.map((edge) => edge.label)).toEqual(
      expect.arrayContaining(["1 resolve", "2 pull over the VPN"]),
    );
    expect(boxOf(layout, "stack:workloads")?.parent).toBe("stacks");
    expect(layout.labels.map((label) => label.text)).toEqual(
      expect.arrayContaining(["workloads", "reads cloud-network, onprem-network"]),
    );
  });

  it("each pull-through cache is drawn inside its own side", () => {
    const caches = (layout: Layout) =>
      layout.boxes.filter((b) => b.id.startsWith("cache")).map((b) => [b.id, b.parent]);
    expect(caches(diagramLayout(topology("threeSides")))).toEqual([["cache3", "side3"]]);
    expect(caches(diagramLayout(topology("exampleArtifactRegistry")))).toEqual([
      ["cache", "side1"],
    ]);
  });
});
