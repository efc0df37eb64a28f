/** Port Distribution listens on inside the pod. */
export const REGISTRY_CONTAINER_PORT = 5000;
/** Port clients use: 443, so image names need no port (`registry.onprem.internal/repo:tag`). */
export const REGISTRY_SERVICE_PORT = 443;
