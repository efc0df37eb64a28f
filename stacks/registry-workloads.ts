import type { Construct } from "constructs";
import {
  TerraformOutput,
  TerraformVariable,
  type ITerraformDependable,
  type TerraformProvider,
  type TerraformStack,
} from "cdktf";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { garbageCollectionEnabled, isVolumeStorage } from "../lib/config/derived";
import { SNAPSHOT_POLICY_SUFFIX } from "../lib/config/derived-names";
import { readPemCertificateFile } from "../lib/config/registry/pem-certificate";
import type { Config } from "../lib/config/schema";
import { publishContract } from "../lib/contract/contract";
import { registryContract } from "../lib/contract/registry";
import { ClaimSnapshotSchedule } from "../lib/gcp/claim-snapshot-schedule";
import { appLabels, selectorLabels } from "../lib/k8s/labels";
import { podSecurityLabels } from "../lib/k8s/pod-security";
import { REGISTRY_SCRAPE_JOB, ScrapeTargets } from "../lib/monitoring/scrape-targets";
import { RegistryBackupJob } from "../lib/registry/backup-job";
import type { RegistryLogin } from "../lib/registry/docker-config";
import {
  GARBAGE_COLLECTION_SERVICE_ACCOUNT,
  GarbageCollectionJob,
} from "../lib/registry/garbage-collection";
import { NodeProxy } from "../lib/registry/node-proxy";
import { REGISTRY_CONTAINER_PORT } from "../lib/registry/ports";
import type { RegistryCredentials } from "../lib/registry/registry-credentials";
import { RegistryNetworkPolicy } from "../lib/registry/registry-network-policy";
import { RegistryPriorityClass } from "../lib/registry/registry-priority-class";
import {
  REGISTRY_DEFAULT_NAME,
  RegistryServer,
  WORKLOAD_IDENTITY_ANNOTATION,
} from "../lib/registry/registry-server";
import { MAINTENANCE_FLAGS, REGISTRY_PATHS } from "../lib/registry/registry-paths";
import { REGISTRY_CONTAINER_NAME } from "../lib/registry/registry-pod";
import { REGISTRY_DEBUG_PORT } from "../lib/registry/distribution-listeners";
import { TERMINATION_GRACE_SECONDS } from "../lib/registry/graceful-stop";
import type { RegistryExposure } from "../lib/registry/registry-service";
import type { RegistryStorageSettings } from "../lib/registry/registry-storage";
import { SEED_JOB_NAME, SeedJob } from "../lib/registry/seed-job";
import { registryStorageOf } from "./settings";

