import { cidrContains, nonPublicReason, nonUnicastReason, notAHostOf } from "../network/ipv4";
import { privateZoneNameOf } from "./derived";
import { quantityValue } from "./quantity";
import type { GcpSideView, SemanticView } from "./semantic-view";
import type { ConfigProblem } from "./validate";

/**
 * Rules the platforms enforce, checked before anything is written so that an accepted file
 * never fails at plan or apply. Each rule cites the platform's documented limit.
 */

type Registry = NonNullable<SemanticView["registry"]>;
type App = NonNullable<SemanticView["app"]>;

/** GCP resource names: RFC 1035, 1-63 characters (https://cloud.google.com/compute/docs/naming-resources). */
const GCP_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** GKE cluster names: at most 40 characters (https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters#Cluster). */
const GKE_CLUSTER_NAME_MAX = 40;
/** Largest persistent disk: 64 TB (https://cloud.google.com/compute/docs/disks#introduction). */
const MAX_DISK_GB = 65536;

/**
 * The longest suffix the stacks append to each side's VPC name (stacks/*.ts, lib/network/*):
 * tunnels `<vpc>-to-onprem-reverse-<n>-bgp` on the cloud side, firewall `<vpc>-allow-internal`
 * (lib/network/firewall.ts) and the subnet `<vpc>-<region>` on both.
 */
const LONGEST_SUFFIX = { cloud: "-to-onprem-reverse-3-bgp", onprem: "-allow-internal" } as const;

function gcpNameProblems(
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

/**
 * Node service account ids are the first 24 characters of the cluster name plus `-nodes`
 * (lib/gke/node-service-account.ts): two clusters in one project must not share them.
 */
function serviceAccountProblems(
  sides: ReadonlyArray<{ readonly path: string; readonly view: GcpSideView }>,
): ConfigProblem[] {
  const id = (name: string) => `${name.slice(0, 24).replace(/-+$/, "")}-nodes`;
  return sides.flatMap((side, i) => {
    const b = side.view.cluster?.name;
    const clash = sides.slice(0, i).find((earlier) => {
      const a = earlier.view.cluster?.name;
      return a && b && earlier.view.projectId === side.view.projectId && a !== b && id(a) === id(b);
    });
    return clash && b
      ? [
          {
            path: `${side.path}.cluster.name`,
            value: b,
            message: `gives the same node service account id (${id(b)}) as ${clash.path}.cluster.name in the same project`,
            hint: "make the two cluster names differ within their first 24 characters",
          },
        ]
      : [];
  });
}

/** Requests above limits are refused by the API server (https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/). */
function resourceProblems(registry: Registry): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const resource of ["cpu", "memory"] as const) {
    const request = registry.resources.requests[resource];
    const limit = registry.resources.limits[resource];
    const requested = quantityValue(request);
    const limited = quantityValue(limit);
    if (requested !== undefined && limited !== undefined && requested > limited) {
      problems.push({
        path: `registry.resources.requests.${resource}`,
        value: request,
        message: `is more than registry.resources.limits.${resource} (${limit})`,
        hint: "a request must not exceed its limit: raise the limit or lower the request",
      });
    }
  }
  return problems;
}

function pkiProblems(registry: Registry): ConfigProblem[] {
  const { serverValidityDays, caValidityDays, earlyRenewalDays, renewalNoticeDays } = registry.pki;
  const problems: ConfigProblem[] = [];
  // A certificate is only valid while its issuer is (RFC 5280 §6.1): one that outlives the CA
  // would be refused by every client before it is renewed.
  if (serverValidityDays >= caValidityDays) {
    problems.push({
      path: "registry.pki.serverValidityDays",
      value: serverValidityDays,
      message: `is not shorter than caValidityDays (${caValidityDays}): the certificate would outlive its CA`,
      hint: "keep server certificates much shorter-lived than the CA, e.g. 365 and 3650",
    });
  }
  if (earlyRenewalDays + renewalNoticeDays < serverValidityDays) return problems;
  return [
    ...problems,
    {
      path: "registry.pki.earlyRenewalDays",
      value: earlyRenewalDays,
      message: `plus renewalNoticeDays (${renewalNoticeDays}) is not shorter than serverValidityDays (${serverValidityDays}): the certificate would be renewed (or warned about) on every plan`,
      hint: "keep earlyRenewalDays + renewalNoticeDays well below serverValidityDays",
    },
  ];
}

/**
 * The node a hostPath registry runs on is a `kubernetes.io/hostname` label value (at most 63
 * characters, alphanumeric at both ends, `-_.` inside:
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set),
 * and the path must be absolute and normalised: `..` would leave the directory the docs
 * tell users to create.
 */
function storageProblems(registry: Registry): ConfigProblem[] {
  const storage = registry.storage;
  const problems: ConfigProblem[] = [];
  if (storage.type === "hostPath") {
    if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(storage.node)) {
      problems.push({
        path: "registry.storage.node",
        value: storage.node,
        message:
          "is not a valid node name (a label value: at most 63 characters, alphanumeric at both ends)",
        hint: "use the node's kubernetes.io/hostname label, e.g. from kubectl get nodes",
      });
    }
    const segments = storage.path.split("/").slice(1);
    if (storage.path === "/" || segments.some((s) => s === "" || s === "." || s === "..")) {
      problems.push({
        path: "registry.storage.path",
        value: storage.path,
        message: "is not a normalised absolute directory (no //, ., .. or trailing /, not /)",
        hint: "write the directory's plain absolute path, e.g. /srv/registry",
      });
    }
  }
  if (storage.type === "pvc") {
    // A DNS subdomain (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-subdomain-names);
    // the StorageClass name is checked by the schema.
    const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
    // CSI driver names: at most 63 characters, a DNS subdomain
    // (https://github.com/container-storage-interface/spec/blob/master/spec.md#getplugininfo).
    const driver = storage.provisioner?.name;
    if (driver && (driver.length > 63 || !subdomain.test(driver.toLowerCase()))) {
      problems.push({
        path: "registry.storage.provisioner.name",
        value: driver,
        message: "is not a valid CSI driver name (a DNS subdomain of at most 63 characters)",
        hint: "use the driver's name, e.g. pd.csi.storage.gke.io or driver.longhorn.io",
      });
    }
  }
  return problems;
}

