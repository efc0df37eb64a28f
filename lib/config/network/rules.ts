/**
 * Network and VPN rules across fields: overlapping ranges, ASN pairs, link-local BGP ranges, a
 * real VPN device's addresses, names the stacks derive from VPC names, two sides in one project.
 */
import {
  cidrContains,
  cidrsOverlap,
  isRfc1918,
  prefixLength,
  nonPublicReason,
  nonUnicastReason,
  notAHostOf,
} from "../../network/ipv4";
import { vpnTunnelCount } from "../../network/vpn-topology";
import { onpremRanges, sideRanges, type NamedRange } from "./named-ranges";
import type {
  ApplicationSideView,
  ExternalSiteView,
  GcpSideView,
  SemanticView,
} from "../semantic-view";
import { ConfigProblem } from "../core/problem";
import { GKE_CLUSTER_NAME_MAX, MAX_DISK_GB, clusterProblems } from "../cluster/rules";
import { Registry } from "../registry/rules";

const PRIVATE_ASN_RANGES: ReadonlyArray<readonly [number, number]> = [
  [64512, 65534],
  [4200000000, 4294967294],
];

function isPrivateAsn(asn: number): boolean {
  return PRIVATE_ASN_RANGES.some(([low, high]) => asn >= low && asn <= high);
}

