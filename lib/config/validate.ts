import {
  cidrContains,
  cidrsOverlap,
  isRfc1918,
  isUsableGcpSubnetHost,
  prefixLength,
} from "../network/ipv4";
import { vpnTunnelCount } from "../network/vpn-topology";
import { onpremRanges, sideRanges, type NamedRange } from "./named-ranges";
import { isVolumeStorage, parentDomain } from "./derived";
import { derivedNameProblems } from "./derived-names";
import { platformProblems } from "./platform-rules";
import type { SourcePosition } from "./source-position";
import { applicationSidesFormProblems, manySidesProblems, singleSideProblems } from "./side-rules";
import type {
  ApplicationSideView,
  ExternalSiteView,
  GcpSideView,
  SemanticView,
} from "./semantic-view";

/** One thing wrong with an environment file. */
export interface ConfigProblem {
  /** Dotted path of the offending field, e.g. `cloud.network.subnetCidr`. */
  readonly path: string;
  readonly value: unknown;
  readonly message: string;
  readonly hint: string;
  /** Where the file has it; the loader fills it in. @default unknown */
  readonly position?: SourcePosition;
}

const PRIVATE_ASN_RANGES: ReadonlyArray<readonly [number, number]> = [
  [64512, 65534],
  [4200000000, 4294967294],
];

/** Authorized networks wider than this are refused (0.0.0.0/0 split in halves included). */
const MIN_AUTHORIZED_PREFIX = 8;

/** GKE's containerd private-registry CA trust needs this version or later on COS. */
const NATIVE_CA_TRUST_MIN_VERSION = [1, 27, 3, 1700] as const;

function isPrivateAsn(asn: number): boolean {
  return PRIVATE_ASN_RANGES.some(([low, high]) => asn >= low && asn <= high);
}

const FQDN_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function fqdnProblem(fqdn: string): string | undefined {
  const labels = fqdn.split(".");
  if (fqdn.length > 253 || labels.length < 2 || !labels.every((l) => FQDN_LABEL.test(l))) {
    return "is not a valid lowercase fully qualified domain name";
  }
  if (labels[labels.length - 1] === "local") {
    return "uses .local, which is reserved for multicast DNS (RFC 6762)";
  }
  return undefined;
}

