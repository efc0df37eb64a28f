/** Port of Distribution's debug server (health and Prometheus metrics); never exposed. */
export const REGISTRY_DEBUG_PORT = 5001;

/**
 * Port Distribution serves the API on, plain HTTP on the pod's loopback: only the auth proxy
 * in the same pod reaches it, so nothing bypasses the proxy's authorisation.
 */
export const REGISTRY_BACKEND_ADDRESS = "127.0.0.1:5080";