/** What the registry side needs, from remote state (hybrid) or the stack's own PKI. */
export interface RegistryInputs {
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

/** Where the cluster has a collector, it scrapes the Deployment `name`'s metrics port. */
export function addScrapeTargets(
  scope: Construct,
  id: string,
  config: Config,
  target: {
    readonly provider: TerraformProvider;
    readonly namespace: string;
    readonly name: string;
  },
): void {
  const metrics = config.registry.metrics;
  if (!metrics.podMonitoring && !metrics.serviceMonitor) return;
  new ScrapeTargets(scope, id, {
    ...target,
    podSelector: selectorLabels(target.name),
    port: { name: "metrics", number: REGISTRY_DEBUG_PORT },
    interval: metrics.interval,
    podMonitoring: metrics.podMonitoring,
    serviceMonitor: metrics.serviceMonitor,
    serviceMonitorLabels: metrics.serviceMonitorLabels,
  });
}

/**
 * The seeding Job's login at its source registry: the user from the config, the password
 * from a sensitive Terraform variable, so it is never in the config or the synthesized JSON.
 */
function seedSourceLogin(scope: Construct, config: Config): RegistryLogin | undefined {
  const source = config.registry.seedSource;
  if (!source) return undefined;
  const password = new TerraformVariable(scope, "seed_source_password", {
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
function s3SecretAccessKey(scope: Construct, config: Config): string | undefined {
  const storage = config.registry.storage;
  if (storage.type !== "s3" || !storage.accessKeyId) return undefined;
  const secret = new TerraformVariable(scope, "registry_s3_secret_key", {
    type: "string",
    sensitive: true,
    nullable: false,
    description: `Secret key of ${storage.accessKeyId} for the registry's bucket ${storage.bucket}`,
  });
  secret.overrideLogicalId("registry_s3_secret_key");
  return secret.stringValue;
}

/** The bucket endpoint's private CA, read from its file here: lib/ never reads files. */
function withStorageCa(config: Config, settings: RegistryStorageSettings): RegistryStorageSettings {
  const storage = config.registry.storage;
  if (settings.type !== "s3" || storage.type !== "s3" || !storage.caCertificateFile) {
    return settings;
  }
  return { ...settings, caCertificatePem: readPemCertificateFile(storage.caCertificateFile) };
}

/** Snapshots of the registry's GKE disk and archives of its storage, as configured. */
function addBackups(
  scope: Construct,
  config: Config,
  registry: RegistryInputs,
  server: RegistryServer,
  namespace: string,
): void {
  const claim = server.storage.claim;
  if (registry.diskSnapshots && claim) {
    const snapshots = config.registry.backup.snapshots;
    new ClaimSnapshotSchedule(scope, "registry-snapshots", {
      googleProvider: registry.diskSnapshots.provider,
      kubernetesProvider: registry.provider,
      project: registry.diskSnapshots.project,
      region: registry.diskSnapshots.region,
      name: `${config.registry.namespace}${SNAPSHOT_POLICY_SUFFIX}`,
      claim: { namespace, name: claim.metadata.name, uid: claim.metadata.uid },
      startTime: snapshots.startTime,
      retentionDays: snapshots.retentionDays,
      claimBoundBy: [server.deployment],
      regionalDisk: server.storage.regionalDisk,
    });
  }
  const archive = config.registry.backup.archive;
  if (archive.enabled && archive.claimName) {
    new RegistryBackupJob(scope, "registry-backup", {
      ...maintenancePlacement(config, registry.provider, server, namespace),
      image: config.registry.image,
      readOnlyFlag: MAINTENANCE_FLAGS.backup,
      backupClaim: archive.claimName,
      schedule: archive.schedule,
      timeZone: archive.timeZone,
      keep: archive.keep,
      deadlineSeconds: archive.deadlineMinutes * 60,
    });
  }
}

/** The registry's server, and what has its images in place once applied. */
export interface RegistryWorkloads {
  readonly server: RegistryServer;
  /** The registry's Deployment and, when images are seeded, the seed Job. */
  readonly imagesPushed: ITerraformDependable[];
}

/**
 * The registry on its cluster: namespace, server, maintenance jobs, metrics, seeding,
 * NetworkPolicy and (standalone) the node proxy. Construct ids are those of the original
 * workloads stack, so the same resources keep their addresses in any stack that adds them.
 */
export function addRegistryWorkloads(
  scope: Construct,
  config: Config,
  registry: RegistryInputs,
  credentials: RegistryCredentials,
): RegistryWorkloads {
  const namespace = addRegistryNamespace(scope, config, registry.provider);
  const server = addRegistryServer(scope, config, registry, credentials, namespace);
  addBackups(scope, config, registry, server, namespace);
  addGarbageCollection(scope, config, registry, server, namespace);
  addScrapeTargets(scope, "registry-metrics", config, {
    provider: registry.provider,
    namespace,
    name: REGISTRY_SCRAPE_JOB,
  });
  const seed = addSeedJob(scope, config, registry, credentials, server, namespace);
  addNetworkPolicy(scope, config, registry, namespace);
  addNodeProxy(scope, config, registry.provider, server);
  return { server, imagesPushed: [server.deployment, ...(seed ? [seed.job] : [])] };
}

/** The registry's namespace, at the pod security level its storage allows; returns its name. */
function addRegistryNamespace(
  scope: Construct,
  config: Config,
  provider: TerraformProvider,
): string {
  const registryNamespace = new NamespaceV1(scope, "registry-namespace", {
    provider,
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
  return registryNamespace.metadata.name;
}

/** The registry's server, above ordinary workloads in priority. */
function addRegistryServer(
  scope: Construct,
  config: Config,
  registry: RegistryInputs,
  credentials: RegistryCredentials,
  namespace: string,
): RegistryServer {
  const registryPriority = new RegistryPriorityClass(scope, "registry-priority", {
    provider: registry.provider,
  });
  return new RegistryServer(scope, "registry", {
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
    storage: withStorageCa(
      config,
      registryStorageOf(config, {
        gcs: registry.gcsStorage,
        s3SecretAccessKey: s3SecretAccessKey(scope, config),
      }),
    ),
    replicas: config.registry.replicas,
    exposure: registry.exposure,
    resources: config.registry.resources,
    garbageCollected: garbageCollectionEnabled(config.registry),
  });
}

/**
 * Garbage collection when configured: on a volume behind the maintenance flag, on a bucket
 * while the registry is rolled read-only.
 */
function addGarbageCollection(
  scope: Construct,
  config: Config,
  registry: RegistryInputs,
  server: RegistryServer,
  namespace: string,
): void {
  if (!garbageCollectionEnabled(config.registry)) return;
  const gc = config.registry.garbageCollection;
  const placement = maintenancePlacement(config, registry.provider, server, namespace);
  new GarbageCollectionJob(scope, "garbage-collection", {
    provider: placement.provider,
    namespace,
    image: config.registry.image,
    storageEnv: server.storageEnv,
    readOnly: isVolumeStorage(config.registry.storage.type)
      ? {
          kind: "volume-flag",
          dataVolume: placement.dataVolume,
          dataDir: placement.dataDir,
          readOnlyFlag: MAINTENANCE_FLAGS.garbageCollection,
          registryPods: placement.registryPods,
          nodeName: placement.nodeName,
        }
      : {
          kind: "rollout",
          // A literal, not the resource's attribute: it is part of the job's shell script.
          deployment: REGISTRY_DEFAULT_NAME,
          container: REGISTRY_CONTAINER_NAME,
          drainSeconds: TERMINATION_GRACE_SECONDS,
          apiClientImage: gc.apiClientImage,
          serviceAccountName: GARBAGE_COLLECTION_SERVICE_ACCOUNT,
          serviceAccountAnnotations: registry.gcsStorage
            ? { [WORKLOAD_IDENTITY_ANNOTATION]: registry.gcsStorage.serviceAccountEmail }
            : undefined,
          storageCa: server.storageCaSecret
            ? {
                secretName: server.storageCaSecret.metadata.name,
                mountPath: REGISTRY_PATHS.storageCa,
              }
            : undefined,
        },
    schedule: gc.schedule,
    timeZone: gc.timeZone,
    deleteUntagged: gc.deleteUntagged,
    dryRun: gc.dryRun,
  });
}

/** The Job pushing the configured seed images once the registry serves, if there are any. */
function addSeedJob(
  scope: Construct,
  config: Config,
  registry: RegistryInputs,
  credentials: RegistryCredentials,
  server: RegistryServer,
  namespace: string,
): SeedJob | undefined {
  if (config.registry.seedImages.length === 0) return undefined;
  return new SeedJob(scope, "seed", {
    provider: registry.provider,
    namespace,
    images: config.registry.seedImages,
    registryHost: config.registry.fqdn,
    registryAddress: server.service.service.spec.clusterIp,
    pushUser: credentials.push,
    caCertificatePem: registry.caCertificatePem,
    copyToolImage: config.registry.copyToolImage,
    platform: config.registry.seedPlatform,
    sourceLogin: seedSourceLogin(scope, config),
    dependsOn: [server.deployment],
  });
}

/** Who may reach the registry's pods, when NetworkPolicy is on. */
function addNetworkPolicy(
  scope: Construct,
  config: Config,
  registry: RegistryInputs,
  namespace: string,
): void {
  if (!config.registry.networkPolicy.enabled) return;
  new RegistryNetworkPolicy(scope, "registry-network-policy", {
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

/** Standalone with a ClusterIP Service: the node proxy that serves the registry on the nodes. */
function addNodeProxy(
  scope: Construct,
  config: Config,
  provider: TerraformProvider,
  server: RegistryServer,
): void {
  const exposure = config.registry.exposure;
  if (config.mode !== "standalone" || exposure.type !== "clusterIP" || !exposure.nodeProxy) {
    return;
  }
  // hostPort needs privileged (baseline forbids it): its own namespace keeps the
  // registry's restricted.
  const proxyNamespace = new NamespaceV1(scope, "node-proxy-namespace", {
    provider,
    metadata: {
      name: "registry-node-proxy",
      labels: {
        ...appLabels("registry-node-proxy", "namespace"),
        ...podSecurityLabels("privileged"),
      },
    },
  });
  new NodeProxy(scope, "node-proxy", {
    provider,
    namespace: proxyNamespace.metadata.name,
    registryService: server.service.clusterHost,
    image: config.registry.nodeProxyImage,
    bindAddress: exposure.nodeProxyBindAddress,
  });
}

/**
 * Where people and pipelines find the push password: a sensitive output of a stack no other
 * stack reads, or (the registry stack, which every side reads) the command that reads it from
 * the cluster, since a remote-state read copies all of a producer's outputs into the reader.
 */
export type PushPasswordOutput = "sensitive-output" | "kubectl-command";

/** The registry's CA and users, for people, pipelines and the sides' workloads stacks. */
export function addRegistryOutputs(
  scope: TerraformStack,
  caCertificatePem: string,
  credentials: RegistryCredentials,
  server: RegistryServer,
  pushPassword: PushPasswordOutput,
): void {
  publishContract(scope, registryContract, {
    registryCaCertificatePem: caCertificatePem,
    registryPullUsername: credentials.pull.username,
    registryPullPassword: credentials.pull.password,
  });
  const output = (name: string, value: string, description: string, sensitive: boolean) =>
    new TerraformOutput(scope, name, { value, description, sensitive }).overrideLogicalId(name);
  output("registry_push_username", credentials.push.username, "User for pushing images", false);
  if (pushPassword === "sensitive-output") {
    output(
      "registry_push_password",
      credentials.push.password,
      "Password of the pushing user",
      true,
    );
    return;
  }
  const secret = server.credentialsSecret.metadata;
  output(
    "registry_push_password_command",
    `kubectl -n ${secret.namespace} get secret ${secret.name} -o jsonpath='{.data.push-password}' | base64 -d`,
    "Reads the pushing user's password from the registry cluster (not an output: every side reads this stack's state)",
    false,
  );
}
