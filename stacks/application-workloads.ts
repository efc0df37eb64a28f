import type { Construct } from "constructs";
import type { ITerraformDependable, TerraformProvider } from "cdktf";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import type { AppSection, Config } from "../lib/config/schema";
import { appLabels, selectorLabels } from "../lib/k8s/labels";
import { podSecurityLabels } from "../lib/k8s/pod-security";
import { CaTrustDaemonSet } from "../lib/registry/ca-trust-daemonset";
import { PullAccess } from "../lib/registry/pull-access";
import type { RegistryUser } from "../lib/registry/registry-credentials";
import { REGISTRY_CONTAINER_PORT } from "../lib/registry/ports";
import { RegistryNetworkPolicy } from "../lib/registry/registry-network-policy";
import { RegistryPriorityClass } from "../lib/registry/registry-priority-class";
import { RegistryServer } from "../lib/registry/registry-server";
import { REGISTRY_DEBUG_PORT } from "../lib/registry/distribution-listeners";
import { SampleApp } from "../lib/registry/sample-app";
import { addScrapeTargets } from "./registry-workloads";
import type { NodeRegistryEndpoint } from "./settings";

/** The pull-through cache's certificate and address, from the network stacks. */
export interface CacheInputs {
  readonly tls: { readonly certificatePem: string; readonly privateKeyPem: string };
  readonly ip: string;
  readonly sourceRanges: string[];
  /**
   * What the cache's NetworkPolicy admits to its port: the application network's ranges (its
   * nodes pull), or `anywhere` where the CNI cannot select nodes by address (see
   * `pullSourcesOn`).
   */
  readonly pullFrom: readonly string[] | "anywhere";
  /** The cache's Distribution `http.secret` (it only signs upload state; a proxy takes none). */
  readonly httpSecret: string;
}

/** What the application side needs. */
export interface AppInputs {
  readonly provider: TerraformProvider;
  /** Registries nodes pull from (the registry, then the cache when there is one). */
  readonly endpoints: NodeRegistryEndpoint[];
  /** @default no pull-through cache */
  readonly cache?: CacheInputs;
}

/** How the application side reaches the registry. */
export interface RegistryAccess {
  /** The read-only user clusters pull with. */
  readonly pull: RegistryUser;
  readonly caCertificatePem: string;
  /**
   * What puts the sample app's image in the registry when the registry is in the same stack
   * (its Deployment and the seed Job): the sample app starts after them.
   * @default none (the registry's stack was applied before)
   */
  readonly imagesPushed?: ITerraformDependable[];
}

/** Name of the cache's Deployment, Service and pods (`app.kubernetes.io/name`). */
const CACHE_NAME = "registry-cache";

/** Distribution in proxy mode in the application cluster: each layer crosses the VPN once. */
function addPullThroughCache(
  scope: Construct,
  config: Config,
  app: AppSection,
  provider: TerraformProvider,
  cache: CacheInputs,
  access: RegistryAccess,
): RegistryServer {
  const cacheNamespace = new NamespaceV1(scope, "cache-namespace", {
    provider,
    metadata: {
      name: "registry-cache",
      labels: { ...appLabels("registry-cache", "namespace"), ...podSecurityLabels("restricted") },
    },
  });
  // In standalone mode there is no cache; in hybrid mode the app cluster needs its own class.
  const cachePriority = new RegistryPriorityClass(scope, "cache-priority", { provider });
  addScrapeTargets(scope, "cache-metrics", config, {
    provider,
    namespace: cacheNamespace.metadata.name,
    name: CACHE_NAME,
  });
  if (config.registry.networkPolicy.enabled) {
    // The same listeners as the registry: clients only from the application network, the
    // debug port (metrics and pprof) only from the scrapers; no pushes reach a proxy.
    new RegistryNetworkPolicy(scope, "cache-network-policy", {
      provider,
      namespace: cacheNamespace.metadata.name,
      name: CACHE_NAME,
      registryPods: selectorLabels(CACHE_NAME),
      registryPort: REGISTRY_CONTAINER_PORT,
      metricsPort: REGISTRY_DEBUG_PORT,
      pullFrom: cache.pullFrom,
      metricsNamespaces: config.registry.networkPolicy.metricsNamespaces,
    });
  }
  return new RegistryServer(scope, "pull-through-cache", {
    provider,
    priorityClassName: cachePriority.name,
    namespace: cacheNamespace.metadata.name,
    name: CACHE_NAME,
    image: config.registry.image,
    htpasswdImage: config.registry.htpasswdImage,
    fqdn: app.pullThroughCache.fqdn,
    tls: cache.tls,
    users: { pull: access.pull },
    authProxyImage: config.registry.authProxyImage,
    httpSecret: cache.httpSecret,
    // A claim, not an emptyDir: a full emptyDir evicts the pod, which comes back empty while
    // every node pulls through it. Cached content can always be fetched again, so the claim
    // is neither retained nor protected.
    storage: {
      type: "pvc",
      size: app.pullThroughCache.storageSize,
      storageClass: app.pullThroughCache.storageClass,
      retainOnDestroy: false,
      preventDestroy: false,
    },
    exposure: { type: "internalLoadBalancer", ip: cache.ip, sourceRanges: cache.sourceRanges },
    resources: config.registry.resources,
    proxy: {
      remoteUrl: `https://${config.registry.fqdn}`,
      user: access.pull,
      caCertificatePem: access.caCertificatePem,
      ttl: app.pullThroughCache.ttl,
    },
  });
}

