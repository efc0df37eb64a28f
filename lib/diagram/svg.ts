import { partSuffix } from "./mermaid";
import type { SideNode, Topology } from "./topology";

/**
 * A plain SVG of the same topology as the Mermaid chart, laid out here (no browser needed):
 * on-prem in the left column, the application sides stacked in the right one, so every edge
 * between them crosses only the gap between the columns; the VPN links, the pull path and, in a
 * panel below, the stacks and whose remote state each reads. The layout is data
 * (`diagramLayout`), so a test can check its geometry; deterministic, so a test can compare it.
 */

export const FONT_SIZE = 12;
/**
 * Text is measured by character count: an em fraction per character, generous for the
 * sans-serif faces viewers pick (DejaVu Sans, the widest common one, averages about 0.6 for
 * this text). Ascent and descent bound a line vertically around its baseline.
 */
export const CHAR_EM = 0.6;
export const BOLD_CHAR_EM = 0.68;
export const ASCENT_EM = 0.8;
export const DESCENT_EM = 0.25;

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LayoutBox extends Rect {
  readonly id: string;
  /** A group (a side, the stacks panel) holds parts; edges run between parts. */
  readonly kind: "group" | "part";
  readonly parent?: string;
}

export interface LayoutLabel {
  readonly text: string;
  /** Left end (anchor start) or centre (anchor middle) of the baseline. */
  readonly x: number;
  readonly y: number;
  readonly fontSize: number;
  readonly bold: boolean;
  readonly anchor: "start" | "middle";
  /** The box (its text or title) or edge the label belongs to. */
  readonly owner: string;
}

export interface LayoutEdge {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly label: string;
  /** The polyline drawn, from the `from` box's border to the `to` box's. */
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly dashed: boolean;
  /** Arrowheads at both ends (the VPN link carries traffic both ways). */
  readonly twoWay: boolean;
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly boxes: readonly LayoutBox[];
  readonly labels: readonly LayoutLabel[];
  readonly edges: readonly LayoutEdge[];
}

const MARGIN = 20;
const LINE_HEIGHT = 16;
const BOX_PAD_X = 10;
/** From a box's top to its first baseline; a box is this plus 16 per further line, plus 12. */
const FIRST_BASELINE = 18;
const BOX_GAP = 22;
const MIN_BOX_WIDTH = 240;
const MAX_BOX_WIDTH = 400;
const GROUP_PAD = 16;
const GROUP_TITLE = 36;
const GROUP_GAP = 24;
/** Lanes, where edges run vertically: the first this far from the boxes, the others apart. */
const LANE_OFFSET = 14;
const LANE_STEP = 10;
/** Between a label and the line it names. */
const LABEL_GAP = 6;

export function textWidth(text: string, fontSize: number, bold: boolean): number {
  return [...text].length * fontSize * (bold ? BOLD_CHAR_EM : CHAR_EM);
}

/** The estimated extent of a label's text. */
export function labelBounds(label: LayoutLabel): Rect {
  const width = textWidth(label.text, label.fontSize, label.bold);
  return {
    x: label.anchor === "middle" ? label.x - width / 2 : label.x,
    y: label.y - label.fontSize * ASCENT_EM,
    width,
    height: label.fontSize * (ASCENT_EM + DESCENT_EM),
  };
}

const widthOf = (text: string, bold = false) => textWidth(text, FONT_SIZE, bold);

/** A line broken after its commas (or, a single item too long, anywhere) to fit `width`. */
function wrap(line: string, width: number): string[] {
  const lines: string[] = [];
  let current = "";
  for (const item of line.split(/(?<=, )/)) {
    if (current && widthOf(current + item) > width) {
      lines.push(current.trimEnd());
      current = "";
    }
    current += item;
    while (widthOf(current) > width) {
      const fits = Math.max(1, Math.floor(width / widthOf("x")));
      lines.push(current.slice(0, fits));
      current = current.slice(fits);
    }
  }
  return [...lines, current.trimEnd()];
}

interface Part {
  readonly id: string;
  readonly lines: readonly string[];
  /** The first line is a name, in bold. */
  readonly named?: boolean;
}

