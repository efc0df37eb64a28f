/** The unprivileged user every workload of this project runs as. */
const NON_ROOT_UID = "1000";

/** Pod-level security: non-root, RuntimeDefault seccomp, volumes writable by the group. */
export function restrictedPodSecurityContext() {
  return {
    runAsNonRoot: true,
    runAsUser: NON_ROOT_UID,
    runAsGroup: NON_ROOT_UID,
    fsGroup: NON_ROOT_UID,
    // Re-own the volume only when needed, not recursively on every start.
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Container-level security: Kubernetes' "restricted" profile plus a read-only root filesystem. */
export function restrictedContainerSecurityContext() {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}
