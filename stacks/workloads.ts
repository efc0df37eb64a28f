import type { Construct } from "constructs";
import {
  Fn,
  TerraformOutput,
  TerraformStack,
  TerraformVariable,
  type TerraformProvider,
} from "cdktf";
import { DataGoogleClientConfig } from "@cdktf/provider-google/lib/data-google-client-config";
import { DataGoogleSecretManagerSecretVersion } from "@cdktf/provider-google/lib/data-google-secret-manager-secret-version";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TlsProvider } from "@cdktf/provider-tls/lib/provider";
import { configureStateBackend } from "../lib/backend/state-backend";
import {
  diskSnapshotsEnabled,
  garbageCollectionEnabled,
  networkRangesOf,
} from "../lib/config/derived";
import { ClaimSnapshotSchedule } from "../lib/gcp/claim-snapshot-schedule";
import { RegistryBackupJob } from "../lib/registry/backup-job";
import type { Config, HybridConfig, StandaloneConfig } from "../lib/config/schema";
import { cloudNetworkContract } from "../lib/contract/cloud-network";
import { ContractReader } from "../lib/contract/contract";
import { onpremNetworkContract } from "../lib/contract/onprem-network";
import { WORKLOADS_STACK } from "../lib/contract/stack-names";
import { kubernetesProvider, type ClusterAccess } from "../lib/k8s/cluster-providers";
import { appLabels, selectorLabels } from "../lib/k8s/labels";
import { podSecurityLabels } from "../lib/k8s/pod-security";
import { RegistryPki } from "../lib/pki/registry-pki";
import { CaTrustDaemonSet } from "../lib/registry/ca-trust-daemonset";
import type { RegistryLogin } from "../lib/registry/docker-config";
import { K3S_CA_FILE, k3sRegistriesYaml } from "../lib/registry/k3s-registries";
import { NodeProxy } from "../lib/registry/node-proxy";
import { CONTAINERD_CERTS_DIR, renderHostsToml } from "../lib/registry/node-trust-files";
import { PullAccess } from "../lib/registry/pull-access";
import { RegistryCredentials } from "../lib/registry/registry-credentials";
import {
  MAINTENANCE_FLAGS,
  REGISTRY_DEBUG_PORT,
  REGISTRY_DEFAULT_NAME,
  REGISTRY_PATHS,
  RegistryServer,
} from "../lib/registry/registry-server";
import { GarbageCollectionJob } from "../lib/registry/garbage-collection";
import { REGISTRY_SCRAPE_JOB, ScrapeTargets } from "../lib/monitoring/scrape-targets";
import type { RegistryExposure } from "../lib/registry/registry-service";
import { SampleApp } from "../lib/registry/sample-app";
import { REGISTRY_CONTAINER_PORT } from "../lib/registry/ports";
import { RegistryPriorityClass } from "../lib/registry/registry-priority-class";
import { RegistryNetworkPolicy } from "../lib/registry/registry-network-policy";
import { SEED_JOB_NAME, SeedJob } from "../lib/registry/seed-job";
import { registryStorageOf, standaloneEndpointOf, type NodeRegistryEndpoint } from "./settings";

export interface WorkloadsStackProps {
  readonly config: Config;
  /** Producer stacks in the same app, so `cdktf deploy '*'` orders them. */
  readonly onpremStack?: TerraformStack;
  readonly cloudStack?: TerraformStack;
}

/** What the registry side needs, from remote state (hybrid) or this stack's own PKI. */
interface RegistryInputs {
  readonly provider: TerraformProvider;
  readonly caCertificatePem: string;
  readonly tls: { readonly certificatePem: string; readonly privateKeyPem: string };
  readonly exposure: RegistryExposure;
  /** Networks whose nodes and pods pull from the registry's pods, for its NetworkPolicy. */
  readonly pullFrom: readonly string[] | "anywhere";
  /** The bucket and service account onprem-network made for gcs storage. */
  readonly gcsStorage?: { readonly bucket: string; readonly serviceAccountEmail: string };
  /** Where snapshots of the registry's GKE disk live, when they are on. */
  readonly diskSnapshots?: {
    readonly provider: TerraformProvider;
    readonly project: string;
    readonly region: string;
  };
}

