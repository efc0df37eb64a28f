/**
 * Registry and cache rules across fields, and the limits the platforms enforce on them
 * (Kubernetes resources, PKI, storage, exposure, namespaces, the private DNS zone), checked
 * before anything is written so that an accepted file never fails at plan or apply. Each rule
 * cites the platform's documented limit.
 */
import { isUsableGcpSubnetHost, nonUnicastReason } from "../../network/ipv4";
import { parentDomain, privateZoneNameOf } from "../derived";
import type { ApplicationSideView, SemanticView } from "../semantic-view";
import { quantityValue } from "../core/quantity";
import { ConfigProblem } from "../core/problem";

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

/** Major version of a Distribution image from its tag (`registry:3.0.0` -> 3), if it has one. */
export function distributionMajorVersion(image: string): number | undefined {
  const tag = image.split("@")[0].split("/").pop()?.split(":")[1];
  const match = tag?.match(/^v?(\d+)(\.|$)/);
  return match ? Number(match[1]) : undefined;
}
export type Registry = NonNullable<SemanticView["registry"]>;
type App = NonNullable<SemanticView["app"]>;

export function cacheProblems(
  side: ApplicationSideView,
  registry: Registry,
  app: App,
): ConfigProblem[] {
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
export function appProblems(app: App, appPath: string): ConfigProblem[] {
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

export function registryProblems(registry: Registry, app?: App): ConfigProblem[] {
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

/** GCP resource names: RFC 1035, 1-63 characters (https://cloud.google.com/compute/docs/naming-resources). */
const GCP_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Requests above limits are refused by the API server (https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/). */
export function resourceProblems(registry: Registry): ConfigProblem[] {
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

export function pkiProblems(registry: Registry): ConfigProblem[] {
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
export function storageProblems(registry: Registry): ConfigProblem[] {
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
export function exposureProblems(registry: Registry): ConfigProblem[] {
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
export function namespaceProblems(
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
export function dnsZoneProblems(view: SemanticView, registry: Registry): ConfigProblem[] {
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
