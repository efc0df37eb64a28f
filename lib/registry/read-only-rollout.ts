/**
 * Shell building blocks that put every replica of a registry on shared (bucket) storage into
 * Distribution's own read-only mode and back, through the Kubernetes API with the job's
 * service account token. There is no volume to hold a maintenance flag, and Distribution reads
 * its configuration only when it starts, so read-only is a rollout: a strategic-merge patch
 * adds the setting to the registry container's env, the Deployment replaces its pods one by
 * one, and the job waits until no writable pod is left.
 */

/**
 * Distribution's read-only switch as one env var: the value is YAML (configuration/parser.go)
 * and must be a map holding `enabled`, else the registry refuses to start ("readonly config
 * key must contain additional keys", registry/handlers/app.go, v2.8 and v3.1.1). Writes then
 * get 405 and upload purging pauses.
 */
export const READ_ONLY_ENV = {
  name: "REGISTRY_STORAGE_MAINTENANCE_READONLY",
  value: '{"enabled":true}',
};

/** The in-cluster API server and the mounted service account (token, CA, namespace). */
export const IN_CLUSTER = {
  apiServer: "https://kubernetes.default.svc",
  serviceAccountDir: "/var/run/secrets/kubernetes.io/serviceaccount",
};

export interface ReadOnlyRolloutOptions {
  /** The registry's Deployment, in the job's own namespace. */
  readonly deployment: string;
  /** Its Distribution container. */
  readonly container: string;
  /**
   * Seconds to wait once every pod is replaced: a replaced pod drains uploads in flight for
   * up to its termination grace period after it left the Service.
   */
  readonly drainSeconds: number;
  /** Longest wait for a rollout before the job gives up (and lifts read-only). */
  readonly rolloutTimeoutSeconds: number;
}

/** A strategic-merge patch of the registry container's env (merge key `name`). */
function envPatch(container: string, entry: Record<string, string>): string {
  return JSON.stringify({
    spec: { template: { spec: { containers: [{ name: container, env: [entry] }] } } },
  });
}

/**
 * Shell functions `read_only`, `writable` and `wait_rolled_out` (POSIX sh with curl).
 * Strategic merge patches merge `containers` and `env` by name (k8s.io/api core/v1 types.go,
 * `patchMergeKey:"name"`), so `writable` deletes exactly the entry `read_only` added and the
 * pod template is again what Terraform applied: no drift is left behind.
 * A rollout is done when the controller saw the change and every wanted replica is updated
 * and available, with no old pod counted (what `kubectl rollout status` checks,
 * kubectl/pkg/polymorphichelpers/rollout_status.go).
 */
export function readOnlyRolloutFunctions(options: ReadOnlyRolloutOptions): string[] {
  const { serviceAccountDir, apiServer } = IN_CLUSTER;
  const readOnly = envPatch(options.container, READ_ONLY_ENV);
  const writable = envPatch(options.container, { $patch: "delete", name: READ_ONLY_ENV.name });
  return [
    `sa=${serviceAccountDir}`,
    `deployment="${apiServer}/apis/apps/v1/namespaces/$(cat "$sa/namespace")/deployments/${options.deployment}"`,
    'api() { curl -sS --fail --cacert "$sa/ca.crt" -H "Authorization: Bearer $(cat "$sa/token")" "$@"; }',
    "patch_env() {",
    '  api -X PATCH -H "Content-Type: application/strategic-merge-patch+json" -d "$1" "$deployment" > /dev/null',
    "}",
    `read_only() { patch_env '${readOnly}'; }`,
    `writable() { patch_env '${writable}'; }`,
    // The n-th number after "name": in the Deployment's JSON, spaces and newlines removed (the
    // API server indents for curl); spec.replicas comes before status.replicas.
    // No "$" + "{" anywhere: Terraform would read it as an interpolation.
    'field() { printf "%s" "$status" | tr -d " \\n" | grep -o "\\"$1\\":[0-9]*" | sed -n "$2p" | cut -d: -f2; }',
    "rolled_out() {",
    '  status=$(api "$deployment") || return 1',
    "  generation=$(field generation 1)",
    "  observed=$(field observedGeneration 1)",
    "  wanted=$(field replicas 1)",
    '  [ -n "$observed" ] && [ -n "$generation" ] && [ "$observed" -ge "$generation" ] &&',
    '    [ "$(field updatedReplicas 1)" = "$wanted" ] &&',
    '    [ "$(field replicas 2)" = "$wanted" ] &&',
    '    [ "$(field availableReplicas 1)" = "$wanted" ]',
    "}",
    "wait_rolled_out() {",
    "  waited=0",
    "  until rolled_out; do",
    `    if [ "$waited" -ge ${String(options.rolloutTimeoutSeconds)} ]; then`,
    `      echo "the registry's rollout did not finish in ${String(options.rolloutTimeoutSeconds)}s (kubectl rollout status deployment/${options.deployment})"`,
    "      exit 1",
    "    fi",
    "    sleep 5",
    "    waited=$((waited + 5))",
    "  done",
    "}",
  ];
}
