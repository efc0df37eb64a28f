import type {
  DeploymentV1SpecTemplateSpec,
  DeploymentV1SpecTemplateSpecContainer,
  DeploymentV1SpecTemplateSpecContainerLivenessProbe,
  DeploymentV1SpecTemplateSpecContainerReadinessProbe,
  DeploymentV1SpecTemplateSpecInitContainer,
  DeploymentV1SpecTemplateSpecTopologySpreadConstraint,
  DeploymentV1SpecTemplateSpecVolume,
} from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { selectorLabels } from "../k8s/labels";
import {
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from "../k8s/pod-security";
import { AUTH_PROXY_PATHS } from "./auth-proxy-config";
import { REGISTRY_DEBUG_PORT } from "./distribution-listeners";
import { TERMINATION_GRACE_SECONDS, waitForEndpoints } from "./graceful-stop";
import { CREDENTIALS_DIR, HTPASSWD_DIR } from "./htpasswd";
import { REGISTRY_CONTAINER_PORT } from "./ports";
import type { EnvVar } from "./registry-env";
import { REGISTRY_PATHS } from "./registry-paths";
import type { DataVolume, RegistryStorageSettings } from "./registry-storage";

/** Name of Distribution's container in the registry pod (maintenance jobs patch its env). */
export const REGISTRY_CONTAINER_NAME = "registry";

/** Requests and limits of Distribution's container. */
export interface ComputeResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** The proxy streams and hashes a password per request: small, with room for bcrypt bursts. */
const AUTH_PROXY_RESOURCES = {
  requests: { cpu: "50m", memory: "32Mi" },
  limits: { cpu: "500m", memory: "128Mi" },
};

/** Names of the Secrets and the ConfigMap the pod mounts. */
export interface RegistryPodSources {
  readonly tlsSecret: string;
  readonly credentialsSecret: string;
  readonly authProxyConfigMap: string;
  /** @default none (not a pull-through cache) */
  readonly upstreamCaSecret?: string;
  /** @default none (no private CA for the bucket endpoint) */
  readonly storageCaSecret?: string;
}

export interface RegistryPodProps {
  /** The Deployment's name, whose selector labels the replicas spread by. */
  readonly name: string;
  readonly replicas: number;
  /** CNCF Distribution image. */
  readonly image: string;
  /** Image providing `htpasswd` for the init container. */
  readonly htpasswdImage: string;
  /** nginx image of the auth proxy. */
  readonly authProxyImage: string;
  /** The init container's script (htpasswd.ts htpasswdScript). */
  readonly htpasswdScript: string;
  /** Distribution's configuration. */
  readonly env: EnvVar[];
  readonly resources: ComputeResources;
  readonly storage: RegistryStorageSettings;
  readonly dataVolume: DataVolume;
  readonly sources: RegistryPodSources;
  /** @default the namespace's default service account */
  readonly serviceAccountName?: string;
  /** @default the cluster's default priority */
  readonly priorityClassName?: string;
}

/**
 * The registry's pod: an init container hashing the users' passwords, Distribution on the
 * loopback, and the nginx auth proxy in front of it, hardened and spread over nodes.
 */
export function registryPodSpec(props: RegistryPodProps): DeploymentV1SpecTemplateSpec {
  return {
    // GKE's metadata server maps the pod to its Google service account by the pod's
    // Kubernetes service account; no API token is needed in the pod either way.
    serviceAccountName: props.serviceAccountName,
    automountServiceAccountToken: false,
    priorityClassName: props.priorityClassName,
    terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
    topologySpreadConstraint: spreadOverNodes(props.name, props.replicas),
    securityContext: restrictedPodSecurityContext(),
    // hostPath data lives on one node: the pod must always run there.
    nodeSelector:
      props.storage.type === "hostPath"
        ? { "kubernetes.io/hostname": props.storage.node }
        : undefined,
    initContainer: [htpasswdContainer(props.htpasswdImage, props.htpasswdScript)],
    container: [
      registryContainer(props),
      authProxyContainer(props.authProxyImage, props.dataVolume),
    ],
    volume: podVolumes(props.sources, props.dataVolume),
  };
}

/**
 * Replicas on different nodes (and zones where there are several): a node drain or a zone
 * outage leaves one serving. Best effort, so a one-node cluster still runs them all.
 */
function spreadOverNodes(
  name: string,
  replicas: number,
): DeploymentV1SpecTemplateSpecTopologySpreadConstraint[] | undefined {
  if (replicas <= 1) return undefined;
  return ["kubernetes.io/hostname", "topology.kubernetes.io/zone"].map((key) => ({
    maxSkew: 1,
    topologyKey: key,
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: [{ matchLabels: selectorLabels(name) }],
  }));
}

/** Writes the auth proxy's htpasswd file from the credentials Secret. */
function htpasswdContainer(
  image: string,
  script: string,
): DeploymentV1SpecTemplateSpecInitContainer {
  return {
    name: "htpasswd",
    image,
    command: ["/bin/sh", "-c", script],
    securityContext: restrictedContainerSecurityContext(),
    resources: { limits: { cpu: "200m", memory: "64Mi" } },
    volumeMount: [
      { name: "credentials", mountPath: CREDENTIALS_DIR, readOnly: true },
      { name: "auth", mountPath: HTPASSWD_DIR },
    ],
  };
}

/** Distribution, configured by `env`, serving from the data volume. */
function registryContainer(props: RegistryPodProps): DeploymentV1SpecTemplateSpecContainer {
  return {
    name: REGISTRY_CONTAINER_NAME,
    image: props.image,
    env: props.env,
    port: [{ name: "metrics", containerPort: REGISTRY_DEBUG_PORT }],
    ...registryProbes(),
    lifecycle: waitForEndpoints(),
    resources: props.resources,
    securityContext: restrictedContainerSecurityContext(),
    volumeMount: [
      { name: props.dataVolume.name, mountPath: REGISTRY_PATHS.data },
      { name: "tmp", mountPath: "/tmp" },
      ...(props.sources.upstreamCaSecret
        ? [{ name: "upstream-ca", mountPath: "/upstream-ca", readOnly: true }]
        : []),
      ...(props.sources.storageCaSecret
        ? [{ name: "storage-ca", mountPath: REGISTRY_PATHS.storageCa, readOnly: true }]
        : []),
    ],
  };
}

/**
 * Distribution's debug server answers /debug/health (health/health.go registers it on the
 * default mux, registry/registry.go configureDebugServer serves that mux) on the pod IP; the
 * API itself is on loopback. /debug/health turns 503 while the storage check fails
 * (registry/handlers/app.go RegisterHealthChecks): right for readiness, wrong for liveness,
 * which would restart every replica into CrashLoopBackOff during a short bucket outage.
 * Liveness asks only whether the process still listens.
 */
function registryProbes(): ContainerProbes {
  return readyOnRequestAliveOnPort({
    port: REGISTRY_DEBUG_PORT,
    path: "/debug/health",
    scheme: "HTTP",
    livenessDelaySeconds: 10,
  });
}

/** nginx in front of Distribution: TLS, Basic auth, authorisation, the maintenance switch. */
function authProxyContainer(
  image: string,
  dataVolume: DataVolume,
): DeploymentV1SpecTemplateSpecContainer {
  return {
    name: "auth-proxy",
    image,
    // -e: nginx opens its compiled-in error log before reading the config; the
    // root filesystem is read-only.
    command: ["nginx", "-e", "stderr", "-c", AUTH_PROXY_PATHS.config],
    port: [{ name: "https", containerPort: REGISTRY_CONTAINER_PORT }],
    ...authProxyProbes(),
    lifecycle: waitForEndpoints(),
    resources: AUTH_PROXY_RESOURCES,
    securityContext: restrictedContainerSecurityContext(),
    volumeMount: [
      { name: "auth-proxy-config", mountPath: AUTH_PROXY_PATHS.configDir, readOnly: true },
      { name: "tls", mountPath: "/certs", readOnly: true },
      { name: "auth", mountPath: HTPASSWD_DIR, readOnly: true },
      // Only to see the maintenance flag.
      { name: dataVolume.name, mountPath: REGISTRY_PATHS.data, readOnly: true },
      { name: "proxy-runtime", mountPath: AUTH_PROXY_PATHS.runtimeDir },
    ],
  };
}

/** The proxy is ready when a request crosses it to the registry; alive while it listens. */
function authProxyProbes(): ContainerProbes {
  return readyOnRequestAliveOnPort({
    port: REGISTRY_CONTAINER_PORT,
    path: "/",
    scheme: "HTTPS",
    livenessDelaySeconds: 5,
  });
}

interface ContainerProbes {
  readonly readinessProbe: DeploymentV1SpecTemplateSpecContainerReadinessProbe;
  readonly livenessProbe: DeploymentV1SpecTemplateSpecContainerLivenessProbe;
}

/**
 * Ready while an HTTP request to `path` succeeds, alive while the port accepts connections:
 * the two containers' probes differ only in what they ask.
 */
function readyOnRequestAliveOnPort(probe: {
  readonly port: number;
  readonly path: string;
  readonly scheme: "HTTP" | "HTTPS";
  readonly livenessDelaySeconds: number;
}): ContainerProbes {
  return {
    readinessProbe: {
      httpGet: { path: probe.path, port: String(probe.port), scheme: probe.scheme },
      periodSeconds: 10,
      timeoutSeconds: 3,
    },
    livenessProbe: {
      tcpSocket: [{ port: String(probe.port) }],
      initialDelaySeconds: probe.livenessDelaySeconds,
      periodSeconds: 10,
      failureThreshold: 6,
    },
  };
}

/** The Secrets, ConfigMap, scratch space and data volume the containers mount. */
function podVolumes(
  sources: RegistryPodSources,
  dataVolume: DataVolume,
): DeploymentV1SpecTemplateSpecVolume[] {
  return [
    { name: "tls", secret: { secretName: sources.tlsSecret } },
    { name: "credentials", secret: { secretName: sources.credentialsSecret } },
    { name: "auth", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
    { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
    { name: "auth-proxy-config", configMap: { name: sources.authProxyConfigMap } },
    // Streaming (no request or response buffering) keeps temp files small.
    { name: "proxy-runtime", emptyDir: { sizeLimit: "256Mi" } },
    dataVolume,
    ...(sources.upstreamCaSecret
      ? [{ name: "upstream-ca", secret: { secretName: sources.upstreamCaSecret } }]
      : []),
    ...(sources.storageCaSecret
      ? [{ name: "storage-ca", secret: { secretName: sources.storageCaSecret } }]
      : []),
  ];
}
