import { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import type { NetworkPolicyEnforcement } from "../gke/private-gke-cluster";
import { appLabels } from "../k8s/labels";

export interface RegistryNetworkPolicyProps {
  /**
   * Kubernetes provider of the target cluster.
   * @default the stack's default kubernetes provider
   */
  readonly provider?: TerraformProvider;
  readonly namespace: string;
  /**
   * The server's name: the policy is `<name>-ingress`, labelled as part of `<name>`.
   * @default "registry"
   */
  readonly name?: string;
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
  /**
   * Labels of in-namespace pods that push (the seeding Job).
   * @default none (a pull-through cache takes no pushes)
   */
  readonly pushPods?: Record<string, string>;
  /** Namespaces (by name) whose pods may scrape the metrics port. */
  readonly metricsNamespaces: readonly string[];
}

/**
 * Ingress to a registry's (or pull-through cache's) pods: its port only from the networks that
 * pull and the pods that push, the debug port (metrics and pprof) only from the monitoring
 * namespaces. Kubelet's probes of both ports need no rule: traffic from the pod's own node is
 * always admitted (NetworkPolicySpec.ingress,
 * https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/; on GKE
 * "Ingress traffic to a Pod from a source on the same Node is always allowed", in Dataplane V2
 * and legacy alike: https://cloud.google.com/ruby/docs/reference/google-cloud-network_management-v1/latest/Google-Cloud-NetworkManagement-V1-GkeNetworkPolicySkippedInfo-Reason).
 * Egress stays open (the registry needs none; a cache needs its upstream). Enforced only by a
 * CNI that implements NetworkPolicy
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/).
 */
export class RegistryNetworkPolicy extends Construct {
  public readonly policy: NetworkPolicyV1;

  constructor(scope: Construct, id: string, props: RegistryNetworkPolicyProps) {
    super(scope, id);
    const name = props.name ?? "registry";
    const tcp = (port: number) => [{ port: String(port), protocol: "TCP" }];
    const pullers =
      props.pullFrom === "anywhere"
        ? "anywhere"
        : [
            ...props.pullFrom.map((cidr) => ({ ipBlock: { cidr } })),
            ...(props.pushPods ? [{ podSelector: { matchLabels: props.pushPods } }] : []),
          ];
    const scrapers = props.metricsNamespaces.map(String);
    // A rule without `from` (or with an empty one) admits every source: an empty list of
    // sources drops its rule instead, leaving the port to the pod's own node (the probes).
    const ingress = [
      ...(pullers === "anywhere"
        ? [{ ports: tcp(props.registryPort) }]
        : pullers.length > 0
          ? [{ ports: tcp(props.registryPort), from: pullers }]
          : []),
      ...(scrapers.length > 0
        ? [
            {
              ports: tcp(props.metricsPort),
              from: [
                {
                  namespaceSelector: {
                    matchExpressions: [
                      { key: "kubernetes.io/metadata.name", operator: "In", values: scrapers },
                    ],
                  },
                },
              ],
            },
          ]
        : []),
    ];
    this.policy = new NetworkPolicyV1(this, "policy", {
      provider: props.provider,
      metadata: {
        name: `${name}-ingress`,
        namespace: props.namespace,
        labels: appLabels(name, "network-policy"),
      },
      spec: {
        podSelector: { matchLabels: props.registryPods },
        policyTypes: ["Ingress"],
        ingress,
      },
    });
  }
}

/**
 * What may reach a registry's port on a cluster with this enforcement: `ranges`, or every source
 * on GKE Dataplane V2. Its enforcement is Cilium's, whose ipBlock selects no node address
 * ("As of v1.15, ipBlock can now optionally select node IPs. Previously, nodes were excluded",
 * https://docs.cilium.io/en/stable/network/kubernetes/policy/), and a load balancer's packets
 * another node forwards arrive as that node (reserved:remote-node,
 * https://docs.cilium.io/en/latest/security/policy/caveats/): nodes pulling through a load
 * balancer address would be refused. There the VPC firewall and the load balancer's source
 * ranges bound the port; the debug port's namespace rule is unaffected.
 */
export function pullSourcesOn(
  enforcement: NetworkPolicyEnforcement,
  ranges: readonly string[],
): readonly string[] | "anywhere" {
  return enforcement === "dataplane-v2" ? "anywhere" : ranges;
}