/** A load balancer's fixed address must be a unicast host address. */
function exposureProblems(registry: Registry): ConfigProblem[] {
  const exposure = registry.exposure;
  if (exposure.type !== "loadBalancer") return [];
  const reason = nonUnicastReason(exposure.ip);
  return reason
    ? [
        {
          path: "registry.exposure.ip",
          value: exposure.ip,
          message: `is ${reason}, not an address a load balancer can serve on`,
          hint: "use a free unicast address from the load balancer's pool",
        },
      ]
    : [];
}

/** Namespaces the stacks create on one cluster must differ (two would fail the apply). */
function namespaceProblems(
  view: SemanticView,
  registry: Registry,
  app: App,
  appPath: string,
): ConfigProblem[] {
  /** The namespaces created on the application cluster; `path` when the config names it. */
  interface Owned {
    readonly owner: string;
    readonly name: string;
    readonly path?: string;
  }
  const owned: Owned[] = [
    { owner: "the applications", name: app.namespace, path: `${appPath}.namespace` },
  ];
  if (app.caTrustDaemonSet.enabled)
    owned.push({ owner: "the CA trust DaemonSet", name: "registry-ca-trust" });
  if (view.mode === "hybrid" && app.pullThroughCache.enabled) {
    owned.push({ owner: "the pull-through cache", name: "registry-cache" });
  }
  if (view.mode === "standalone") {
    owned.push({ owner: "the registry", name: registry.namespace, path: "registry.namespace" });
    if (registry.exposure.type === "clusterIP" && registry.exposure.nodeProxy) {
      owned.push({ owner: "the node proxy", name: "registry-node-proxy" });
    }
  }
  const problems: ConfigProblem[] = [];
  owned.forEach((later, i) => {
    const earlier = owned.slice(0, i).find((other) => other.name === later.name);
    if (!earlier) return;
    // Report at a setting the user can change: the later one if configurable, else the earlier.
    const [at, other] = later.path ? [later, earlier] : [earlier, later];
    if (!at.path) return;
    problems.push({
      path: at.path,
      value: at.name,
      message: `is also the namespace of ${other.owner} on the same cluster`,
      hint: "give each component its own namespace",
    });
  });
  return problems;
}

/** Cloud DNS zone names: 1-63 characters, starting with a letter (https://cloud.google.com/dns/docs/reference/rest/v1/managedZones). */
function dnsZoneProblems(view: SemanticView, registry: Registry): ConfigProblem[] {
  const sideNames = view.declares.sides ? view.sides.map((side) => side.name) : [undefined];
  const zone = sideNames
    .map((side) => privateZoneNameOf(registry.fqdn, side))
    .find((name) => !GCP_NAME.test(name));
  return zone === undefined
    ? []
    : [
        {
          path: "registry.fqdn",
          value: registry.fqdn,
          message: `gives the Cloud DNS zone name ${zone}, which must start with a letter and have at most 63 characters`,
          hint: "use a parent domain that starts with a letter and is shorter, e.g. onprem.internal",
        },
      ];
}

function siteProblems(view: SemanticView): ConfigProblem[] {
  if (view.onprem?.mode !== "external") return [];
  const site = view.onprem.site;
  const problems: ConfigProblem[] = [];
  (site.peerInterfaces ?? []).forEach((ip, i) => {
    const reason = nonPublicReason(ip);
    // Private addresses have their own rule (validate.ts).
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

/** Every platform rule the view's valid parts allow to check. */
export function platformProblems(view: SemanticView): ConfigProblem[] {
  const registry = view.registry;
  const app = view.app;
  const onpremSide = view.onprem?.mode === "simulated" ? view.onprem.side : undefined;
  return [
    ...(onpremSide ? gcpNameProblems("onprem", "onprem", onpremSide) : []),
    ...view.sides.flatMap((side) => gcpNameProblems(side.path, "cloud", side)),
    ...serviceAccountProblems([
      ...(onpremSide ? [{ path: "onprem", view: onpremSide }] : []),
      ...view.sides.map((side) => ({ path: side.path, view: side })),
    ]),
    ...(registry ? resourceProblems(registry) : []),
    ...(registry ? pkiProblems(registry) : []),
    ...(registry ? storageProblems(registry) : []),
    ...(registry ? exposureProblems(registry) : []),
    ...(registry && view.mode === "hybrid" ? dnsZoneProblems(view, registry) : []),
    ...(registry && app ? namespaceProblems(view, registry, app, "app") : []),
    // A side's own app section is checked where it is.
    ...view.sides.flatMap((side) =>
      registry && side.app && side.appPath !== "app"
        ? namespaceProblems(view, registry, side.app, side.appPath)
        : [],
    ),
    ...siteProblems(view),
  ];
}