function boxHeight(lines: number): number {
  return FIRST_BASELINE + (lines - 1) * LINE_HEIGHT + 12;
}

/** A side's parts, top to bottom: each pull step's target next to the cluster. */
function partsOf(side: SideNode | undefined, i: number, topology: Topology): Part[] {
  const parts: Part[] = [];
  if (side?.network) {
    parts.push({
      id: `s${i}_net`,
      lines: [
        `VPC ${side.network.name}`,
        `subnet ${side.network.subnet}`,
        ...side.network.secondaryRanges.map((r) => `secondary ${r}`),
      ],
    });
  }
  if (side?.site) {
    parts.push({
      id: `s${i}_net`,
      lines: [
        "your data centre",
        `networks ${side.site.networks.join(", ")}`,
        `device ${side.site.peerInterfaces.join(", ")}`,
      ],
    });
  }
  if (side?.router) {
    parts.push({ id: `s${i}_router`, lines: [side.router.name, `BGP ASN ${side.router.asn}`] });
  }
  const suffix = partSuffix(i);
  if (side?.dns) {
    parts.push({
      id: `dns${suffix}`,
      lines: [`private zone ${side.dns.zone}`, ...side.dns.records.map(([n, v]) => `${n} → ${v}`)],
    });
  }
  if (side?.cluster) {
    parts.push({ id: `s${i}_cluster`, lines: [`GKE ${side.cluster.name}`, side.cluster.location] });
  }
  if (!side) parts.push({ id: "s0_cluster", lines: ["your cluster (kubeconfig)"] });
  if (side?.cache) {
    parts.push({ id: `cache${suffix}`, lines: ["pull-through cache", side.cache.address] });
  }
  if (i === 0 && topology.registry) {
    parts.push({
      id: "registry",
      lines: [`registry ${topology.registry.fqdn}`, topology.registry.address],
    });
  }
  if (side?.artifactRegistry) {
    parts.push({ id: `ar${suffix}`, lines: ["Artifact Registry", side.artifactRegistry] });
  }
  return parts;
}

interface EdgeSpec {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  readonly dashed: boolean;
  readonly twoWay: boolean;
}

