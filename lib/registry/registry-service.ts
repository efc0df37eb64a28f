import { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { REGISTRY_CONTAINER_PORT, REGISTRY_SERVICE_PORT } from "./ports";

/** GKE's annotation for an internal passthrough load balancer. */
export const GKE_INTERNAL_LB_ANNOTATION = "networking.gke.io/load-balancer-type";
/**
 * MetalLB's annotation requesting a specific address. MetalLB refuses a Service that also sets
 * spec.loadBalancerIP, so a plain load balancer gets only the annotation.
 */
export const METALLB_IPS_ANNOTATION = "metallb.io/loadBalancerIPs";

export type RegistryExposure =
  | {
      /** GKE internal load balancer on a reserved internal IP. */
      readonly type: "internalLoadBalancer";
      readonly ip: string;
      /** Client ranges; GKE scopes its firewall rule to them. */
      readonly sourceRanges: string[];
    }
  | { readonly type: "loadBalancer"; readonly ip: string }
  | { readonly type: "nodePort"; readonly nodePort: number }
  | { readonly type: "clusterIP" };

export interface RegistryServiceProps {
  /**
   * Kubernetes provider of the target cluster.
   * @default the stack's default kubernetes provider
   */
  readonly provider?: TerraformProvider;
  readonly namespace: string;
  readonly name: string;
  readonly selector: Record<string, string>;
  readonly labels: Record<string, string>;
  readonly exposure: RegistryExposure;
}

/** The registry's Service: port 443 to the container's 5000, exposed as configured. */
export class RegistryService extends Construct {
  public readonly service: ServiceV1;
  /** In-cluster DNS name of the service. */
  public readonly clusterHost: string;

  constructor(scope: Construct, id: string, props: RegistryServiceProps) {
    super(scope, id);
    const exposure = props.exposure;
    const annotations: Record<string, string> = {};
    if (exposure.type === "internalLoadBalancer")
      annotations[GKE_INTERNAL_LB_ANNOTATION] = "Internal";
    if (exposure.type === "loadBalancer") annotations[METALLB_IPS_ANNOTATION] = exposure.ip;
    const loadBalanced =
      exposure.type === "internalLoadBalancer" || exposure.type === "loadBalancer";
    this.service = new ServiceV1(this, "service", {
      provider: props.provider,
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels, annotations },
      spec: {
        type: loadBalanced
          ? "LoadBalancer"
          : exposure.type === "nodePort"
            ? "NodePort"
            : "ClusterIP",
        selector: props.selector,
        loadBalancerIp: exposure.type === "internalLoadBalancer" ? exposure.ip : undefined,
        loadBalancerSourceRanges:
          exposure.type === "internalLoadBalancer" ? exposure.sourceRanges : undefined,
        port: [
          {
            name: "https",
            port: REGISTRY_SERVICE_PORT,
            targetPort: String(REGISTRY_CONTAINER_PORT),
            nodePort: exposure.type === "nodePort" ? exposure.nodePort : undefined,
          },
        ],
      },
    });
    this.clusterHost = `${props.name}.${props.namespace}.svc.cluster.local`;
  }
}