function compareGkeVersion(version: string, minimum: readonly number[]): number {
  const parts = version.match(/\d+/g)?.map(Number) ?? [];
  for (let i = 0; i < minimum.length; i++) {
    const diff = (parts[i] ?? 0) - minimum[i];
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Major version of a Distribution image from its tag (`registry:3.0.0` -> 3), if it has one. */
export function distributionMajorVersion(image: string): number | undefined {
  const tag = image.split("@")[0].split("/").pop()?.split(":")[1];
  const match = tag?.match(/^v?(\d+)(\.|$)/);
  return match ? Number(match[1]) : undefined;
}

function overlapProblems(ranges: readonly NamedRange[]): ConfigProblem[] {
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

type Cluster = NonNullable<GcpSideView["cluster"]>;
type Registry = NonNullable<SemanticView["registry"]>;
type App = NonNullable<SemanticView["app"]>;

/** Every range of every side: all must be disjoint (the link-local /30s end on one router). */
function hybridRanges(view: SemanticView): NamedRange[] {
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

function clusterProblems(
  side: string,
  region: string | undefined,
  cluster: Cluster,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const cp = cluster.controlPlaneCidr;
  if (prefixLength(cp) !== 28) {
    problems.push({
      path: `${side}.cluster.controlPlaneCidr`,
      value: cp,
      message: "must be a /28",
      hint: "GKE private control planes need exactly a /28, e.g. 172.16.0.0/28",
    });
  } else if (!isRfc1918(cp)) {
    problems.push({
      path: `${side}.cluster.controlPlaneCidr`,
      value: cp,
      message: "is not an RFC 1918 private range",
      hint: "use a /28 from 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16",
    });
  }
  cluster.authorizedNetworks.forEach((network, i) => {
    const prefix = prefixLength(network.cidr);
    if (prefix < MIN_AUTHORIZED_PREFIX) {
      problems.push({
        path: `${side}.cluster.authorizedNetworks.${i}.cidr`,
        value: network.cidr,
        message:
          prefix === 0
            ? "opens the control plane to the whole internet"
            : `is wider than a /${MIN_AUTHORIZED_PREFIX}`,
        hint: "list only the networks that run kubectl or Terraform, or set dnsEndpoint: true",
      });
    }
  });
  if (
    region &&
    cluster.location &&
    cluster.location !== region &&
    !cluster.location.startsWith(`${region}-`)
  ) {
    problems.push({
      path: `${side}.cluster.location`,
      value: cluster.location,
      message: `is not in the side's region ${region}`,
      hint: `use ${region} (regional) or a zone such as ${region}-b`,
    });
  }
  const autoscaling = cluster.nodePool.autoscaling;
  if (autoscaling && autoscaling.minNodes > autoscaling.maxNodes) {
    problems.push({
      path: `${side}.cluster.nodePool.autoscaling`,
      value: autoscaling,
      message: "has minNodes greater than maxNodes",
      hint: "set minNodes <= maxNodes",
    });
  }
  return problems;
}

function gcpSideProblems(side: string, view: GcpSideView): ConfigProblem[] {
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
function nameClashProblems(sides: readonly NamedSide[]): ConfigProblem[] {
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

function externalSiteProblems(site: ExternalSiteView, registry?: Registry): ConfigProblem[] {
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

function asnProblems(view: SemanticView): ConfigProblem[] {
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

function linkLocalProblems(view: SemanticView, side: ApplicationSideView): ConfigProblem[] {
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

function cacheProblems(side: ApplicationSideView, registry: Registry, app: App): ConfigProblem[] {
  const cache = app.pullThroughCache;
  if (!cache.enabled) return [];
  const problems: ConfigProblem[] = [];
  const subnet = side.network?.subnetCidr;
  const at = `${side.appPath}.pullThroughCache`;
  if (cache.ip && subnet && !isUsableGcpSubnetHost(subnet, cache.ip)) {
    problems.push({
      path: `${at}.ip`,
      value: cache.ip,
      message: `is not a usable address of ${side.path}.network.subnetCidr (${subnet})`,
      hint: "pick a free host address inside the application subnet",
    });
  }
  if (cache.fqdn === registry.fqdn) {
    problems.push({
      path: `${at}.fqdn`,
      value: cache.fqdn,
      message: "equals registry.fqdn",
      hint: "the cache needs its own name, e.g. registry-cache.onprem.internal",
    });
  } else if (parentDomain(cache.fqdn) !== parentDomain(registry.fqdn)) {
    problems.push({
      path: `${at}.fqdn`,
      value: cache.fqdn,
      message: `is not in the registry's DNS zone ${parentDomain(registry.fqdn)}`,
      hint: `name the cache inside the private zone, e.g. registry-cache.${parentDomain(registry.fqdn)}`,
    });
  }
  return problems;
}

/** Rules of one application side on its own and against on-prem. */
function applicationSideProblems(view: SemanticView, side: ApplicationSideView): ConfigProblem[] {
  const problems = [...linkLocalProblems(view, side), ...gcpSideProblems(side.path, side)];
  const version = side.cluster?.minMasterVersion;
  if (version && compareGkeVersion(version, NATIVE_CA_TRUST_MIN_VERSION) < 0) {
    problems.push({
      path: `${side.path}.cluster.minMasterVersion`,
      value: version,
      message:
        "is older than 1.27.3-gke.1700, which GKE needs to trust a private registry CA natively",
      hint: "remove minMasterVersion to follow the release channel, or use 1.27.3-gke.1700 or later",
    });
  }
  if (view.registry && side.app) problems.push(...cacheProblems(side, view.registry, side.app));
  if (side.app && side.appPath !== "app") problems.push(...appProblems(side.app, side.appPath));
  return problems;
}

function hybridProblems(view: SemanticView): ConfigProblem[] {
  const { onprem, registry } = view;
  const problems: ConfigProblem[] = [
    ...applicationSidesFormProblems(view),
    ...overlapProblems(hybridRanges(view)),
    ...asnProblems(view),
    ...view.sides.flatMap((side) => applicationSideProblems(view, side)),
    ...nameClashProblems([
      ...(onprem?.mode === "simulated" ? [{ path: "onprem", view: onprem.side }] : []),
      ...view.sides.map((side) => ({ path: side.path, view: side })),
    ]),
  ];
  problems.push(...(view.declares.sides ? manySidesProblems(view) : singleSideProblems(view)));
  if (onprem?.mode === "simulated") {
    problems.push(...gcpSideProblems("onprem", onprem.side));
    const subnet = onprem.side.network?.subnetCidr;
    if (onprem.registryIp && subnet && !isUsableGcpSubnetHost(subnet, onprem.registryIp)) {
      problems.push({
        path: "onprem.registryIp",
        value: onprem.registryIp,
        message: `is not a usable address of onprem.network.subnetCidr (${subnet})`,
        hint: "pick a host address inside the subnet (GCP reserves the first two and last two)",
      });
    }
    if (registry && registry.exposure.type !== "internalLoadBalancer") {
      problems.push({
        path: "registry.exposure.type",
        value: registry.exposure.type,
        message: "must be internalLoadBalancer when onprem.mode is simulated",
        hint: "the registry is reached across the VPN on the reserved internal IP",
      });
    }
  } else if (onprem?.mode === "external") {
    problems.push(...externalSiteProblems(onprem.site, registry));
  }
  problems.push(...alertProblems(view));
  return problems;
}

/**
 * Alert policies live in the application sides' projects, and a policy notifies channels of
 * its own project only: each given channel must belong to a side's project.
 */
function alertProblems(view: SemanticView): ConfigProblem[] {
  const alerts = view.alerts;
  const projects = [
    ...new Set(view.sides.flatMap((side) => (side.projectId ? [side.projectId] : []))),
  ];
  if (!alerts || projects.length === 0) return [];
  const problems: ConfigProblem[] = alerts.notificationChannels.flatMap((channel, index) =>
    projects.some((project) => channel.startsWith(`projects/${project}/`))
      ? []
      : [
          {
            path: `alerts.notificationChannels.${String(index)}`,
            value: channel,
            message:
              projects.length === 1
                ? `is not a channel of the application project ${projects[0]}, where the alert policies are`
                : `is not a channel of any application side's project (${projects.join(", ")}), where the alert policies are`,
            hint: `use a channel of projects/${projects[0]}, or list an address in alerts.emails`,
          },
        ],
  );
  if (alerts.side !== undefined && !view.declares.sides) {
    problems.push({
      path: "alerts.side",
      value: alerts.side,
      message: "is only for sides: with cloud, the one side gets every alert",
      hint: "remove alerts.side",
    });
  } else if (alerts.side !== undefined && !view.sides.some((side) => side.name === alerts.side)) {
    problems.push({
      path: "alerts.side",
      value: alerts.side,
      message: "names no side under sides",
      hint: `use one of ${view.sides.map((side) => side.name).join(", ")}`,
    });
  }
  return problems;
}

/**
 * The registry image must be a pinned Distribution 3 release. Distribution 2 is end of life
 * (https://github.com/distribution/distribution/blob/main/README.md: v2 receives no updates)
 * and its proxy cannot log in to a basic-auth upstream. An untagged, `latest` or otherwise
 * unversioned tag cannot be checked and may change under a running registry: a digest
 * (`registry@sha256:...`) is accepted as the user's explicit pin.
 */
function registryImageProblems(image: string): ConfigProblem[] {
  const major = distributionMajorVersion(image);
  const hasDigest = image.includes("@sha256:");
  if (major !== undefined && major < 3) {
    return [
      {
        path: "registry.image",
        value: image,
        message:
          "is Distribution 2.x: end of life, and its pull-through cache cannot log in to a basic-auth upstream",
        hint: "use registry:3.1.1 (the default) or a later 3.x release",
      },
    ];
  }
  if (major === undefined && !hasDigest) {
    return [
      {
        path: "registry.image",
        value: image,
        message: "is not pinned to a Distribution release (no version tag, no digest)",
        hint: "pin a 3.x release such as registry:3.1.1, or a digest (registry@sha256:…)",
      },
    ];
  }
  return [];
}

/** Rules of an app section (the top-level one, or a side's own at `appPath`). */
function appProblems(app: App, appPath: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (app.podSecurity === "restricted" && app.sampleApp.enabled) {
    problems.push({
      path: `${appPath}.podSecurity`,
      value: app.podSecurity,
      message:
        "refuses the sample app: nginx runs as root, which the restricted Pod Security Standard forbids",
      hint: `set ${appPath}.sampleApp.enabled: false, or keep ${appPath}.podSecurity: baseline`,
    });
  }
  const fqdn = app.pullThroughCache.fqdn;
  const problem = app.pullThroughCache.enabled ? fqdnProblem(fqdn) : undefined;
  if (problem) {
    problems.push({
      path: `${appPath}.pullThroughCache.fqdn`,
      value: fqdn,
      message: problem,
      hint: "use a name in a private domain you control, e.g. registry.onprem.internal",
    });
  }
  return problems;
}

function registryProblems(registry: Registry, app?: App): ConfigProblem[] {
  const problems: ConfigProblem[] = [
    ...registryImageProblems(registry.image),
    ...(app ? appProblems(app, "app") : []),
  ];
  const fqdnError = fqdnProblem(registry.fqdn);
  if (fqdnError) {
    problems.push({
      path: "registry.fqdn",
      value: registry.fqdn,
      message: fqdnError,
      hint: "use a name in a private domain you control, e.g. registry.onprem.internal",
    });
  }
  if (registry.pushUser === registry.pullUser) {
    problems.push({
      path: "registry.pullUser",
      value: registry.pullUser,
      message: "equals registry.pushUser",
      hint: "pulling clusters get a separate, read-only credential",
    });
  }
  const storageType = registry.storage.type;
  if (registry.garbageCollection.enabled === true && storageType === "emptyDir") {
    problems.push({
      path: "registry.garbageCollection.enabled",
      value: true,
      message:
        "needs storage a job can reach beside the registry; emptyDir storage lives only inside the registry's pod (and is lost with it)",
      hint: "use registry.storage.type: pvc, hostPath, s3 or gcs, or remove registry.garbageCollection.enabled",
    });
  }
  if (registry.replicas > 1 && storageType !== "s3" && storageType !== "gcs") {
    problems.push({
      path: "registry.replicas",
      value: registry.replicas,
      message: `needs bucket storage shared by every replica; ${storageType} storage has one writer`,
      hint: "set registry.storage.type: s3 (any S3-compatible store) or gcs (simulated on-prem), or registry.replicas: 1",
    });
  }
  const targets = registry.seedImages.map((image) => image.target);
  targets.forEach((target, i) => {
    if (targets.indexOf(target) !== i) {
      problems.push({
        path: `registry.seedImages.${i}.target`,
        value: target,
        message: "is listed twice",
        hint: "each seeded image needs its own target",
      });
    }
  });
  return problems;
}

/** Snapshots need the GKE Persistent Disk; archives a claim to write to and a volume to read. */
function backupProblems(view: SemanticView, registry: Registry): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { snapshots, archive } = registry.backup;
  const onGkeDisk =
    view.mode === "hybrid" && view.onprem?.mode === "simulated" && registry.storage.type === "pvc";
  if (snapshots.enabled === true && !onGkeDisk) {
    problems.push({
      path: "registry.backup.snapshots.enabled",
      value: true,
      message:
        "needs the registry on a GKE Persistent Disk (hybrid mode, simulated on-prem, pvc storage)",
      hint: "use registry.backup.archive, or your storage's own snapshots (docs/operations.md, Backup and restore)",
    });
  }
  if (archive.enabled && archive.claimName === undefined) {
    problems.push({
      path: "registry.backup.archive.claimName",
      value: undefined,
      message: "is required when registry.backup.archive.enabled is true",
      hint: "create a PersistentVolumeClaim for the archives in the registry namespace and name it here",
    });
  }
  if (archive.enabled && !isVolumeStorage(registry.storage.type)) {
    problems.push({
      path: "registry.backup.archive.enabled",
      value: true,
      message:
        registry.storage.type === "emptyDir"
          ? "cannot read emptyDir storage, which lives only inside the registry's pod"
          : `archives a volume; ${registry.storage.type} storage is a bucket`,
      hint:
        registry.storage.type === "emptyDir"
          ? "use registry.storage.type: pvc or hostPath"
          : "use the bucket's versioning and replication (docs/operations.md, Backup and restore)",
    });
  }
  if (
    registry.storage.type === "gcs" &&
    !(view.mode === "hybrid" && view.onprem?.mode === "simulated")
  ) {
    problems.push({
      path: "registry.storage.type",
      value: "gcs",
      message:
        "is for the simulated on-prem on GKE (Workload Identity to a bucket onprem-network creates)",
      hint: "use s3 storage (any S3-compatible store) for a real site or a standalone cluster",
    });
  }
  return problems;
}

function standaloneProblems(view: SemanticView): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { registry, app } = view;
  const exposure = registry?.exposure;
  if (exposure?.type === "clusterIP" && !exposure.nodeProxy) {
    problems.push({
      path: "registry.exposure.nodeProxy",
      value: false,
      message: "leaves the nodes no way to reach a ClusterIP registry",
      hint: "set nodeProxy: true (nodes pull from localhost:5000), or use nodePort or loadBalancer",
    });
  }
  if (registry && app && app.namespace === registry.namespace) {
    problems.push({
      path: "app.namespace",
      value: app.namespace,
      message: "equals registry.namespace",
      hint: "keep the registry and the applications that pull from it in separate namespaces",
    });
  }
  if (app?.pullThroughCache.enabled) {
    problems.push({
      path: "app.pullThroughCache.enabled",
      value: true,
      message: "has nothing to cache in standalone mode: the registry is in the same cluster",
      hint: "set it to false",
    });
  }
  return problems;
}

/**
 * Every cross-field problem of a config, checked on each part that is valid on its own, so
 * they are reported together with schema problems elsewhere in the file.
 */
export function semanticProblems(view: SemanticView): ConfigProblem[] {
  if (!view.mode) return [];
  return [
    ...platformProblems(view),
    ...derivedNameProblems(view),
    ...(view.registry ? registryProblems(view.registry, view.app) : []),
    ...(view.registry ? backupProblems(view, view.registry) : []),
    ...(view.mode === "hybrid" ? hybridProblems(view) : standaloneProblems(view)),
  ];
}
