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

/** A Pod Security Standards level (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/**
 * Namespace labels for Pod Security Admission
 * (https://kubernetes.io/docs/concepts/security/pod-security-admission/): pods that break
 * `level` are refused; `warn` and `audit` also report what `restricted` would refuse.
 */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
  return {
    "pod-security.kubernetes.io/enforce": level,
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/warn-version": "latest",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/audit-version": "latest",
  };
}
