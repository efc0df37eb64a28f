import { createHash } from "node:crypto";
import { Construct } from "constructs";
import { Token, type TerraformProvider } from "cdktf";
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { CONFIG_HASH_ANNOTATION, secretConfigHash } from "../k8s/config-hash";
import { appLabels, selectorLabels } from "../k8s/labels";
import {
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from "../k8s/pod-security";
import { AUTH_PROXY_PATHS, renderAuthProxyConfig } from "./auth-proxy-config";
import { CREDENTIALS_DIR, HTPASSWD_DIR, htpasswdScript } from "./htpasswd";
import { REGISTRY_CONTAINER_PORT } from "./ports";
import type { RegistryUser } from "./registry-credentials";
import { RegistryService, type RegistryExposure } from "./registry-service";
import {
  caCertificateDigest,
  distributionEnvString,
  isObjectStorage,
  RegistryStorage,
  STORAGE_CA_TRUST,
  type RegistryStorageSettings,
} from "./registry-storage";

/** In-container paths of the registry; the e2e test remaps them to a temporary directory. */
export const REGISTRY_PATHS = {
  data: "/var/lib/registry",
  upstreamCa: "/upstream-ca/ca.crt",
  /** Folder of the bucket endpoint's private CA (SSL_CERT_DIR). */
  storageCa: "/storage-ca",
} as const;

/**
 * While any of these files exists on the data volume the auth proxy refuses writes (503): one
 * per maintenance job, so one job ending never lifts another's. Outside Distribution's tree
 * (`docker/registry/v2`).
 */
export const MAINTENANCE_FLAGS = {
  garbageCollection: `${REGISTRY_PATHS.data}/maintenance/garbage-collection`,
  backup: `${REGISTRY_PATHS.data}/maintenance/backup`,
} as const;

/** Name of the registry's Deployment, Service and service account unless told otherwise. */
export const REGISTRY_DEFAULT_NAME = "registry";

/** Port of Distribution's debug server (health and Prometheus metrics); never exposed. */
export const REGISTRY_DEBUG_PORT = 5001;
/**
 * Port Distribution serves the API on, plain HTTP on the pod's loopback: only the auth proxy
 * in the same pod reaches it, so nothing bypasses the proxy's authorisation.
 */
export const REGISTRY_BACKEND_ADDRESS = "127.0.0.1:5080";

/**
 * Stopping a pod without cutting transfers: Kubernetes removes the pod from the Service's
 * endpoints while it runs the containers' preStop hooks, so both containers first wait
 * `PRE_STOP_SECONDS` for new connections to stop arriving; then Distribution, with
 * `http.draintimeout`, stops accepting and lets requests in flight finish for up to
 * `DRAIN_SECONDS` (distribution registry/registry.go: without it the process exits at once on
 * SIGTERM), and nginx stops gracefully (the nginx image's STOPSIGNAL is SIGQUIT). The grace
 * period covers both before the kubelet kills what is left.
 */
export const PRE_STOP_SECONDS = 5;
export const DRAIN_SECONDS = 60;
/** Name of Distribution's container in the registry pod (maintenance jobs patch its env). */
export const REGISTRY_CONTAINER_NAME = "registry";

/** The Kubernetes service account annotation that names the Google service account to act as. */
export const WORKLOAD_IDENTITY_ANNOTATION = "iam.gke.io/gcp-service-account";

export const TERMINATION_GRACE_SECONDS = PRE_STOP_SECONDS + DRAIN_SECONDS + 10;

/** The proxy streams and hashes a password per request: small, with room for bcrypt bursts. */
const AUTH_PROXY_RESOURCES = {
  requests: { cpu: "50m", memory: "32Mi" },
  limits: { cpu: "500m", memory: "128Mi" },
};

/** A container env entry: a literal, or a key of a Secret. */
export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly secretKeyRef: { readonly name: string; readonly key: string } };
}