function edgesOf(topology: Topology): EdgeSpec[] {
  const edges: EdgeSpec[] = [];
  const edge = (from: string, to: string, label: string, style: Partial<EdgeSpec> = {}) =>
    edges.push({ from, to, label, dashed: false, twoWay: false, ...style });
  topology.sides.forEach((side, i) => {
    if (i > 0 && side.vpn && topology.sides[0].router) {
      edge(
        `s${i}_router`,
        "s0_router",
        `HA VPN: ${side.vpn.perSide} tunnels per side, ${side.vpn.bgpSessions} BGP sessions`,
        { twoWay: true },
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
    if (side.dns) edge(cluster, `dns${suffix}`, "1 resolve", { dashed: true });
    if (side.cache) {
      edge(cluster, `cache${suffix}`, "2 pull");
      edge(`cache${suffix}`, "registry", "3 miss: over the VPN");
    } else if (topology.registry) {
      edge(cluster, "registry", side.dns ? "2 pull over the VPN" : "pull");
    }
  }
  return edges;
}

/** Stacks in deploy order (by their longest chain of producers), each with those it reads. */
function stacksInOrder(topology: Topology): Array<{ name: string; reads: string[] }> {
  const names = [...new Set(topology.stateEdges.flatMap((edge) => [edge.producer, edge.consumer]))];
  const readsOf = (name: string) =>
    topology.stateEdges.filter((edge) => edge.consumer === name).map((edge) => edge.producer);
  const depth = new Map<string, number>();
  const depthOf = (name: string, seen: ReadonlySet<string>): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    // A cycle cannot be deployed; it stops the count rather than the drawing.
    const producers = readsOf(name).filter((producer) => !seen.has(producer));
    const value = Math.max(
      0,
      ...producers.map((producer) => depthOf(producer, new Set([...seen, name])) + 1),
    );
    depth.set(name, value);
    return value;
  };
  return names
    .map((name, index) => ({ name, index, depth: depthOf(name, new Set([name])) }))
    .sort((a, b) => a.depth - b.depth || a.index - b.index)
    .map(({ name }) => ({ name, reads: readsOf(name) }));
}

type Span = Pick<Rect, "y" | "height">;

const mid = (box: Span) => box.y + box.height / 2;
const right = (box: Rect) => box.x + box.width;

/** Edges by the box at one of their ends. */
function byEnd(specs: readonly EdgeSpec[], end: "from" | "to"): Map<string, EdgeSpec[]> {
  const byBox = new Map<string, EdgeSpec[]>();
  for (const spec of specs) byBox.set(spec[end], [...(byBox.get(spec[end]) ?? []), spec]);
  return byBox;
}

/** `count` heights spread along a box, away from its corners. */
function spread(box: Span, count: number): number[] {
  return Array.from({ length: count }, (_, k) =>
    Math.round(box.y + (box.height * (k + 1)) / (count + 1)),
  );
}

/** Lanes for vertical runs: the shortest first, each in the first lane where it meets none. */
function assignLanes<Run extends { readonly low: number; readonly high: number }>(
  runs: readonly Run[],
): { lanes: Map<Run, number>; count: number } {
  const taken: Run[][] = [];
  const lanes = new Map<Run, number>();
  for (const run of [...runs].sort((a, b) => a.high - a.low - (b.high - b.low))) {
    let lane = taken.findIndex((others) =>
      others.every((other) => run.high + 4 < other.low || other.high + 4 < run.low),
    );
    if (lane < 0) lane = taken.push([]) - 1;
    taken[lane].push(run);
    lanes.set(run, lane);
  }
  return { lanes, count: taken.length };
}

interface PlacedPart {
  readonly part: Part;
  readonly y: number;
  readonly height: number;
}

/** A side's group: its column, its extent down it and its parts placed in it. */
interface SideGroup {
  readonly id: string;
  readonly title: string;
  readonly column: number;
  readonly top: number;
  readonly height: number;
  readonly parts: readonly PlacedPart[];
}

type PartIndex = ReadonlyMap<string, PlacedPart & { readonly group: SideGroup }>;

/** An edge within a group: where it leaves and enters, and the span of its vertical run. */
interface Run {
  readonly spec: EdgeSpec;
  readonly y1: number;
  readonly y2: number;
  readonly low: number;
  readonly high: number;
}

interface Lanes {
  readonly lanes: Map<Run, number>;
  readonly count: number;
}

/** Where the edges between the columns run: their lanes, then their labels. */
interface CrossingGap {
  readonly lanesLeft: number;
  readonly labelLeft: number;
  readonly labelWidth: number;
}

interface RoutedEdge {
  readonly edge: LayoutEdge;
  readonly label: LayoutLabel;
}

export function diagramLayout(topology: Topology): Layout {
  const sides = topology.sides.length > 0 ? topology.sides : [undefined];
  const drafts = sides.map((side, i) => partsOf(side, i, topology));
  const boxWidth = sidePartWidth(drafts);
  const groups = groupsInColumns(drafts, sides, boxWidth);
  const partById: PartIndex = new Map(
    groups.flatMap((group) =>
      group.parts.map((placed) => [placed.part.id, { ...placed, group }] as const),
    ),
  );
  const specs = edgesOf(topology).filter(
    (spec) => partById.has(spec.from) && partById.has(spec.to),
  );
  const groupOf = (id: string) => partById.get(id)?.group.id;
  const within = specs.filter((spec) => groupOf(spec.from) === groupOf(spec.to));
  const across = specs.filter((spec) => groupOf(spec.from) !== groupOf(spec.to));

  const runs = runsWithinGroups(within, partById);
  const lanesByGroup = new Map(
    groups.map((group) => [
      group.id,
      assignLanes(runs.filter((run) => groupOf(run.spec.from) === group.id)),
    ]),
  );
  const columnWidths = [0, 1].map((column) =>
    columnWidth(
      groups.filter((group) => group.column === column),
      boxWidth,
      (group) =>
        rightPad(
          lanesByGroup.get(group.id)?.count ?? 0,
          within.filter((spec) => groupOf(spec.from) === group.id),
        ),
    ),
  );
  const gap = crossingGap(columnWidths[0], across);
  const columnX = [MARGIN, Math.ceil(gap.labelLeft + gap.labelWidth + LANE_OFFSET)];

  const { boxes, labels, placed } = placeGroups(groups, columnX, columnWidths, boxWidth);
  const routed = [
    ...routeWithinGroups(runs, placed, (run) => lanesByGroup.get(groupOf(run.spec.from) ?? "")),
    ...routeAcrossColumns(across, placed, gap),
  ];
  labels.push(...routed.map(({ label }) => label));
  const sidesBottom = Math.max(...boxes.map((box) => box.y + box.height));
  const sidesRight = Math.max(...boxes.map(right));
  boxes.push(...stacksPanel(topology, sidesBottom + GROUP_GAP, sidesRight - MARGIN, labels));
  return boundedLayout(
    boxes,
    labels,
    routed.map(({ edge }) => edge),
  );
}

/** The width every side's part shares: its widest line, within bounds. */
function sidePartWidth(drafts: readonly Part[][]): number {
  const natural = Math.max(
    ...drafts.flatMap((parts) => parts.flatMap((part) => part.lines.map((l) => widthOf(l)))),
  );
  return Math.ceil(Math.min(MAX_BOX_WIDTH, Math.max(MIN_BOX_WIDTH, natural + 2 * BOX_PAD_X)));
}

/**
 * Heights first (they do not depend on the edges): on-prem heads the left column, the other
 * sides are stacked in the right one.
 */
function groupsInColumns(
  drafts: readonly Part[][],
  sides: ReadonlyArray<SideNode | undefined>,
  boxWidth: number,
): SideGroup[] {
  const columnTops = [MARGIN, MARGIN];
  return drafts.map((draft, i) => {
    const column = i === 0 ? 0 : 1;
    const top = columnTops[column];
    let y = top + GROUP_TITLE;
    const parts = draft.map((part) => {
      const lines = part.lines.flatMap((line) => wrap(line, boxWidth - 2 * BOX_PAD_X));
      const placed = { part: { ...part, lines }, y, height: boxHeight(lines.length) };
      y += placed.height + BOX_GAP;
      return placed;
    });
    const height = y - BOX_GAP + GROUP_PAD - top;
    columnTops[column] = top + height + GROUP_GAP;
    return { id: `side${i}`, title: sides[i]?.stack ?? "workloads", column, top, height, parts };
  });
}

/**
 * Edges within a group leave and enter their boxes on the right, where each box's ends are
 * spread in the order of the boxes at their other ends, and run down a lane right of them.
 */
function runsWithinGroups(within: readonly EdgeSpec[], partById: PartIndex): Run[] {
  const endY = new Map<string, number>();
  const endKey = (spec: EdgeSpec, end: "from" | "to") => `${spec.from}>${spec.to}:${end}`;
  const farEnd = (spec: EdgeSpec, end: "from" | "to") =>
    partById.get(end === "from" ? spec.to : spec.from)?.y ?? 0;
  for (const [id, placed] of partById) {
    const touching = within
      .flatMap((spec) => (["from", "to"] as const).map((end) => ({ spec, end })))
      .filter(({ spec, end }) => spec[end] === id)
      .sort((a, b) => farEnd(a.spec, a.end) - farEnd(b.spec, b.end));
    const heights = spread(placed, touching.length);
    touching.forEach(({ spec, end }, k) => endY.set(endKey(spec, end), heights[k]));
  }
  return within.map((spec) => {
    const a = endY.get(endKey(spec, "from")) ?? 0;
    const b = endY.get(endKey(spec, "to")) ?? 0;
    return { spec, y1: a, y2: b, low: Math.min(a, b), high: Math.max(a, b) };
  });
}

/** Room right of a group's boxes: its lanes and the labels of the edges within it. */
function rightPad(laneCount: number, within: readonly EdgeSpec[]): number {
  const labels = within.map((spec) => widthOf(spec.label));
  return laneCount === 0
    ? GROUP_PAD
    : Math.ceil(
        LANE_OFFSET + (laneCount - 1) * LANE_STEP + LABEL_GAP + Math.max(...labels) + GROUP_PAD,
      );
}

/** A column's width: its boxes and the widest room any of its groups needs right of them. */
function columnWidth(
  groups: readonly SideGroup[],
  boxWidth: number,
  padOf: (group: SideGroup) => number,
): number {
  return GROUP_PAD + boxWidth + Math.max(GROUP_PAD, ...groups.map(padOf));
}

/**
 * Widths: the left column, the gap the edges between columns cross (their lanes, then their
 * labels), the right column.
 */
function crossingGap(leftColumnWidth: number, across: readonly EdgeSpec[]): CrossingGap {
  const lanesLeft = MARGIN + leftColumnWidth + LANE_OFFSET;
  return {
    lanesLeft,
    labelLeft: lanesLeft + Math.max(0, across.length - 1) * LANE_STEP + LANE_OFFSET,
    labelWidth: Math.max(0, ...across.map((spec) => widthOf(spec.label))),
  };
}

/** The groups' and their parts' boxes in their columns, with their titles and text. */
function placeGroups(
  groups: readonly SideGroup[],
  columnX: readonly number[],
  columnWidths: readonly number[],
  boxWidth: number,
): { boxes: LayoutBox[]; labels: LayoutLabel[]; placed: Map<string, Rect> } {
  const boxes: LayoutBox[] = [];
  const labels: LayoutLabel[] = [];
  const placed = new Map<string, Rect>();
  for (const group of groups) {
    const x = columnX[group.column];
    const width = columnWidths[group.column];
    boxes.push({ id: group.id, kind: "group", x, y: group.top, width, height: group.height });
    labels.push(titleLabel(group.title, x, group.top, group.id));
    for (const { part, y, height } of group.parts) {
      const box = { x: x + GROUP_PAD, y, width: boxWidth, height };
      placed.set(part.id, box);
      boxes.push({ id: part.id, kind: "part", parent: group.id, ...box });
      labels.push(...textOf(part, box));
    }
  }
  return { boxes, labels, placed };
}

/** An edge drawn along `points`, with its label. */
function routedEdge(
  spec: EdgeSpec,
  points: Array<[number, number]>,
  label: Omit<LayoutLabel, "text" | "fontSize" | "bold" | "owner">,
): RoutedEdge {
  const id = `${spec.from}->${spec.to}`;
  return {
    edge: { id, ...spec, points },
    label: { text: spec.label, fontSize: FONT_SIZE, bold: false, owner: id, ...label },
  };
}

/** Each run right of its group's boxes, in its lane. */
function routeWithinGroups(
  runs: readonly Run[],
  placed: ReadonlyMap<string, Rect>,
  lanesOf: (run: Run) => Lanes | undefined,
): RoutedEdge[] {
  return runs.flatMap((run) => {
    const from = placed.get(run.spec.from);
    const to = placed.get(run.spec.to);
    const lanes = lanesOf(run);
    if (!from || !to || !lanes) return [];
    const laneX = (lane: number) => right(from) + LANE_OFFSET + lane * LANE_STEP;
    const x = laneX(lanes.lanes.get(run) ?? 0);
    return [
      routedEdge(
        run.spec,
        [
          [right(from), run.y1],
          [x, run.y1],
          [x, run.y2],
          [right(to), run.y2],
        ],
        // Right of every lane, so no other run crosses it.
        {
          x: laneX(lanes.count - 1) + LABEL_GAP,
          y: Math.round((run.y1 + run.y2) / 2 + FONT_SIZE * 0.35),
          anchor: "start",
        },
      ),
    ];
  });
}

/**
 * Edges between columns leave a box by its side facing the gap, run down their own lane in
 * it and enter the other box by its facing side. The topmost source takes the lane nearest
 * to it and the highest entry, so runs cross as little as they can; the label sits over the
 * first run, right of the lanes.
 */
function routeAcrossColumns(
  across: readonly EdgeSpec[],
  placed: ReadonlyMap<string, Rect>,
  gap: CrossingGap,
): RoutedEdge[] {
  const facing = (box: Rect, other: Rect) => (box.x < other.x ? right(box) : box.x);
  const entries = entryHeights(across, placed);
  const exits = exitHeights(across, placed, entries);
  const ordered = [...across].sort((a, b) => (exits.get(a) ?? 0) - (exits.get(b) ?? 0));
  return ordered.flatMap((spec, k) => {
    const from = placed.get(spec.from);
    const to = placed.get(spec.to);
    const y1 = exits.get(spec);
    const y2 = entries.get(spec);
    if (!from || !to || y1 === undefined || y2 === undefined) return [];
    const [x1, x2] = [facing(from, to), facing(to, from)];
    const lane = gap.lanesLeft + (ordered.length - 1 - k) * LANE_STEP;
    return [
      routedEdge(
        spec,
        y1 === y2
          ? [
              [x1, y1],
              [x2, y2],
            ]
          : [
              [x1, y1],
              [lane, y1],
              [lane, y2],
              [x2, y2],
            ],
        { x: Math.round(gap.labelLeft + gap.labelWidth / 2), y: y1 - LABEL_GAP, anchor: "middle" },
      ),
    ];
  });
}

/** Where each edge between columns enters its box: spread in the order of their sources. */
function entryHeights(
  across: readonly EdgeSpec[],
  placed: ReadonlyMap<string, Rect>,
): Map<EdgeSpec, number> {
  const sourceY = (spec: EdgeSpec) => mid(placed.get(spec.from) ?? { y: 0, height: 0 });
  const entries = new Map<EdgeSpec, number>();
  for (const [target, list] of byEnd(across, "to")) {
    const box = placed.get(target);
    const sorted = [...list].sort((a, b) => sourceY(a) - sourceY(b));
    if (box) spread(box, sorted.length).forEach((y, k) => entries.set(sorted[k], y));
  }
  return entries;
}

/** Where each edge between columns leaves its box: spread in the order of their entries. */
function exitHeights(
  across: readonly EdgeSpec[],
  placed: ReadonlyMap<string, Rect>,
  entries: ReadonlyMap<EdgeSpec, number>,
): Map<EdgeSpec, number> {
  const exits = new Map<EdgeSpec, number>();
  for (const [source, list] of byEnd(across, "from")) {
    const box = placed.get(source);
    if (!box) continue;
    const sorted = [...list].sort((a, b) => (entries.get(a) ?? 0) - (entries.get(b) ?? 0));
    const heights = spread(box, sorted.length);
    sorted.forEach((spec, k) => {
      const entry = entries.get(spec) ?? 0;
      // Level with the entry when the box reaches it: a straight line.
      const level = sorted.length === 1 && entry >= box.y + 8 && entry <= box.y + box.height - 8;
      exits.set(spec, level ? entry : heights[k]);
    });
  }
  return exits;
}

/** The layout sized to hold every box and label, with a margin. */
function boundedLayout(
  boxes: readonly LayoutBox[],
  labels: readonly LayoutLabel[],
  edges: readonly LayoutEdge[],
): Layout {
  const extents = [...boxes, ...labels.map(labelBounds)];
  return {
    width: Math.ceil(Math.max(...extents.map(right)) + MARGIN),
    height: Math.ceil(Math.max(...extents.map((extent) => extent.y + extent.height)) + MARGIN),
    boxes,
    labels,
    edges,
  };
}

function titleLabel(text: string, x: number, y: number, owner: string): LayoutLabel {
  return {
    text,
    x: x + 12,
    y: y + 22,
    fontSize: FONT_SIZE,
    bold: true,
    anchor: "start",
    owner,
  };
}

function textOf(part: Part, box: Rect): LayoutLabel[] {
  return part.lines.map((text, i) => ({
    text,
    x: box.x + BOX_PAD_X,
    y: box.y + FIRST_BASELINE + i * LINE_HEIGHT,
    fontSize: FONT_SIZE,
    bold: i === 0 && part.named === true,
    anchor: "start",
    owner: part.id,
  }));
}

/** The stacks, in deploy order, each with the stacks whose remote state it reads. */
function stacksPanel(
  topology: Topology,
  top: number,
  width: number,
  labels: LayoutLabel[],
): LayoutBox[] {
  const stacks = stacksInOrder(topology);
  if (stacks.length === 0) return [];
  const title = "Terraform stacks in deploy order; each reads the remote state of those it names";
  const parts: Part[] = stacks.map((stack) => ({
    id: `stack:${stack.name}`,
    named: true,
    lines: [
      stack.name,
      stack.reads.length > 0 ? `reads ${stack.reads.join(", ")}` : "reads no other stack",
    ],
  }));
  const natural = Math.max(
    ...parts.flatMap((part) => part.lines.map((line, i) => widthOf(line, i === 0))),
  );
  const boxWidth = Math.ceil(Math.min(MAX_BOX_WIDTH, natural + 2 * BOX_PAD_X));
  const fitted = parts.map((part) => ({
    ...part,
    lines: [
      part.lines[0],
      ...part.lines.slice(1).flatMap((l) => wrap(l, boxWidth - 2 * BOX_PAD_X)),
    ],
  }));
  const perRow = Math.max(1, Math.floor((width - 2 * GROUP_PAD + BOX_GAP) / (boxWidth + BOX_GAP)));
  const rows: Part[][] = [];
  fitted.forEach((part, k) => {
    if (k % perRow === 0) rows.push([]);
    rows[rows.length - 1].push(part);
  });
  const boxes: LayoutBox[] = [];
  let y = top + GROUP_TITLE;
  for (const row of rows) {
    const height = Math.max(...row.map((part) => boxHeight(part.lines.length)));
    row.forEach((part, k) => {
      const box = {
        id: part.id,
        x: MARGIN + GROUP_PAD + k * (boxWidth + BOX_GAP),
        y,
        width: boxWidth,
        height,
      };
      boxes.push({ ...box, kind: "part", parent: "stacks" });
      labels.push(...textOf(part, box));
    });
    y += height + BOX_GAP;
  }
  const gridWidth = Math.min(perRow, fitted.length) * (boxWidth + BOX_GAP) - BOX_GAP;
  labels.push(titleLabel(title, MARGIN, top, "stacks"));
  return [
    {
      id: "stacks",
      kind: "group",
      x: MARGIN,
      y: top,
      width: Math.ceil(
        Math.max(width, gridWidth + 2 * GROUP_PAD, widthOf(title, true) + 2 * GROUP_PAD),
      ),
      height: y - BOX_GAP + GROUP_PAD - top,
    },
    ...boxes,
  ];
}

function escape(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

/** The SVG of a layout: groups, then boxes, edges and, on top, every label. */
export function svgOf(layout: Layout): string {
  const { width, height } = layout;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="${FONT_SIZE}">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
  ];
  for (const box of layout.boxes) {
    out.push(
      box.kind === "group"
        ? `<rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" rx="10" fill="#f4f7fb" stroke="#9fb3c8"/>`
        : `<rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" rx="6" fill="#ffffff" stroke="${box.parent === "stacks" ? "#8a8f98" : "#3a6ea5"}"/>`,
    );
  }
  for (const edge of layout.edges) {
    const [start, ...rest] = edge.points;
    const d = `M ${start.join(" ")} ${rest.map((point) => `L ${point.join(" ")}`).join(" ")}`;
    out.push(
      `<path d="${d}" fill="none" stroke="#444" ${edge.dashed ? 'stroke-dasharray="5 4" ' : ""}${edge.twoWay ? 'marker-start="url(#arrow)" ' : ""}marker-end="url(#arrow)"/>`,
    );
  }
  const edgeIds = new Set(layout.edges.map((edge) => edge.id));
  for (const label of layout.labels) {
    const attributes = [
      `x="${label.x}"`,
      `y="${label.y}"`,
      label.bold ? 'font-weight="bold"' : "",
      label.anchor === "middle" ? 'text-anchor="middle"' : "",
      edgeIds.has(label.owner) ? 'fill="#222"' : "",
    ].filter(Boolean);
    out.push(`<text ${attributes.join(" ")}>${escape(label.text)}</text>`);
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

export function renderSvg(topology: Topology): string {
  return svgOf(diagramLayout(topology));
}
