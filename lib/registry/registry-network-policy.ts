import { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { appLabels } from "../k8s/labels";

export interface RegistryNetworkPolicyProps {
  /**
   * Kubernetes provider of the target cluster.
   * @default the stack's default kubernetes provider
   */
  readonly provider?: TerraformProvider;
  readonly namespace: string;
  /** Labels of the registry's pods. */
  readonly registryPods: Record<string, string>;
  readonly registryPort: number;
  /** Distribution's debug port: Prometheus metrics and Go's pprof on one listener. */
  readonly metricsPort: number;
  /**
   * Networks whose nodes and pods pull (their source addresses reach the pods: a GKE internal
   * passthrough load balancer keeps the client's address), or `anywhere` where the sources
   * cannot be known (NodePort and MetalLB sources are node addresses of an unknown range).
   */
  readonly pullFrom: readonly string[] | "anywhere";
  /** Labels of in-namespace pods that push (the seeding Job). */
  readonly pushPods: Record<string, string>;
  /** Namespaces (by name) whose pods may scrape the metrics port. */
  readonly metricsNamespaces: readonly string[];
}

/**
 * Ingress to the registry's pods: its port only from the networks that pull and the pods that
 * push, the metrics port only from the monitoring namespaces. Egress stays open (the registry
 * needs none; a cache needs its upstream). Enforced only by a CNI that implements
 * NetworkPolicy (https://kubernetes.io/docs/concepts/services-networking/network-policies/).
 */
export class RegistryNetworkPolicy extends Construct {
  public readonly policy: NetworkPolicyV1;

  constructor(scope: Construct, id: string, props: RegistryNetworkPolicyProps) {
    super(scope, id);
    const tcp = (port: number) => [{ port: String(port), protocol: "TCP" }];
    // A rule without `from` admits every source.
    const registryFrom =
      props.pullFrom === "anywhere"
        ? undefined
        : [
            ...props.pullFrom.map((cidr) => ({ ipBlock: { cidr } })),
            { podSelector: { matchLabels: props.pushPods } },
          ];
    this.policy = new NetworkPolicyV1(this, "policy", {
      provider: props.provider,
      metadata: {
        name: "registry-ingress",
        namespace: props.namespace,
        labels: appLabels("registry", "network-policy"),
      },
      spec: {
        podSelector: { matchLabels: props.registryPods },
        policyTypes: ["Ingress"],
        ingress: [
          {
            ports: tcp(props.registryPort),
            from: registryFrom,
          },
          {
            ports: tcp(props.metricsPort),
            from: [
              {
                namespaceSelector: {
                  matchExpressions: [
                    {
                      key: "kubernetes.io/metadata.name",
                      operator: "In",
                      values: [...props.metricsNamespaces],
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    });
  }
}
