import { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { DaemonSetV1 } from "@cdktf/provider-kubernetes/lib/daemon-set-v1";
import { CONFIG_HASH_ANNOTATION, configHash } from "../k8s/config-hash";
import { appLabels, selectorLabels } from "../k8s/labels";
import { CONTAINERD_CERTS_DIR, DOCKER_CERTS_DIR, renderHostsToml } from "./node-trust-files";

export interface TrustedRegistryHost {
  /** Registry name as in image references. */
  readonly registry: string;
  /** URL containerd connects to. */
  readonly endpoint: string;
}

export interface CaTrustDaemonSetProps {
  /**
   * Kubernetes provider of the target cluster.
   * @default the stack's default kubernetes provider
   */
  readonly provider?: TerraformProvider;
  readonly namespace: string;
  readonly caCertificatePem: string;
  readonly hosts: readonly TrustedRegistryHost[];
  /** Tiny image with a POSIX shell, pinned (e.g. busybox). */
  readonly image: string;
}

/** The script that installs the trust files for every host on the node. */
function caTrustInstallScript(registries: readonly string[]): string {
  const steps = registries.flatMap((registry, i) => [
    `mkdir -p ${CONTAINERD_CERTS_DIR}/${registry} ${DOCKER_CERTS_DIR}/${registry}`,
    `cp /trust/ca.crt ${CONTAINERD_CERTS_DIR}/${registry}/ca.crt`,
    `cp /trust/hosts-${i}.toml ${CONTAINERD_CERTS_DIR}/${registry}/hosts.toml`,
    `cp /trust/ca.crt ${DOCKER_CERTS_DIR}/${registry}/ca.crt`,
  ]);
  return ["set -eu", ...steps].join("\n");
}

/**
 * For clusters without GKE's native trust: writes `certs.d/<host>/hosts.toml` + `ca.crt` for
 * containerd (and `ca.crt` for Docker) on every node, tolerating every taint. The only
 * privileged workload of the project: it writes to the host's /etc.
 */
export class CaTrustDaemonSet extends Construct {
  public readonly daemonSet: DaemonSetV1;
  public readonly files: ConfigMapV1;

  constructor(scope: Construct, id: string, props: CaTrustDaemonSetProps) {
    super(scope, id);
    const name = "registry-ca-trust";
    const labels = appLabels(name, "node-trust");
    const files: Record<string, string> = {
      "ca.crt": props.caCertificatePem,
      ...Object.fromEntries(
        props.hosts.map((host, i) => [
          `hosts-${i}.toml`,
          renderHostsToml({
            registry: host.registry,
            endpoint: host.endpoint,
            caFile: `${CONTAINERD_CERTS_DIR}/${host.registry}/ca.crt`,
          }),
        ]),
      ),
    };
    this.files = new ConfigMapV1(this, "files", {
      provider: props.provider,
      metadata: { name, namespace: props.namespace, labels },
      data: files,
    });
    const script = caTrustInstallScript(props.hosts.map((host) => host.registry));
    const resources = {
      requests: { cpu: "5m", memory: "8Mi" },
      limits: { cpu: "50m", memory: "32Mi" },
    };
    this.daemonSet = new DaemonSetV1(this, "daemonset", {
      provider: props.provider,
      metadata: { name, namespace: props.namespace, labels },
      waitForRollout: false,
      spec: {
        selector: { matchLabels: selectorLabels(name) },
        template: {
          // A rotated CA reaches the nodes only when the init container runs again.
          metadata: {
            labels,
            annotations: { [CONFIG_HASH_ANNOTATION]: configHash(this.files.data) },
          },
          spec: {
            automountServiceAccountToken: false,
            toleration: [{ operator: "Exists" }],
            initContainer: [
              {
                name: "install",
                image: props.image,
                command: ["/bin/sh", "-c", script],
                securityContext: { privileged: true },
                resources,
                volumeMount: [
                  { name: "trust", mountPath: "/trust", readOnly: true },
                  { name: "containerd-certs", mountPath: CONTAINERD_CERTS_DIR },
                  { name: "docker-certs", mountPath: DOCKER_CERTS_DIR },
                ],
              },
            ],
            // Keeps the pod (and so the files' owner) alive without doing anything.
            container: [
              {
                name: "hold",
                image: props.image,
                command: ["/bin/sh", "-c", "trap 'exit 0' TERM; sleep 2147483647 & wait"],
                resources,
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: "65534",
                  seccompProfile: { type: "RuntimeDefault" },
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ["ALL"] },
                },
              },
            ],
            volume: [
              { name: "trust", configMap: { name: this.files.metadata.name } },
              {
                name: "containerd-certs",
                hostPath: { path: CONTAINERD_CERTS_DIR, type: "DirectoryOrCreate" },
              },
              {
                name: "docker-certs",
                hostPath: { path: DOCKER_CERTS_DIR, type: "DirectoryOrCreate" },
              },
            ],
          },
        },
      },
    });
  }
}
