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