/** The pull-through cache's certificate and address, from the network stacks. */
interface CacheInputs {
  readonly tls: { readonly certificatePem: string; readonly privateKeyPem: string };
  readonly ip: string;
  readonly sourceRanges: string[];
}

/** What the application side needs. */
interface AppInputs {
  readonly provider: TerraformProvider;
  /** Registries nodes pull from (the registry, then the cache when there is one). */
  readonly endpoints: NodeRegistryEndpoint[];
  /** @default no pull-through cache */
  readonly cache?: CacheInputs;
}

/**
 * GKE access for a kubernetes provider. The DNS-based endpoint presents a publicly trusted
 * certificate, so the cluster CA is pinned only for the IP endpoint.
 */
function gkeAccess(
  endpoint: string,
  caCertificate: string,
  dnsEndpoint: boolean,
  token: string,
): ClusterAccess {
  return { gke: { endpoint, caCertificate: dnsEndpoint ? undefined : caCertificate, token } };
}

/**
 * Where the registry's maintenance jobs run: on its volume, and on its node where the volume
 * is tied to one (a ReadWriteOnce claim mounts on one node; hostPath data is on one node).
 */
function maintenancePlacement(
  config: Config,
  provider: TerraformProvider,
  server: RegistryServer,
  namespace: string,
) {
  const storage = config.registry.storage;
  return {
    provider,
    namespace,
    dataVolume: server.storage.volume,
    dataDir: REGISTRY_PATHS.data,
    registryPods: storage.type === "pvc" ? selectorLabels(REGISTRY_DEFAULT_NAME) : undefined,
    nodeName: storage.type === "hostPath" ? storage.node : undefined,
  };
}

/**
 * Kubernetes resources: the registry on the registry cluster and everything the application
 * cluster needs to pull from it, or both on one existing cluster in standalone mode.
 */
export class WorkloadsStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: WorkloadsStackProps) {
    super(scope, id);
    const { config } = props;
    configureStateBackend(this, WORKLOADS_STACK, config.backend);
    new RandomProvider(this, "random");
    const credentials = new RegistryCredentials(this, "credentials", {
      pushUsername: config.registry.pushUser,
      pullUsername: config.registry.pullUser,
    });

    const { registry, app } =
      config.mode === "standalone"
        ? this.standaloneInputs(config)
        : this.hybridInputs(config, props);