/**
 * Everything an application cluster needs to pull from the registry: the pull secret, the
 * cache, the sample app and the CA-trust DaemonSet, as its app section asks. Construct ids
 * are those of the original workloads stack (a side's stack keeps their addresses).
 */
export function addApplicationWorkloads(
  scope: Construct,
  config: Config,
  app: AppSection,
  inputs: AppInputs,
  access: RegistryAccess,
): void {
  const pullAccess = new PullAccess(scope, "pull-access", {
    provider: inputs.provider,
    namespace: app.namespace,
    logins: inputs.endpoints.map((endpoint) => ({ host: endpoint.registry, ...access.pull })),
    podSecurity: app.podSecurity,
  });
  const cache = inputs.cache
    ? addPullThroughCache(scope, config, app, inputs.provider, inputs.cache, access)
    : undefined;
  const caTrust = app.caTrustDaemonSet.enabled ? addCaTrust(scope, app, inputs, access) : undefined;
  const pullFrom = inputs.endpoints[inputs.endpoints.length - 1].registry;
  if (app.sampleApp.enabled) {
    new SampleApp(scope, "sample-app", {
      provider: inputs.provider,
      pullAccess,
      image: `${pullFrom}/${app.sampleApp.image}`,
      replicas: app.sampleApp.replicas,
      // Its first pull needs the image pushed, the cache serving and the nodes trusting the
      // CA; kubelet would retry, but with a back-off of up to five minutes.
      dependsOn: [
        ...(access.imagesPushed ?? []),
        ...(cache ? [cache.deployment] : []),
        ...(caTrust ? [caTrust.daemonSet] : []),
      ],
    });
  }
}

/** The privileged DaemonSet writing containerd's trust for the registry (and cache) hosts. */
function addCaTrust(
  scope: Construct,
  app: AppSection,
  inputs: AppInputs,
  access: RegistryAccess,
): CaTrustDaemonSet {
  const trustNamespace = new NamespaceV1(scope, "ca-trust-namespace", {
    provider: inputs.provider,
    metadata: {
      name: "registry-ca-trust",
      labels: {
        ...appLabels("registry-ca-trust", "namespace"),
        ...podSecurityLabels("privileged"),
      },
    },
  });
  // The cache proxies the whole registry (same repositories, same tags), so a node whose cache
  // is down pulls the same reference from the registry: containerd tries a hosts.toml's hosts
  // in order (https://github.com/containerd/containerd/blob/main/docs/hosts.md).
  const [registryEndpoint] = inputs.endpoints;
  const hosts = inputs.endpoints.map((endpoint) =>
    inputs.cache && endpoint !== registryEndpoint
      ? { ...endpoint, fallbackTo: [registryEndpoint.registry] }
      : endpoint,
  );
  return new CaTrustDaemonSet(scope, "ca-trust", {
    provider: inputs.provider,
    namespace: trustNamespace.metadata.name,
    caCertificatePem: access.caCertificatePem,
    hosts,
    image: app.caTrustDaemonSet.image,
    assumeConfigPath: app.caTrustDaemonSet.assumeConfigPath,
  });
}
