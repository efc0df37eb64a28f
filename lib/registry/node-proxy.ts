import { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { DaemonSetV1 } from "@cdktf/provider-kubernetes/lib/daemon-set-v1";
import { CONFIG_HASH_ANNOTATION, configHash } from "../k8s/config-hash";
import { appLabels, selectorLabels } from "../k8s/labels";
import { restrictedContainerSecurityContext } from "../k8s/pod-security";
import { REGISTRY_SERVICE_PORT } from "./ports";

/** Port every node listens on: images are pulled as `localhost:5000/<repo>:<tag>`. */
export const NODE_PROXY_PORT = 5000;

export interface NodeProxyProps {
  /**
   * Kubernetes provider of the target cluster.
   * @default the stack's default kubernetes provider
   */
  readonly provider?: TerraformProvider;
  readonly namespace: string;
  /**
   * Node address the hostPort listens on. `0.0.0.0` listens on every address of the node, for
   * CNIs whose portmap does not forward the node's own loopback traffic.
   * @default "127.0.0.1"
   */
  readonly bindAddress?: string;
  /**
   * In-cluster DNS name of the registry Service; haproxy resolves it at start with libc
   * (`init-addr` default `last,libc`), which applies the pod's DNS search list.
   */
  readonly registryService: string;
  /** haproxy image, pinned. */
  readonly image: string;
}

/** haproxy in TCP mode: TLS passes through, so the registry's certificate is what clients see. */
function nodeProxyConfig(registryService: string): string {
  return [
    "global",
    "  log stdout format raw local0",
    "defaults",
    "  mode tcp",
    "  log global",
    "  timeout connect 5s",
    "  timeout client 5m",
    "  timeout server 5m",
    "frontend registry",
    `  bind :${NODE_PROXY_PORT}`,
    "  default_backend registry",
    "backend registry",
    `  server registry ${registryService}:${REGISTRY_SERVICE_PORT}`,
    "",
  ].join("\n");
}

/**
 * Tutorial 002's kube-registry-proxy, modernised: a DaemonSet on hostPort 5000 forwarding to
 * the ClusterIP registry, so nodes reach it at localhost:5000 with TLS (the server certificate
 * carries `localhost` and `127.0.0.1`) and auth, without a load balancer.
 */
export class NodeProxy extends Construct {
  public readonly daemonSet: DaemonSetV1;
  public readonly config: ConfigMapV1;

  constructor(scope: Construct, id: string, props: NodeProxyProps) {
    super(scope, id);
    const name = "registry-node-proxy";
    const labels = appLabels(name, "node-proxy");
    this.config = new ConfigMapV1(this, "config", {
      provider: props.provider,
      metadata: { name, namespace: props.namespace, labels },
      data: { "haproxy.cfg": nodeProxyConfig(props.registryService) },
    });
    this.daemonSet = new DaemonSetV1(this, "daemonset", {
      provider: props.provider,
      metadata: { name, namespace: props.namespace, labels },
      waitForRollout: false,
      spec: {
        selector: { matchLabels: selectorLabels(name) },
        template: {
          metadata: {
            labels,
            annotations: { [CONFIG_HASH_ANNOTATION]: configHash(this.config.data) },
          },
          spec: {
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: "99",
              seccompProfile: { type: "RuntimeDefault" },
            },
            container: [
              {
                name: "haproxy",
                image: props.image,
                args: ["-f", "/usr/local/etc/haproxy/haproxy.cfg"],
                port: [
                  {
                    name: "registry",
                    containerPort: NODE_PROXY_PORT,
                    hostPort: NODE_PROXY_PORT,
                    // Only the node itself pulls through it (kubelet at localhost:5000), so
                    // nothing else on the network reaches the port. The CNI portmap plugin
                    // matches the destination host IP (containernetworking/plugins
                    // plugins/meta/portmap); forwarding the node's own loopback traffic also
                    // needs its localhost SNAT, which some CNIs lack: bindAddress 0.0.0.0 then.
                    hostIp:
                      props.bindAddress === "0.0.0.0"
                        ? undefined
                        : (props.bindAddress ?? "127.0.0.1"),
                  },
                ],
                securityContext: restrictedContainerSecurityContext(),
                resources: {
                  requests: { cpu: "10m", memory: "32Mi" },
                  limits: { cpu: "500m", memory: "128Mi" },
                },
                volumeMount: [
                  { name: "config", mountPath: "/usr/local/etc/haproxy", readOnly: true },
                ],
              },
            ],
            volume: [{ name: "config", configMap: { name: this.config.metadata.name } }],
          },
        },
      },
    });
  }
}