    const registryNamespace = new NamespaceV1(this, "registry-namespace", {
      provider: registry.provider,
      metadata: {
        name: config.registry.namespace,
        labels: {
          ...appLabels("registry", "namespace"),
          // Baseline forbids hostPath volumes: a registry on hostPath needs privileged.
          ...podSecurityLabels(
            config.registry.storage.type === "hostPath" ? "privileged" : "restricted",
          ),
        },
      },
    });
    const namespace = registryNamespace.metadata.name;
    const registryPriority = new RegistryPriorityClass(this, "registry-priority", {
      provider: registry.provider,
    });
    const server = new RegistryServer(this, "registry", {
      priorityClassName: registryPriority.name,
      provider: registry.provider,
      namespace,
      image: config.registry.image,
      htpasswdImage: config.registry.htpasswdImage,
      fqdn: config.registry.fqdn,
      tls: registry.tls,
      users: { push: credentials.push, pull: credentials.pull },
      writers: ["push"],
      authProxyImage: config.registry.authProxyImage,
      httpSecret: credentials.httpSecret,
      storage: registryStorageOf(config, {
        gcs: registry.gcsStorage,
        s3SecretAccessKey: this.s3SecretAccessKey(config),
      }),
      replicas: config.registry.replicas,
      exposure: registry.exposure,
      resources: config.registry.resources,
      garbageCollected: garbageCollectionEnabled(config.registry),
    });
    this.backups(config, registry, server, namespace);
    if (garbageCollectionEnabled(config.registry)) {
      const gc = config.registry.garbageCollection;
      new GarbageCollectionJob(this, "garbage-collection", {
        ...maintenancePlacement(config, registry.provider, server, namespace),
        image: config.registry.image,
        storageEnv: server.storageEnv,
        readOnlyFlag: MAINTENANCE_FLAGS.garbageCollection,
        schedule: gc.schedule,
        timeZone: gc.timeZone,
        deleteUntagged: gc.deleteUntagged,
        dryRun: gc.dryRun,
      });
    }
    this.scrapeTargets(
      "registry-metrics",
      config,
      registry.provider,
      namespace,
      REGISTRY_SCRAPE_JOB,
    );
    if (config.registry.seedImages.length > 0) {
      new SeedJob(this, "seed", {
        provider: registry.provider,
        namespace,
        images: config.registry.seedImages,
        registryHost: config.registry.fqdn,
        registryAddress: server.service.service.spec.clusterIp,
        pushUser: credentials.push,
        caCertificatePem: registry.caCertificatePem,
        copyToolImage: config.registry.copyToolImage,
        platform: config.registry.seedPlatform,
        sourceLogin: this.seedSourceLogin(config),
        dependsOn: [server.deployment],
      });
    }
    if (config.registry.networkPolicy.enabled) {
      new RegistryNetworkPolicy(this, "registry-network-policy", {
        provider: registry.provider,
        namespace,
        registryPods: selectorLabels("registry"),
        registryPort: REGISTRY_CONTAINER_PORT,
        metricsPort: REGISTRY_DEBUG_PORT,
        pullFrom: registry.pullFrom,
        pushPods: selectorLabels(SEED_JOB_NAME),
        metricsNamespaces: config.registry.networkPolicy.metricsNamespaces,
      });
    }
    if (
      config.mode === "standalone" &&
      config.registry.exposure.type === "clusterIP" &&
      config.registry.exposure.nodeProxy
    ) {
      // hostPort needs privileged (baseline forbids it): its own namespace keeps the
      // registry's restricted.
      const proxyNamespace = new NamespaceV1(this, "node-proxy-namespace", {
        provider: registry.provider,
        metadata: {
          name: "registry-node-proxy",
          labels: {
            ...appLabels("registry-node-proxy", "namespace"),
            ...podSecurityLabels("privileged"),
          },
        },
      });
      new NodeProxy(this, "node-proxy", {
        provider: registry.provider,
        namespace: proxyNamespace.metadata.name,
        registryService: server.service.clusterHost,
        image: config.registry.nodeProxyImage,
        bindAddress: config.registry.exposure.nodeProxyBindAddress,
      });
    }

    const pullAccess = new PullAccess(this, "pull-access", {
      provider: app.provider,
      namespace: config.app.namespace,
      logins: app.endpoints.map((endpoint) => ({ host: endpoint.registry, ...credentials.pull })),
      podSecurity: config.app.podSecurity,
    });
    if (app.cache) {
      this.pullThroughCache(
        config,
        app.provider,
        app.cache,
        credentials,
        registry.caCertificatePem,
      );
    }
    const pullFrom = app.endpoints[app.endpoints.length - 1].registry;
    if (config.app.sampleApp.enabled) {
      new SampleApp(this, "sample-app", {
        provider: app.provider,
        pullAccess,
        image: `${pullFrom}/${config.app.sampleApp.image}`,
        replicas: config.app.sampleApp.replicas,
      });
    }
    if (config.app.caTrustDaemonSet.enabled) {
      const trustNamespace = new NamespaceV1(this, "ca-trust-namespace", {
        provider: app.provider,
        metadata: {
          name: "registry-ca-trust",
          labels: {
            ...appLabels("registry-ca-trust", "namespace"),
            ...podSecurityLabels("privileged"),
          },
        },
      });
      new CaTrustDaemonSet(this, "ca-trust", {
        provider: app.provider,
        namespace: trustNamespace.metadata.name,
        caCertificatePem: registry.caCertificatePem,
        hosts: app.endpoints,
        image: config.app.caTrustDaemonSet.image,
        assumeConfigPath: config.app.caTrustDaemonSet.assumeConfigPath,
      });
    }

