import { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import {
  DeploymentV1,
  type DeploymentV1SpecTemplateSpec,
} from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { CONFIG_HASH_ANNOTATION } from "../k8s/config-hash";
import { appLabels, selectorLabels } from "../k8s/labels";
import { renderAuthProxyConfig } from "./auth-proxy-config";
import { REGISTRY_BACKEND_ADDRESS } from "./distribution-listeners";
import { HTPASSWD_DIR, htpasswdScript } from "./htpasswd";
import { registryPodConfigHash } from "./pod-config-hash";
import { REGISTRY_CONTAINER_PORT } from "./ports";
import type { RegistryUser } from "./registry-credentials";
import { distributionEnv, registryStorageEnv, type EnvVar } from "./registry-env";
import { MAINTENANCE_FLAGS } from "./registry-paths";
import { registryPodSpec, type ComputeResources } from "./registry-pod";
import type { RegistryProxy } from "./registry-proxy";
import { RegistryService, type RegistryExposure } from "./registry-service";
import {
  distributionEnvString,
  isObjectStorage,
  RegistryStorage,
  STORAGE_CA_TRUST,
  type RegistryStorageSettings,
} from "./registry-storage";

// The pod's constants live with their concept; other modules import them from here.

/** Name of the registry's Deployment, Service and service account unless told otherwise. */
export const REGISTRY_DEFAULT_NAME = "registry";

/** The Kubernetes service account annotation that names the Google service account to act as. */
export const WORKLOAD_IDENTITY_ANNOTATION = "iam.gke.io/gcp-service-account";

export interface RegistryServerProps {
  /**
   * Kubernetes provider of the target cluster.
   * @default the stack's default kubernetes provider
   */
  readonly provider?: TerraformProvider;
  /** Existing namespace. */
  readonly namespace: string;
  /** Name of the Deployment, Service and secrets. @default "registry" */
  readonly name?: string;
  /** CNCF Distribution image, pinned (e.g. `registry:3.1.1`). */
  readonly image: string;
  /** Image providing `htpasswd` for the init container. */
  readonly htpasswdImage: string;
  /** nginx image of the auth proxy in front of the registry (TLS, auth, authorisation). */
  readonly authProxyImage: string;
  /** Host name clients use; the auth realm. */
  readonly fqdn: string;
  readonly tls: { readonly certificatePem: string; readonly privateKeyPem: string };
  /** Users allowed in, by key (`push`, `pull`); each may pull. */
  readonly users: Readonly<Record<string, RegistryUser>>;
  /**
   * Keys of `users` who may also push. Nobody may delete through the API.
   * @default none: the registry is read-only through its API
   */
  readonly writers?: readonly string[];
  /** Distribution `http.secret`. */
  readonly httpSecret: string;
  readonly storage: RegistryStorageSettings;
  readonly exposure: RegistryExposure;
  readonly resources: ComputeResources;
  /** @default not a proxy */
  readonly proxy?: RegistryProxy;
  /**
   * Pods serving at once; more than one needs bucket storage (s3, gcs) they all share.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Storage is garbage-collected by another process while this one serves: the in-memory blob
   * descriptor cache is switched off, since it would go on answering for deleted blobs.
   * @default false
   */
  readonly garbageCollected?: boolean;
  /**
   * PriorityClass of the pods, so they outlast ordinary workloads under node pressure.
   * @default the cluster's default priority
   */
  readonly priorityClassName?: string;
}

/**
 * CNCF Distribution behind an nginx auth proxy (TLS, Basic auth, pull-only and push users, no
 * deletes), configured by `REGISTRY_*` env vars, hardened
 * (non-root, read-only root filesystem, no capabilities, RuntimeDefault seccomp) and rolled
 * whenever a config or secret input changes.
 */
export class RegistryServer extends Construct {
  public readonly deployment: DeploymentV1;
  public readonly service: RegistryService;
  public readonly storage: RegistryStorage;
  public readonly tlsSecret: SecretV1;
  public readonly credentialsSecret: SecretV1;
  /** The auth proxy's nginx.conf. */
  public readonly authProxyConfig: ConfigMapV1;
  /** The upstream's CA (pull-through cache only). */
  public readonly upstreamCaSecret?: SecretV1;
  /**
   * The bucket endpoint's private CA (s3 storage with `caCertificatePem`): a job that runs
   * `storageEnv` mounts it at REGISTRY_PATHS.storageCa.
   */
  public readonly storageCaSecret?: SecretV1;
  public readonly podDisruptionBudget: PodDisruptionBudgetV1;
  /** The env that selects and configures the storage (what a garbage collector needs too). */
  public readonly storageEnv: EnvVar[];
  /** The pods' own service account (bucket storage on GCS: the Workload Identity link). */
  public readonly serviceAccount?: ServiceAccountV1;
  /** Distribution's configuration as env vars, secrets by reference. */
  public readonly env: EnvVar[];

  constructor(scope: Construct, id: string, props: RegistryServerProps) {
    super(scope, id);
    const name = props.name ?? REGISTRY_DEFAULT_NAME;
    const site: ServerSite = {
      provider: props.provider,
      namespace: props.namespace,
      name,
      labels: appLabels(name, props.proxy ? "pull-through-cache" : "registry"),
    };
    const writers = writerUsernames(name, props);
    const replicas = replicaCount(name, props);
    const credentials = credentialData(props);

    const secrets = registrySecrets(this, site, props, credentials);
    this.tlsSecret = secrets.tls;
    this.credentialsSecret = secrets.credentials;
    this.upstreamCaSecret = secrets.upstreamCa;
    this.storageCaSecret = secrets.storageCa;
    this.serviceAccount = workloadIdentityAccount(this, site, props.storage);
    this.storage = new RegistryStorage(this, "storage", {
      provider: site.provider,
      namespace: site.namespace,
      name,
      settings: props.storage,
    });

    const secretRef = (key: string) => ({
      secretKeyRef: { name: this.credentialsSecret.metadata.name, key },
    });
    this.storageEnv = registryStorageEnv(props, secretRef);
    this.env = distributionEnv(props, this.storageEnv, secretRef);
    const script = htpasswdScript(Object.keys(props.users).map((key) => ({ key })));
    const nginxConfig = authProxyConfigOf(props, writers);
    this.authProxyConfig = authProxyConfigMap(this, site, nginxConfig);

    const configHash = registryPodConfigHash({
      env: this.env,
      htpasswdScript: script,
      nginxConfig,
      tls: props.tls,
      credentials,
      upstreamCaPem: props.proxy?.caCertificatePem,
      storageCaPem: storageCaPemOf(props.storage),
    });
    this.deployment = registryDeployment(this, site, {
      replicas,
      storage: props.storage,
      configHash,
      pod: this.podSpec(name, props, replicas, script),
    });
    this.podDisruptionBudget = disruptionBudget(this, site, replicas);
    this.service = new RegistryService(this, "service", {
      provider: site.provider,
      namespace: site.namespace,
      name,
      labels: site.labels,
      selector: selectorLabels(name),
      exposure: props.exposure,
    });
  }

  /** The pod template: the props, and this server's Secrets, ConfigMap, volume and account. */
  private podSpec(
    name: string,
    props: RegistryServerProps,
    replicas: number,
    htpasswdScript: string,
  ): DeploymentV1SpecTemplateSpec {
    return registryPodSpec({
      name,
      replicas,
      image: props.image,
      htpasswdImage: props.htpasswdImage,
      authProxyImage: props.authProxyImage,
      htpasswdScript,
      env: this.env,
      resources: props.resources,
      storage: props.storage,
      dataVolume: this.storage.volume,
      sources: {
        tlsSecret: this.tlsSecret.metadata.name,
        credentialsSecret: this.credentialsSecret.metadata.name,
        authProxyConfigMap: this.authProxyConfig.metadata.name,
        upstreamCaSecret: this.upstreamCaSecret?.metadata.name,
        storageCaSecret: this.storageCaSecret?.metadata.name,
      },
      serviceAccountName: this.serviceAccount?.metadata.name,
      priorityClassName: props.priorityClassName,
    });
  }
}

/** Where the server's resources go, and their name and labels. */
interface ServerSite {
  readonly provider?: TerraformProvider;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Record<string, string>;
}

/** Metadata of the server's resource `<name>-<suffix>`. */
function suffixedMetadata(site: ServerSite, suffix: string) {
  return { name: `${site.name}-${suffix}`, namespace: site.namespace, labels: site.labels };
}

/** The writers' usernames, in the order of `users`; every writer must be one of the users. */
function writerUsernames(name: string, props: RegistryServerProps): string[] {
  const writers = new Set(props.writers ?? []);
  for (const writer of writers) {
    if (!(writer in props.users)) {
      throw new Error(`RegistryServer ${name}: writer "${writer}" is not one of the users`);
    }
  }
  return Object.entries(props.users)
    .filter(([key]) => writers.has(key))
    .map(([, user]) => user.username);
}

/** Pods serving at once: more than one only on bucket storage, which they all share. */
function replicaCount(name: string, props: RegistryServerProps): number {
  const replicas = props.replicas ?? 1;
  if (replicas > 1 && !isObjectStorage(props.storage)) {
    throw new Error(
      `RegistryServer ${name}: ${String(replicas)} replicas need bucket storage (s3 or gcs), not ${props.storage.type}`,
    );
  }
  return replicas;
}

/** The credentials Secret's data: http secret, each user's name and password, other secrets. */
function credentialData(props: RegistryServerProps): Record<string, string> {
  return {
    "http-secret": props.httpSecret,
    ...Object.fromEntries(
      Object.entries(props.users).flatMap(([key, user]) => [
        [`${key}-username`, user.username],
        [`${key}-password`, user.password],
      ]),
    ),
    ...(props.proxy ? { "upstream-password": props.proxy.user.password } : {}),
    ...(props.storage.type === "s3" && props.storage.secretAccessKey
      ? { "s3-secret-key": distributionEnvString(props.storage.secretAccessKey) }
      : {}),
  };
}

/** The bucket endpoint's private CA (s3 storage only). */
function storageCaPemOf(storage: RegistryStorageSettings): string | undefined {
  return storage.type === "s3" ? storage.caCertificatePem : undefined;
}

/** The server's Secrets: TLS, credentials, and the upstream's and bucket endpoint's CAs. */
function registrySecrets(
  scope: Construct,
  site: ServerSite,
  props: RegistryServerProps,
  credentials: Record<string, string>,
) {
  const provider = site.provider;
  const tls = new SecretV1(scope, "tls", {
    provider,
    metadata: suffixedMetadata(site, "tls"),
    type: "kubernetes.io/tls",
    data: { "tls.crt": props.tls.certificatePem, "tls.key": props.tls.privateKeyPem },
  });
  const credentialsSecret = new SecretV1(scope, "credentials", {
    provider,
    metadata: suffixedMetadata(site, "credentials"),
    type: "Opaque",
    data: credentials,
  });
  const upstreamCa = props.proxy
    ? new SecretV1(scope, "upstream-ca", {
        provider,
        metadata: suffixedMetadata(site, "upstream-ca"),
        type: "Opaque",
        data: { "ca.crt": props.proxy.caCertificatePem },
      })
    : undefined;
  const storageCaPem = storageCaPemOf(props.storage);
  const storageCa = storageCaPem
    ? new SecretV1(scope, "storage-ca", {
        provider,
        metadata: suffixedMetadata(site, "storage-ca"),
        type: "Opaque",
        data: { [STORAGE_CA_TRUST.file]: storageCaPem },
      })
    : undefined;
  return { tls, credentials: credentialsSecret, upstreamCa, storageCa };
}

/** On GCS, the pods' own service account, which acts as the bucket's Google service account. */
function workloadIdentityAccount(
  scope: Construct,
  site: ServerSite,
  storage: RegistryStorageSettings,
): ServiceAccountV1 | undefined {
  if (storage.type !== "gcs") return undefined;
  return new ServiceAccountV1(scope, "service-account", {
    provider: site.provider,
    metadata: {
      name: site.name,
      namespace: site.namespace,
      labels: site.labels,
      // Workload Identity: this account acts as the Google service account.
      annotations: { [WORKLOAD_IDENTITY_ANNOTATION]: storage.serviceAccountEmail },
    },
    automountServiceAccountToken: false,
  });
}

/** The auth proxy's nginx.conf: writers may push, and volume maintenance makes it read-only. */
function authProxyConfigOf(props: RegistryServerProps, writers: readonly string[]): string {
  return renderAuthProxyConfig({
    listenPort: REGISTRY_CONTAINER_PORT,
    upstream: REGISTRY_BACKEND_ADDRESS,
    realm: props.fqdn,
    usersDir: HTPASSWD_DIR,
    writers,
    // The maintenance jobs work on a volume; a bucket has none to flag (nor jobs).
    readOnlyFlags: isObjectStorage(props.storage) ? [] : Object.values(MAINTENANCE_FLAGS),
  });
}

function authProxyConfigMap(scope: Construct, site: ServerSite, nginxConfig: string): ConfigMapV1 {
  return new ConfigMapV1(scope, "auth-proxy-config", {
    provider: site.provider,
    metadata: suffixedMetadata(site, "auth-proxy"),
    data: { "nginx.conf": nginxConfig },
  });
}

/** The Deployment of `pod`, rolled whenever `configHash` changes. */
function registryDeployment(
  scope: Construct,
  site: ServerSite,
  rollout: {
    readonly replicas: number;
    readonly storage: RegistryStorageSettings;
    readonly configHash: string;
    readonly pod: DeploymentV1SpecTemplateSpec;
  },
): DeploymentV1 {
  return new DeploymentV1(scope, "deployment", {
    provider: site.provider,
    metadata: { name: site.name, namespace: site.namespace, labels: site.labels },
    // Apply returns once the registry serves: the seeding Job and clients come after it.
    waitForRollout: true,
    spec: {
      replicas: String(rollout.replicas),
      // A bucket: roll one new pod in before an old one leaves, so some pod always serves.
      // A ReadWriteOnce volume has one writer: never run two pods at once.
      strategy: isObjectStorage(rollout.storage)
        ? { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "0", maxSurge: "1" } }
        : { type: "Recreate" },
      selector: { matchLabels: selectorLabels(site.name) },
      template: {
        metadata: {
          labels: site.labels,
          annotations: { [CONFIG_HASH_ANNOTATION]: rollout.configHash },
        },
        spec: rollout.pod,
      },
    },
  });
}

/**
 * With replicas: a drain may take one only while another serves. With one replica on a
 * ReadWriteOnce volume, deliberately non-blocking: it cannot move without a pause, and a
 * budget of zero would stall node upgrades for an hour.
 */
function disruptionBudget(
  scope: Construct,
  site: ServerSite,
  replicas: number,
): PodDisruptionBudgetV1 {
  const selector = { matchLabels: selectorLabels(site.name) };
  return new PodDisruptionBudgetV1(scope, "pdb", {
    provider: site.provider,
    metadata: { name: site.name, namespace: site.namespace, labels: site.labels },
    spec: replicas > 1 ? { minAvailable: "1", selector } : { maxUnavailable: "1", selector },
  });
}
