import { REGISTRY_BACKEND_ADDRESS, REGISTRY_DEBUG_PORT } from "./distribution-listeners";
import { DRAIN_SECONDS } from "./graceful-stop";
import { REGISTRY_PATHS } from "./registry-paths";
import type { RegistryProxy } from "./registry-proxy";
import { STORAGE_CA_TRUST, type RegistryStorageSettings } from "./registry-storage";

/** A container env entry: a literal, or a key of a Secret. */
export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly secretKeyRef: { readonly name: string; readonly key: string } };
}

/** The reference to a key of the registry's credentials Secret. */
export type SecretRef = (key: string) => NonNullable<EnvVar["valueFrom"]>;

/** What Distribution's configuration depends on (fields of RegistryServerProps). */
export interface DistributionSettings {
  readonly storage: RegistryStorageSettings;
  /**
   * Storage is garbage-collected by another process while this one serves.
   * @default false
   */
  readonly garbageCollected?: boolean;
  /** @default not a proxy */
  readonly proxy?: RegistryProxy;
}

/** The env that selects and configures the storage (what a garbage collector needs too). */
export function registryStorageEnv(settings: DistributionSettings, secretRef: SecretRef): EnvVar[] {
  return [
    ...storageDriverEnv(settings.storage, secretRef),
    // Any value but inmemory/redis switches the cache off (distribution v3.1.1
    // registry/handlers/app.go:322-325, "unknown cache type ..., caching disabled"). With it
    // on, a blob the collector deleted is still "there" for HEAD and manifest checks, so a
    // push skips uploading it and the new image is broken. A pull-through cache deletes
    // blobs itself: when one repository's content expires, the shared blob file goes for
    // every repository (registry/proxy/proxyregistry.go OnBlobExpire, Vacuum.RemoveBlob)
    // while the descriptor cache still says it is there (proxyblobstore.go serveLocal), and
    // another repository's pull gets a broken body (distribution issue 2367).
    ...(settings.garbageCollected || settings.proxy
      ? [{ name: "REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR", value: "disabled" }]
      : []),
    { name: "REGISTRY_LOG_LEVEL", value: "info" },
    // Distribution 3 exports traces to localhost:4318 by default and logs every failure.
    { name: "OTEL_TRACES_EXPORTER", value: "none" },
  ];
}

/**
 * Distribution's configuration as env vars, secrets by reference: its listeners, drain time,
 * `storageEnv`, deletes, and the upstream of a pull-through cache.
 */
export function distributionEnv(
  settings: DistributionSettings,
  storageEnv: readonly EnvVar[],
  secretRef: SecretRef,
): EnvVar[] {
  const proxy = settings.proxy;
  return [
    { name: "REGISTRY_HTTP_ADDR", value: REGISTRY_BACKEND_ADDRESS },
    { name: "REGISTRY_HTTP_SECRET", valueFrom: secretRef("http-secret") },
    { name: "REGISTRY_HTTP_DEBUG_ADDR", value: `:${REGISTRY_DEBUG_PORT}` },
    { name: "REGISTRY_HTTP_DRAINTIMEOUT", value: `${DRAIN_SECONDS}s` },
    { name: "REGISTRY_HTTP_DEBUG_PROMETHEUS_ENABLED", value: "true" },
    { name: "REGISTRY_HTTP_DEBUG_PROMETHEUS_PATH", value: "/metrics" },
    ...storageEnv,
    // The origin never deletes through the API: the pull credential is on every node, and
    // garbage collection works on storage, not through the API. A cache must: its TTL expiry
    // deletes through the blob and manifest stores, which refuse with delete disabled
    // (Distribution v3.0.0 registry/proxy/proxyregistry.go:75,104 and
    // registry/storage/linkedblobstore.go:212-214, `ErrUnsupported`).
    { name: "REGISTRY_STORAGE_DELETE_ENABLED", value: proxy ? "true" : "false" },
    ...(proxy
      ? [
          { name: "REGISTRY_PROXY_REMOTEURL", value: proxy.remoteUrl },
          { name: "REGISTRY_PROXY_USERNAME", value: proxy.user.username },
          { name: "REGISTRY_PROXY_PASSWORD", valueFrom: secretRef("upstream-password") },
          // Explicit, so the cache's retention is visible and reviewable here.
          { name: "REGISTRY_PROXY_TTL", value: proxy.ttl ?? "168h" },
          // The upstream is signed by the private CA: Go's TLS loads its roots from this file.
          { name: "SSL_CERT_FILE", value: REGISTRY_PATHS.upstreamCa },
        ]
      : []),
  ];
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
function storageDriverEnv(storage: RegistryStorageSettings, secretRef: SecretRef): EnvVar[] {
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