    const output = (name: string, value: string, description: string, sensitive = false) =>
      new TerraformOutput(this, name, { value, description, sensitive }).overrideLogicalId(name);
    output("registry_ca_certificate_pem", registry.caCertificatePem, "CA clients must trust");
    output("registry_push_username", credentials.push.username, "User for pushing images");
    output(
      "registry_push_password",
      credentials.push.password,
      "Password of the pushing user",
      true,
    );
    output("registry_pull_username", credentials.pull.username, "User for pulling images");
    output(
      "registry_pull_password",
      credentials.pull.password,
      "Password of the pulling user",
      true,
    );
    if (config.mode === "standalone") {
      const [endpoint] = app.endpoints;
      output(
        "k3s_registries_yaml",
        k3sRegistriesYaml({ ...endpoint, ...credentials.pull }),
        `Content of /etc/rancher/k3s/registries.yaml; put the CA at ${K3S_CA_FILE}`,
        true,
      );
      output(
        "containerd_hosts_toml",
        renderHostsToml({
          ...endpoint,
          caFile: `${CONTAINERD_CERTS_DIR}/${endpoint.registry}/ca.crt`,
        }),
        `Content of ${CONTAINERD_CERTS_DIR}/${endpoint.registry}/hosts.toml; ca.crt beside it`,
      );
    }
  }

  /**
   * The seeding Job's login at its source registry: the user from the config, the password
   * from a sensitive Terraform variable, so it is never in the config or the synthesized JSON.
   */
  private seedSourceLogin(config: Config): RegistryLogin | undefined {
    const source = config.registry.seedSource;
    if (!source) return undefined;
    const password = new TerraformVariable(this, "seed_source_password", {
      type: "string",
      sensitive: true,
      nullable: false,
      description: `Password or access token of ${source.username} at ${source.registry}, for the seeding Job`,
    });
    password.overrideLogicalId("seed_source_password");
    return { host: source.registry, username: source.username, password: password.stringValue };
  }

  /**
   * The S3 secret key, from a sensitive Terraform variable so it is never in the config or the
   * synthesized JSON (only with s3 storage and an access key id).
   */
  private s3SecretAccessKey(config: Config): string | undefined {
    const storage = config.registry.storage;
    if (storage.type !== "s3" || !storage.accessKeyId) return undefined;
    const secret = new TerraformVariable(this, "registry_s3_secret_key", {
      type: "string",
      sensitive: true,
      nullable: false,
      description: `Secret key of ${storage.accessKeyId} for the registry's bucket ${storage.bucket}`,
    });
    secret.overrideLogicalId("registry_s3_secret_key");
    return secret.stringValue;
  }

  /**
   * A private key the onprem-network stack keeps in Secret Manager (latest version: a renewed
   * certificate's key is a new version), read with this stack's Google provider. The data
   * source takes the full `projects/<p>/secrets/<id>` name (google provider
   * data_source_secret_manager_secret_version.go parses it with ParseProjectFieldValue).
   */
  private privateKeyFrom(id: string, secretName: string): string {
    return new DataGoogleSecretManagerSecretVersion(this, id, { secret: secretName }).secretData;
  }

  private standaloneInputs(config: StandaloneConfig): { registry: RegistryInputs; app: AppInputs } {
    new TlsProvider(this, "tls");
    const provider = kubernetesProvider(this, "kubernetes", {
      kubeconfig: config.cluster.kubeconfig,
    });
    const exposure = config.registry.exposure;
    const nodeProxy = exposure.type === "clusterIP" && exposure.nodeProxy;
    const pki = new RegistryPki(this, "registry-pki", {
      registryFqdn: config.registry.fqdn,
      ipAddresses: [
        ...(exposure.type === "loadBalancer" ? [exposure.ip] : []),
        ...(nodeProxy ? ["127.0.0.1"] : []),
      ],
      additionalDnsNames: nodeProxy ? ["localhost"] : [],
      ...config.registry.pki,
    });
    return {
      registry: {
        provider,
        caCertificatePem: pki.ca.certificatePem,
        tls: { certificatePem: pki.server.certificatePem, privateKeyPem: pki.server.privateKeyPem },
        exposure,
        // NodePort and MetalLB traffic arrives from node addresses of a range the config
        // does not know; TLS and auth still guard the port.
        pullFrom: "anywhere",
      },
      app: { provider, endpoints: [standaloneEndpointOf(config)] },
    };
  }

  private hybridInputs(
    config: HybridConfig,
    props: WorkloadsStackProps,
  ): { registry: RegistryInputs; app: AppInputs } {
    const onprem = new ContractReader(this, "onprem", {
      contract: onpremNetworkContract,
      backend: config.backend,
      producerStack: props.onpremStack,
    });
    const cloud = new ContractReader(this, "cloud", {
      contract: cloudNetworkContract,
      backend: config.backend,
      producerStack: props.cloudStack,
    });
    new GoogleProvider(this, "google", {
      project: cloud.string("projectId"),
      region: cloud.string("region"),
    });
    const token = new DataGoogleClientConfig(this, "client-config").accessToken;
    const appProvider = kubernetesProvider(
      this,
      "kubernetes-app",
      gkeAccess(
        cloud.string("clusterEndpoint"),
        cloud.string("clusterCaCertificate"),
        config.cloud.cluster.dnsEndpoint,
        token,
      ),
      "app",
    );
    const registryProvider = kubernetesProvider(
      this,
      "kubernetes-registry",
      config.onprem.mode === "simulated"
        ? gkeAccess(
            onprem.string("clusterEndpoint"),
            onprem.string("clusterCaCertificate"),
            config.onprem.cluster.dnsEndpoint,
            token,
          )
        : { kubeconfig: config.onprem.kubeconfig },
      "registry",
    );
    const cloudRanges = networkRangesOf(config.cloud.network);
    const registryEndpoint = {
      registry: config.registry.fqdn,
      endpoint: `https://${config.registry.fqdn}`,
    };

    const cache = config.app.pullThroughCache;
    return {
      registry: {
        provider: registryProvider,
        gcsStorage:
          config.registry.storage.type === "gcs"
            ? {
                bucket: onprem.string("registryBucket"),
                serviceAccountEmail: onprem.string("registryStorageServiceAccount"),
              }
            : undefined,
        diskSnapshots:
          config.onprem.mode === "simulated" && diskSnapshotsEnabled(config)
            ? {
                // The registry cluster's project, as the cloud-network stack names it.
                provider: new GoogleProvider(this, "google-onprem", {
                  alias: "onprem",
                  project: onprem.string("projectId"),
                  region: onprem.string("region"),
                }),
                project: onprem.string("projectId"),
                region: onprem.string("region"),
              }
            : undefined,
        caCertificatePem: onprem.string("caCertificatePem"),
        tls: {
          certificatePem: onprem.string("serverCertificatePem"),
          privateKeyPem: this.privateKeyFrom("server-key", onprem.string("serverKeySecret")),
        },
        pullFrom: [
          ...(config.onprem.mode === "simulated"
            ? networkRangesOf(config.onprem.network)
            : config.onprem.networkCidrs),
          ...cloudRanges,
        ],
        exposure:
          config.registry.exposure.type === "loadBalancer"
            ? config.registry.exposure
            : {
                type: "internalLoadBalancer",
                ip: onprem.string("registryIp"),
                sourceRanges: Fn.concat([onprem.list("networkCidrs"), cloudRanges]),
              },
      },
      app: {
        provider: appProvider,
        endpoints: [
          registryEndpoint,
          ...(cache.enabled ? [{ registry: cache.fqdn, endpoint: `https://${cache.fqdn}` }] : []),
        ],
        cache: cache.enabled
          ? {
              tls: {
                certificatePem: onprem.string("cacheCertificatePem"),
                privateKeyPem: this.privateKeyFrom("cache-key", onprem.string("cacheKeySecret")),
              },
              ip: cloud.string("cacheIp"),
              sourceRanges: cloudRanges,
            }
          : undefined,
      },
    };
  }

  /** Snapshots of the registry's GKE disk and archives of its storage, as configured. */
  private backups(
    config: Config,
    registry: RegistryInputs,
    server: RegistryServer,
    namespace: string,
  ): void {
    const claim = server.storage.claim;
    if (registry.diskSnapshots && claim) {
      const snapshots = config.registry.backup.snapshots;
      new ClaimSnapshotSchedule(this, "registry-snapshots", {
        googleProvider: registry.diskSnapshots.provider,
        kubernetesProvider: registry.provider,
        project: registry.diskSnapshots.project,
        region: registry.diskSnapshots.region,
        name: `${config.registry.namespace}-data-snapshots`,
        claim: { namespace, name: claim.metadata.name },
        startTime: snapshots.startTime,
        retentionDays: snapshots.retentionDays,
        dependsOn: [server.deployment],
      });
    }
    const archive = config.registry.backup.archive;
    if (archive.enabled && archive.claimName) {
      new RegistryBackupJob(this, "registry-backup", {
        ...maintenancePlacement(config, registry.provider, server, namespace),
        image: config.registry.image,
        readOnlyFlag: MAINTENANCE_FLAGS.backup,
        backupClaim: archive.claimName,
        schedule: archive.schedule,
        timeZone: archive.timeZone,
        keep: archive.keep,
      });
    }
  }

  /** Where the cluster has a collector, it scrapes the Deployment `name`'s metrics port. */
  private scrapeTargets(
    id: string,
    config: Config,
    provider: TerraformProvider,
    namespace: string,
    name: string,
  ): void {
    const metrics = config.registry.metrics;
    if (!metrics.podMonitoring && !metrics.serviceMonitor) return;
    new ScrapeTargets(this, id, {
      provider,
      namespace,
      name,
      podSelector: selectorLabels(name),
      port: { name: "metrics", number: REGISTRY_DEBUG_PORT },
      interval: metrics.interval,
      podMonitoring: metrics.podMonitoring,
      serviceMonitor: metrics.serviceMonitor,
      serviceMonitorLabels: metrics.serviceMonitorLabels,
    });
  }

  /** Distribution in proxy mode in the application cluster: each layer crosses the VPN once. */
  private pullThroughCache(
    config: Config,
    provider: TerraformProvider,
    cache: CacheInputs,
    credentials: RegistryCredentials,
    caCertificatePem: string,
  ): void {
    const cacheNamespace = new NamespaceV1(this, "cache-namespace", {
      provider,
      metadata: {
        name: "registry-cache",
        labels: { ...appLabels("registry-cache", "namespace"), ...podSecurityLabels("restricted") },
      },
    });
    // In standalone mode there is no cache; in hybrid mode the app cluster needs its own class.
    const cachePriority = new RegistryPriorityClass(this, "cache-priority", { provider });
    this.scrapeTargets(
      "cache-metrics",
      config,
      provider,
      cacheNamespace.metadata.name,
      "registry-cache",
    );
    new RegistryServer(this, "pull-through-cache", {
      provider,
      priorityClassName: cachePriority.name,
      namespace: cacheNamespace.metadata.name,
      name: "registry-cache",
      image: config.registry.image,
      htpasswdImage: config.registry.htpasswdImage,
      fqdn: config.app.pullThroughCache.fqdn,
      tls: cache.tls,
      users: { pull: credentials.pull },
      authProxyImage: config.registry.authProxyImage,
      // Only signs upload state, and a proxy accepts no uploads: sharing it costs nothing.
      httpSecret: credentials.httpSecret,
      // A claim, not an emptyDir: a full emptyDir evicts the pod, which comes back empty while
      // every node pulls through it. Cached content can always be fetched again, so the claim
      // is neither retained nor protected.
      storage: {
        type: "pvc",
        size: config.app.pullThroughCache.storageSize,
        storageClass: config.app.pullThroughCache.storageClass,
        retainOnDestroy: false,
        preventDestroy: false,
      },
      exposure: { type: "internalLoadBalancer", ip: cache.ip, sourceRanges: cache.sourceRanges },
      resources: config.registry.resources,
      proxy: {
        remoteUrl: `https://${config.registry.fqdn}`,
        user: credentials.pull,
        caCertificatePem,
        ttl: config.app.pullThroughCache.ttl,
      },
    });
  }
}