export interface ComputeResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** Pull-through cache mode: serve from `remoteUrl`, storing each layer once. */
export interface RegistryProxy {
  readonly remoteUrl: string;
  readonly user: RegistryUser;
  /** CA that signed the upstream's certificate. */
  readonly caCertificatePem: string;
  /**
   * How long content stays after it was last fetched (Go duration; `0` keeps it forever).
   * Distribution's default is 168h (registry/proxy/proxyregistry.go, `repositoryTTL`).
   * @default "168h"
   */
  readonly ttl?: string;
}

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
    const { provider, namespace } = props;
    const labels = appLabels(name, props.proxy ? "pull-through-cache" : "registry");
    const metadata = (suffix: string) => ({ name: `${name}-${suffix}`, namespace, labels });

    this.tlsSecret = new SecretV1(this, "tls", {
      provider,
      metadata: metadata("tls"),
      type: "kubernetes.io/tls",
      data: { "tls.crt": props.tls.certificatePem, "tls.key": props.tls.privateKeyPem },
    });
    const users = Object.entries(props.users);
    const writers = new Set(props.writers ?? []);
    for (const writer of writers) {
      if (!(writer in props.users)) {
        throw new Error(`RegistryServer ${name}: writer "${writer}" is not one of the users`);
      }
    }
    const credentialData: Record<string, string> = {
      "http-secret": props.httpSecret,
      ...Object.fromEntries(
        users.flatMap(([key, user]) => [
          [`${key}-username`, user.username],
          [`${key}-password`, user.password],
        ]),
      ),
      ...(props.proxy ? { "upstream-password": props.proxy.user.password } : {}),
      ...(props.storage.type === "s3" && props.storage.secretAccessKey
        ? { "s3-secret-key": distributionEnvString(props.storage.secretAccessKey) }
        : {}),
    };
    const replicas = props.replicas ?? 1;
    const shared = isObjectStorage(props.storage);
    if (replicas > 1 && !shared) {
      throw new Error(
        `RegistryServer ${name}: ${String(replicas)} replicas need bucket storage (s3 or gcs), not ${props.storage.type}`,
      );
    }
    this.credentialsSecret = new SecretV1(this, "credentials", {
      provider,
      metadata: metadata("credentials"),
      type: "Opaque",
      data: credentialData,
    });
    this.upstreamCaSecret = props.proxy
      ? new SecretV1(this, "upstream-ca", {
          provider,
          metadata: metadata("upstream-ca"),
          type: "Opaque",
          data: { "ca.crt": props.proxy.caCertificatePem },
        })
      : undefined;

    const storage = props.storage;
    const storageCaPem = storage.type === "s3" ? storage.caCertificatePem : undefined;
    this.storageCaSecret = storageCaPem
      ? new SecretV1(this, "storage-ca", {
          provider,
          metadata: metadata("storage-ca"),
          type: "Opaque",
          data: { [STORAGE_CA_TRUST.file]: storageCaPem },
        })
      : undefined;
    this.serviceAccount =
      storage.type === "gcs"
        ? new ServiceAccountV1(this, "service-account", {
            provider,
            metadata: {
              name,
              namespace,
              labels,
              // Workload Identity: this account acts as the Google service account.
              annotations: { [WORKLOAD_IDENTITY_ANNOTATION]: storage.serviceAccountEmail },
            },
            automountServiceAccountToken: false,
          })
        : undefined;
    this.storage = new RegistryStorage(this, "storage", {
      provider,
      namespace,
      name,
      settings: props.storage,
    });

    const secretRef = (key: string) => ({
      secretKeyRef: { name: this.credentialsSecret.metadata.name, key },
    });
    this.storageEnv = [
      ...storageDriverEnv(props.storage, secretRef),
      // Any value but inmemory/redis switches the cache off (distribution v3.1.1
      // registry/handlers/app.go:322-325, "unknown cache type ..., caching disabled"). With it
      // on, a blob the collector deleted is still "there" for HEAD and manifest checks, so a
      // push skips uploading it and the new image is broken. A pull-through cache deletes
      // blobs itself: when one repository's content expires, the shared blob file goes for
      // every repository (registry/proxy/proxyregistry.go OnBlobExpire, Vacuum.RemoveBlob)
      // while the descriptor cache still says it is there (proxyblobstore.go serveLocal), and
      // another repository's pull gets a broken body (distribution issue 2367).
      ...(props.garbageCollected || props.proxy
        ? [{ name: "REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR", value: "disabled" }]
        : []),
      { name: "REGISTRY_LOG_LEVEL", value: "info" },
      // Distribution 3 exports traces to localhost:4318 by default and logs every failure.
      { name: "OTEL_TRACES_EXPORTER", value: "none" },
    ];
    this.env = [
      { name: "REGISTRY_HTTP_ADDR", value: REGISTRY_BACKEND_ADDRESS },
      { name: "REGISTRY_HTTP_SECRET", valueFrom: secretRef("http-secret") },
      { name: "REGISTRY_HTTP_DEBUG_ADDR", value: `:${REGISTRY_DEBUG_PORT}` },
      { name: "REGISTRY_HTTP_DRAINTIMEOUT", value: `${DRAIN_SECONDS}s` },
      { name: "REGISTRY_HTTP_DEBUG_PROMETHEUS_ENABLED", value: "true" },
      { name: "REGISTRY_HTTP_DEBUG_PROMETHEUS_PATH", value: "/metrics" },
      ...this.storageEnv,
      // The origin never deletes through the API: the pull credential is on every node, and
      // garbage collection works on storage, not through the API. A cache must: its TTL expiry
      // deletes through the blob and manifest stores, which refuse with delete disabled
      // (Distribution v3.0.0 registry/proxy/proxyregistry.go:75,104 and
      // registry/storage/linkedblobstore.go:212-214, `ErrUnsupported`).
      { name: "REGISTRY_STORAGE_DELETE_ENABLED", value: props.proxy ? "true" : "false" },
      ...(props.proxy
        ? [
            { name: "REGISTRY_PROXY_REMOTEURL", value: props.proxy.remoteUrl },
            { name: "REGISTRY_PROXY_USERNAME", value: props.proxy.user.username },
            { name: "REGISTRY_PROXY_PASSWORD", valueFrom: secretRef("upstream-password") },
            // Explicit, so the cache's retention is visible and reviewable here.
            { name: "REGISTRY_PROXY_TTL", value: props.proxy.ttl ?? "168h" },
            // The upstream is signed by the private CA: Go's TLS loads its roots from this file.
            { name: "SSL_CERT_FILE", value: REGISTRY_PATHS.upstreamCa },
          ]
        : []),
    ];
    const script = htpasswdScript(users.map(([key]) => ({ key })));
    const nginxConfig = renderAuthProxyConfig({
      listenPort: REGISTRY_CONTAINER_PORT,
      upstream: REGISTRY_BACKEND_ADDRESS,
      realm: props.fqdn,
      usersDir: HTPASSWD_DIR,
      writers: users.filter(([key]) => writers.has(key)).map(([, user]) => user.username),
      // The maintenance jobs work on a volume; a bucket has none to flag (nor jobs).
      readOnlyFlags: isObjectStorage(props.storage) ? [] : Object.values(MAINTENANCE_FLAGS),
    });
    this.authProxyConfig = new ConfigMapV1(this, "auth-proxy-config", {
      provider,
      metadata: metadata("auth-proxy"),
      data: { "nginx.conf": nginxConfig },
    });
    // Literal inputs are digested here; Terraform string literals cannot carry the script's
    // quotes, so only the digest and the references reach the expression. A value that is a
    // reference (another stack's output) goes in as itself: its token text depends on the
    // order constructs were made in the whole app, so a digest of it would change whenever
    // another stack is added.
    const isReference = (value: string) => Token.isUnresolved(value);
    const literalDigest = createHash("sha256")
      .update(
        JSON.stringify({
          env: this.env.map((variable) => {
            const value = variable.value ?? "";
            return [variable.name, isReference(value) ? "(reference)" : value];
          }),
          script,
          nginxConfig,
        }),
      )
      .digest("hex");
    const referencedEnv = Object.fromEntries(
      this.env.flatMap((variable) =>
        variable.value !== undefined && isReference(variable.value)
          ? [[variable.name, variable.value]]
          : [],
      ),
    );
    const podConfigHash = secretConfigHash({
      literals: literalDigest,
      ...(Object.keys(referencedEnv).length > 0 ? { env: referencedEnv } : {}),
      tls: [props.tls.certificatePem, props.tls.privateKeyPem],
      credentials: credentialData,
      upstreamCa: props.proxy?.caCertificatePem ?? "",
      ...(storageCaPem ? { storageCa: caCertificateDigest(storageCaPem) } : {}),
    });

    // Distribution's debug server answers /debug/health (health/health.go registers it on the
    // default mux, registry/registry.go configureDebugServer serves that mux) on the pod IP; the
    // API itself is on loopback. The proxy is ready when a request crosses it to the registry.
    // /debug/health turns 503 while the storage check fails (registry/handlers/app.go
    // RegisterHealthChecks): right for readiness, wrong for liveness, which would restart every
    // replica into CrashLoopBackOff during a short bucket outage. Liveness asks only whether the
    // process still listens.
    const registryReadiness = {
      httpGet: { path: "/debug/health", port: String(REGISTRY_DEBUG_PORT), scheme: "HTTP" },
      periodSeconds: 10,
      timeoutSeconds: 3,
    };
    const registryLiveness = {
      tcpSocket: [{ port: String(REGISTRY_DEBUG_PORT) }],
      initialDelaySeconds: 10,
      periodSeconds: 10,
      failureThreshold: 6,
    };
    const waitForEndpoints = {
      preStop: [{ exec: { command: ["sleep", String(PRE_STOP_SECONDS)] } }],
    };
    const proxyReadiness = {
      httpGet: { path: "/", port: String(REGISTRY_CONTAINER_PORT), scheme: "HTTPS" },
      periodSeconds: 10,
      timeoutSeconds: 3,
    };
    this.deployment = new DeploymentV1(this, "deployment", {
      provider,
      metadata: { name, namespace, labels },
      // Apply returns once the registry serves: the seeding Job and clients come after it.
      waitForRollout: true,
      spec: {
        replicas: String(replicas),
        // A bucket: roll one new pod in before an old one leaves, so some pod always serves.
        // A ReadWriteOnce volume has one writer: never run two pods at once.
        strategy: shared
          ? { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "0", maxSurge: "1" } }
          : { type: "Recreate" },
        selector: { matchLabels: selectorLabels(name) },
        template: {
          metadata: { labels, annotations: { [CONFIG_HASH_ANNOTATION]: podConfigHash } },
          spec: {
            // GKE's metadata server maps the pod to its Google service account by the pod's
            // Kubernetes service account; no API token is needed in the pod either way.
            serviceAccountName: this.serviceAccount?.metadata.name,
            automountServiceAccountToken: false,
            priorityClassName: props.priorityClassName,
            terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
            // Replicas on different nodes (and zones where there are several): a node drain
            // or a zone outage leaves one serving. Best effort, so a one-node cluster still
            // runs them all.
            topologySpreadConstraint:
              replicas > 1
                ? ["kubernetes.io/hostname", "topology.kubernetes.io/zone"].map((key) => ({
                    maxSkew: 1,
                    topologyKey: key,
                    whenUnsatisfiable: "ScheduleAnyway",
                    labelSelector: [{ matchLabels: selectorLabels(name) }],
                  }))
                : undefined,
            securityContext: restrictedPodSecurityContext(),
            // hostPath data lives on one node: the pod must always run there.
            nodeSelector:
              props.storage.type === "hostPath"
                ? { "kubernetes.io/hostname": props.storage.node }
                : undefined,
            initContainer: [
              {
                name: "htpasswd",
                image: props.htpasswdImage,
                command: ["/bin/sh", "-c", script],
                securityContext: restrictedContainerSecurityContext(),
                resources: { limits: { cpu: "200m", memory: "64Mi" } },
                volumeMount: [
                  { name: "credentials", mountPath: CREDENTIALS_DIR, readOnly: true },
                  { name: "auth", mountPath: HTPASSWD_DIR },
                ],
              },
            ],
            container: [
              {
                name: REGISTRY_CONTAINER_NAME,
                image: props.image,
                env: this.env,
                port: [{ name: "metrics", containerPort: REGISTRY_DEBUG_PORT }],
                readinessProbe: registryReadiness,
                livenessProbe: registryLiveness,
                lifecycle: waitForEndpoints,
                resources: props.resources,
                securityContext: restrictedContainerSecurityContext(),
                volumeMount: [
                  { name: this.storage.volume.name, mountPath: REGISTRY_PATHS.data },
                  { name: "tmp", mountPath: "/tmp" },
                  ...(this.upstreamCaSecret
                    ? [{ name: "upstream-ca", mountPath: "/upstream-ca", readOnly: true }]
                    : []),
                  ...(this.storageCaSecret
                    ? [{ name: "storage-ca", mountPath: REGISTRY_PATHS.storageCa, readOnly: true }]
                    : []),
                ],
              },
              {
                name: "auth-proxy",
                image: props.authProxyImage,
                // -e: nginx opens its compiled-in error log before reading the config; the
                // root filesystem is read-only.
                command: ["nginx", "-e", "stderr", "-c", AUTH_PROXY_PATHS.config],
                port: [{ name: "https", containerPort: REGISTRY_CONTAINER_PORT }],
                readinessProbe: proxyReadiness,
                lifecycle: waitForEndpoints,
                livenessProbe: {
                  tcpSocket: [{ port: String(REGISTRY_CONTAINER_PORT) }],
                  initialDelaySeconds: 5,
                  periodSeconds: 10,
                  failureThreshold: 6,
                },
                resources: AUTH_PROXY_RESOURCES,
                securityContext: restrictedContainerSecurityContext(),
                volumeMount: [
                  {
                    name: "auth-proxy-config",
                    mountPath: AUTH_PROXY_PATHS.configDir,
                    readOnly: true,
                  },
                  { name: "tls", mountPath: "/certs", readOnly: true },
                  { name: "auth", mountPath: HTPASSWD_DIR, readOnly: true },
                  // Only to see the maintenance flag.
                  {
                    name: this.storage.volume.name,
                    mountPath: REGISTRY_PATHS.data,
                    readOnly: true,
                  },
                  { name: "proxy-runtime", mountPath: AUTH_PROXY_PATHS.runtimeDir },
                ],
              },
            ],
            volume: [
              { name: "tls", secret: { secretName: this.tlsSecret.metadata.name } },
              { name: "credentials", secret: { secretName: this.credentialsSecret.metadata.name } },
              { name: "auth", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
              { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
              {
                name: "auth-proxy-config",
                configMap: { name: this.authProxyConfig.metadata.name },
              },
              // Streaming (no request or response buffering) keeps temp files small.
              { name: "proxy-runtime", emptyDir: { sizeLimit: "256Mi" } },
              this.storage.volume,
              ...(this.upstreamCaSecret
                ? [
                    {
                      name: "upstream-ca",
                      secret: { secretName: this.upstreamCaSecret.metadata.name },
                    },
                  ]
                : []),
              ...(this.storageCaSecret
                ? [
                    {
                      name: "storage-ca",
                      secret: { secretName: this.storageCaSecret.metadata.name },
                    },
                  ]
                : []),
            ],
          },
        },
      },
    });

    // With replicas: a drain may take one only while another serves. With one replica on a
    // ReadWriteOnce volume, deliberately non-blocking: it cannot move without a pause, and a
    // budget of zero would stall node upgrades for an hour.
    this.podDisruptionBudget = new PodDisruptionBudgetV1(this, "pdb", {
      provider,
      metadata: { name, namespace, labels },
      spec:
        replicas > 1
          ? { minAvailable: "1", selector: { matchLabels: selectorLabels(name) } }
          : { maxUnavailable: "1", selector: { matchLabels: selectorLabels(name) } },
    });

    this.service = new RegistryService(this, "service", {
      provider,
      namespace,
      name,
      labels,
      selector: selectorLabels(name),
      exposure: props.exposure,
    });
  }
}

