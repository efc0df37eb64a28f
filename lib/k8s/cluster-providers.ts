import type { Construct } from "constructs";
import { Fn } from "cdktf";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";

/** Access to a GKE control plane with the caller's Google identity. */
export interface GkeAccess {
  /** Control-plane endpoint (IP or DNS name), without scheme. */
  readonly endpoint: string;
  /**
   * Base64 PEM of the cluster CA, for the IP endpoint. The DNS-based endpoint presents a
   * publicly trusted certificate: pinning the cluster CA there fails verification.
   * @default none (trust the system roots: DNS-based endpoint)
   */
  readonly caCertificate?: string;
  /** OAuth access token, e.g. from `google_client_config`. */
  readonly token: string;
}

/** Access through a kubeconfig file (k3s, on-prem clusters). */
export interface KubeconfigAccess {
  readonly path: string;
  /** @default the file's current-context */
  readonly context?: string;
}

export type ClusterAccess = { readonly gke: GkeAccess } | { readonly kubeconfig: KubeconfigAccess };

/**
 * Annotations GKE writes on Services by itself (container-native load balancing: NEGs), which
 * the provider would otherwise plan to remove on every run. The provider drops matching keys it
 * does not manage from what it reads (terraform-provider-kubernetes v2.38.0
 * kubernetes/provider.go:198 `ignore_annotations`, applied by `removeKeys` in structures.go).
 * https://cloud.google.com/kubernetes-engine/docs/how-to/container-native-load-balancing
 */
export const GKE_MANAGED_ANNOTATIONS = ["^cloud\\.google\\.com/neg(-status)?$"];

/** A kubernetes provider (aliased when `alias` is given) for one cluster. */
export function kubernetesProvider(
  scope: Construct,
  id: string,
  access: ClusterAccess,
  alias?: string,
): KubernetesProvider {
  if ("gke" in access) {
    return new KubernetesProvider(scope, id, {
      alias,
      host: `https://${access.gke.endpoint}`,
      clusterCaCertificate: access.gke.caCertificate
        ? Fn.base64decode(access.gke.caCertificate)
        : undefined,
      token: access.gke.token,
      ignoreAnnotations: GKE_MANAGED_ANNOTATIONS,
    });
  }
  return new KubernetesProvider(scope, id, {
    alias,
    configPath: access.kubeconfig.path,
    configContext: access.kubeconfig.context,
  });
}