export function overlapProblems(ranges: readonly NamedRange[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  ranges.forEach((range, i) => {
    ranges.slice(0, i).forEach((earlier) => {
      if (cidrsOverlap(earlier.cidr, range.cidr)) {
        problems.push({
          path: range.path,
          value: range.cidr,
          message: `overlaps ${earlier.path} (${earlier.cidr})`,
          hint: "give every subnet, pod, service, control-plane and VPN range its own address space",
        });
      }
    });
  });
  return problems;
}

/** Every range of every side: all must be disjoint (the link-local /30s end on one router). */
export function hybridRanges(view: SemanticView): NamedRange[] {
  return [
    ...onpremRanges(view),
    ...view.sides.flatMap((side) => [
      ...sideRanges(side.path, side),
      ...(side.vpn
        ? [{ path: `${side.path}.vpn.linkLocalRange`, cidr: side.vpn.linkLocalRange }]
        : []),
    ]),
  ];
}

export function gcpSideProblems(side: string, view: GcpSideView): ConfigProblem[] {
  const problems: ConfigProblem[] = view.cluster
    ? clusterProblems(side, view.region, view.cluster)
    : [];
  if (view.network && prefixLength(view.network.subnetCidr) > 28) {
    problems.push({
      path: `${side}.network.subnetCidr`,
      value: view.network.subnetCidr,
      message: "is smaller than a /28",
      hint: "GKE nodes and the reserved registry and cache IPs need at least a /28, e.g. a /24",
    });
  }
  (view.advertisedRanges ?? []).forEach((range, i) => {
    if (prefixLength(range) === 0) {
      problems.push({
        path: `${side}.advertisedRanges.${i}`,
        value: range,
        message: "would advertise a default route over the VPN",
        hint: "advertise only the ranges the other side must reach",
      });
    }
  });
  return problems;
}

/** A GCP side's names, for the rules about two sides in one project. */
interface NamedSide {
  readonly path: string;
  readonly view: GcpSideView;
}

/**
 * Networks and clusters are named per project; the VPN tunnels and the on-prem router's
 * interfaces are named after each side's network, so network names differ across all sides.
 */
export function nameClashProblems(sides: readonly NamedSide[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  sides.forEach((side, i) => {
    for (const earlier of sides.slice(0, i)) {
      const sameProject = side.view.projectId && side.view.projectId === earlier.view.projectId;
      const network = side.view.network?.name;
      const networkClash =
        network !== undefined &&
        network === earlier.view.network?.name &&
        (sameProject || earlier.path !== "onprem");
      if (networkClash) {
        problems.push({
          path: `${side.path}.network.name`,
          value: network,
          message:
            earlier.path === "onprem"
              ? "equals onprem.network.name in the same project"
              : `equals ${earlier.path}.network.name: the VPN tunnels and on-prem router interfaces are named after it`,
          hint: "give each side its own network name",
        });
      }
      const cluster = side.view.cluster?.name;
      if (sameProject && cluster !== undefined && cluster === earlier.view.cluster?.name) {
        problems.push({
          path: `${side.path}.cluster.name`,
          value: cluster,
          message: `equals ${earlier.path}.cluster.name in the same project`,
          hint: "give each side its own cluster name",
        });
      }
    }
  });
  return problems;
}

export function externalSiteProblems(site: ExternalSiteView, registry?: Registry): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const peers = site.peerInterfaces ?? [];
  peers.forEach((ip, i) => {
    if (peers.indexOf(ip) !== i) {
      problems.push({
        path: `onprem.peerInterfaces.${i}`,
        value: ip,
        message: "is listed twice",
        hint: "list each public IP of the VPN device once",
      });
    } else if (isRfc1918(`${ip}/32`)) {
      problems.push({
        path: `onprem.peerInterfaces.${i}`,
        value: ip,
        message: "is a private address",
        hint: "HA VPN connects to the device's public IPs",
      });
    }
  });
  const registryIp = site.registryIp;
  if (
    registryIp &&
    site.networkCidrs?.length &&
    !site.networkCidrs.some((cidr) => cidrContains(cidr, registryIp))
  ) {
    problems.push({
      path: "onprem.registryIp",
      value: registryIp,
      message: "is not inside any of onprem.networkCidrs",
      hint: "the registry must be reachable through the VPN: list its network in onprem.networkCidrs",
    });
  }
  const exposure = registry?.exposure;
  if (registryIp && exposure && (exposure.type !== "loadBalancer" || exposure.ip !== registryIp)) {
    problems.push({
      path: "registry.exposure",
      value: exposure,
      message: "must be a loadBalancer on onprem.registryIp when onprem.mode is external",
      hint: `set registry.exposure to { type: loadBalancer, ip: ${registryIp} }`,
    });
  }
  return problems;
}

export function asnProblems(view: SemanticView): ConfigProblem[] {
  const onprem = view.onprem;
  const asns: Array<{ path: string; asn?: number }> = [
    { path: "onprem.asn", asn: onprem?.mode === "simulated" ? onprem.side.asn : onprem?.site.asn },
    ...view.sides.map((side) => ({ path: `${side.path}.asn`, asn: side.asn })),
  ];
  const problems: ConfigProblem[] = [];
  asns.forEach(({ path, asn }, i) => {
    if (asn === undefined) return;
    if (!isPrivateAsn(asn)) {
      problems.push({
        path,
        value: asn,
        message: "is not a private ASN",
        hint: "use 64512-65534 or 4200000000-4294967294",
      });
    }
    const earlier = asns.slice(0, i).find((other) => other.asn === asn);
    if (earlier) {
      problems.push({
        path,
        value: asn,
        message: `equals ${earlier.path}`,
        hint:
          earlier.path === "onprem.asn"
            ? "each side of the BGP session needs its own ASN, e.g. 64512 on-prem and 64513 in the cloud"
            : "give every application side its own ASN, so each side's routes stay apart at the on-prem router",
      });
    }
  });
  return problems;
}

export function linkLocalProblems(view: SemanticView, side: ApplicationSideView): ConfigProblem[] {
  const linkLocal = side.vpn?.linkLocalRange;
  const path = `${side.path}.vpn.linkLocalRange`;
  if (!linkLocal) return [];
  const peers = view.onprem?.mode === "external" ? view.onprem.site.peerInterfaces?.length : 2;
  const tunnels = vpnTunnelCount(peers ?? 2);
  if (prefixLength(linkLocal) < 16 || !cidrContains("169.254.0.0/16", linkLocal.split("/")[0])) {
    return [
      {
        path,
        value: linkLocal,
        message: "is not inside 169.254.0.0/16",
        hint: "Cloud Router BGP sessions use link-local addresses, e.g. 169.254.0.0/29",
      },
    ];
  }
  const needed = 32 - Math.log2(tunnels * 4);
  return prefixLength(linkLocal) > needed
    ? [
        {
          path,
          value: linkLocal,
          message: `cannot hold ${tunnels} tunnel /30s`,
          hint: `use a /${needed} or larger`,
        },
      ]
    : [];
}

/**
 * The longest suffix the stacks append to each side's VPC name (stacks/*.ts, lib/network/*):
 * tunnels `<vpc>-to-onprem-reverse-<n>-bgp` on the cloud side, firewall `<vpc>-allow-internal`
 * (lib/network/firewall.ts) and the subnet `<vpc>-<region>` on both.
 */
const LONGEST_SUFFIX = { cloud: "-to-onprem-reverse-3-bgp", onprem: "-allow-internal" } as const;

export function gcpNameProblems(
  side: string,
  kind: keyof typeof LONGEST_SUFFIX,
  view: GcpSideView,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const network = view.network?.name;
  if (network) {
    const derived = [`${network}${LONGEST_SUFFIX[kind]}`, `${network}-${view.region ?? ""}`];
    const tooLong = derived.find((name) => name.length > 63);
    if (tooLong) {
      problems.push({
        path: `${side}.network.name`,
        value: network,
        message: `is too long: the derived GCP name ${tooLong} has ${tooLong.length} characters (at most 63)`,
        hint: `shorten it to ${63 - (tooLong.length - network.length)} characters or fewer`,
      });
    }
  }
  const cluster = view.cluster;
  if (cluster && cluster.name.length > GKE_CLUSTER_NAME_MAX) {
    problems.push({
      path: `${side}.cluster.name`,
      value: cluster.name,
      message: `has ${cluster.name.length} characters: GKE cluster names have at most ${GKE_CLUSTER_NAME_MAX}`,
      hint: "shorten the cluster name",
    });
  }
  if (cluster && cluster.nodePool.diskSizeGb > MAX_DISK_GB) {
    problems.push({
      path: `${side}.cluster.nodePool.diskSizeGb`,
      value: cluster.nodePool.diskSizeGb,
      message: `is larger than the largest persistent disk (${MAX_DISK_GB} GB)`,
      hint: "node boot disks need far less, e.g. 50 or 100",
    });
  }
  return problems;
}

export function siteProblems(view: SemanticView): ConfigProblem[] {
  if (view.onprem?.mode !== "external") return [];
  const site = view.onprem.site;
  const problems: ConfigProblem[] = [];
  (site.peerInterfaces ?? []).forEach((ip, i) => {
    const reason = nonPublicReason(ip);
    // Private addresses have their own rule (externalSiteProblems above).
    if (reason && !reason.startsWith("a private")) {
      problems.push({
        path: `onprem.peerInterfaces.${i}`,
        value: ip,
        message: `is ${reason}, not a public unicast address`,
        hint: "list the public IPs of the VPN device's interfaces",
      });
    }
  });
  const ip = site.registryIp;
  if (ip) {
    const reason =
      nonUnicastReason(ip) ??
      (site.networkCidrs ?? [])
        .filter((cidr) => cidrContains(cidr, ip))
        .map((cidr) => notAHostOf(cidr, ip))
        .find(Boolean);
    if (reason) {
      problems.push({
        path: "onprem.registryIp",
        value: ip,
        message: `is ${reason}`,
        hint: "use a free host address of the on-prem network",
      });
    }
  }
  return problems;
}