/**
 * With a bucket, Distribution answers blob GETs with a redirect to a presigned bucket URL by
 * default (v3.1.1 docs/content/about/configuration.md, `redirect`; seen as 307 in the e2e
 * suite): clients would need to reach and trust the bucket's endpoint. Nodes reach only the
 * registry (across the VPN), so it streams the blobs itself.
 */
const STREAM_BLOBS: EnvVar[] = [{ name: "REGISTRY_STORAGE_REDIRECT_DISABLE", value: "true" }];

/**
 * Distribution's storage driver as env (distribution v3.1.1 configuration: `storage.s3`
 * parameters in registry/storage/driver/s3-aws/s3.go, `storage.gcs` in driver/gcs/gcs.go,
 * whose default credentials are GKE's Workload Identity when no keyfile is given).
 */
function storageDriverEnv(
  storage: RegistryStorageSettings,
  secretRef: (key: string) => NonNullable<EnvVar["valueFrom"]>,
): EnvVar[] {
  switch (storage.type) {
    case "s3":
      return [
        { name: "REGISTRY_STORAGE", value: "s3" },
        ...STREAM_BLOBS,
        { name: "REGISTRY_STORAGE_S3_BUCKET", value: storage.bucket },
        { name: "REGISTRY_STORAGE_S3_REGION", value: storage.region },
        ...(storage.endpoint
          ? [
              { name: "REGISTRY_STORAGE_S3_REGIONENDPOINT", value: storage.endpoint },
              {
                name: "REGISTRY_STORAGE_S3_SECURE",
                value: String(storage.endpoint.startsWith("https:")),
              },
            ]
          : []),
        {
          name: "REGISTRY_STORAGE_S3_FORCEPATHSTYLE",
          value: String(storage.forcePathStyle ?? false),
        },
        ...(storage.accessKeyId
          ? [
              { name: "REGISTRY_STORAGE_S3_ACCESSKEY", value: storage.accessKeyId },
              { name: "REGISTRY_STORAGE_S3_SECRETKEY", valueFrom: secretRef("s3-secret-key") },
            ]
          : []),
        ...(storage.rootDirectory
          ? [{ name: "REGISTRY_STORAGE_S3_ROOTDIRECTORY", value: storage.rootDirectory }]
          : []),
        // The endpoint's private CA beside the image's roots (registry-storage.ts STORAGE_CA_TRUST).
        ...(storage.caCertificatePem
          ? [{ name: STORAGE_CA_TRUST.env, value: REGISTRY_PATHS.storageCa }]
          : []),
      ];
    case "gcs":
      return [
        { name: "REGISTRY_STORAGE", value: "gcs" },
        ...STREAM_BLOBS,
        { name: "REGISTRY_STORAGE_GCS_BUCKET", value: storage.bucket },
      ];
    default:
      return [{ name: "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", value: REGISTRY_PATHS.data }];
  }
}
