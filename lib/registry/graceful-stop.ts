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
export const TERMINATION_GRACE_SECONDS = PRE_STOP_SECONDS + DRAIN_SECONDS + 10;

/** A container's lifecycle that waits PRE_STOP_SECONDS for the endpoints to drop the pod. */
export function waitForEndpoints() {
  return { preStop: [{ exec: { command: ["sleep", String(PRE_STOP_SECONDS)] } }] };
}
