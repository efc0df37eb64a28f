import { Construct } from "constructs";
import { Token, type Postcondition, type TerraformProvider } from "cdktf";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { REGISTRY_CONTAINER_PORT, REGISTRY_SERVICE_PORT } from "./ports";

/** GKE's annotation for an internal passthrough load balancer. */
export const GKE_INTERNAL_LB_ANNOTATION = "networking.gke.io/load-balancer-type";
/**
 * MetalLB's annotations requesting a specific address: `metallb.io/` since 0.14.9, and the
 * `metallb.universe.tf/` form that older releases read and newer ones still accept
 * (metallb controller/service.go, `valueForAnnotation`; the prefix changed in commit
 * fc863ccd3, first released in 0.14.9). Older releases ignore the new annotation and hand out
 * any pool address, so both are set. MetalLB refuses a Service that also sets
 * spec.loadBalancerIP (controller/service.go `getDesiredLbIPs`: "service can not have both"),
 * so a plain load balancer gets only the annotations.
 */
export const METALLB_IPS_ANNOTATIONS = [
  "metallb.io/loadBalancerIPs",
  "metallb.universe.tf/loadBalancerIPs",
] as const;

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

/**
 * Fails the apply when the load balancer got another address than `ip`. `self` is the Service
 * after create/update (https://developer.hashicorp.com/terraform/language/expressions/custom-conditions#self-object);
 * `try` turns a missing ingress into a failed condition instead of an evaluation error.
 */
function addressPostcondition(service: string, ip: string): Postcondition {
  // A reference (the reserved IP from remote state) is compared as an expression: cdktf strips
  // a token's own `${}` inside another one. A literal is a validated IPv4 address: quote it.
  const expected = Token.isUnresolved(ip) ? ip : `"${ip}"`;
  return {
    condition: `\${try(self.status[0].load_balancer[0].ingress[0].ip, "") == ${expected}}`,
    errorMessage: `The load balancer of Service "${service}" did not get ${ip}, the address its certificate, DNS record and the nodes' registry configuration name. With MetalLB: make ${ip} part of an IPAddressPool and free it from other Services (see the Service's events). On GKE: ${ip} must be a reserved internal address of the cluster's subnet.`,
  };
}

/** The registry's Service: port 443 to the container's 5000, exposed as configured. */
export class RegistryService extends Construct {
  public readonly service: ServiceV1;
  /**
   * In-cluster DNS name of the service, without the cluster domain: pods resolve it through
   * their resolv.conf search list (`<ns>.svc.<domain>`, `svc.<domain>`, `<domain>`), so it
   * works whatever the cluster domain is (`cluster.local` is only the default).
   */
  public readonly clusterHost: string;

  constructor(scope: Construct, id: string, props: RegistryServiceProps) {
    super(scope, id);
    const exposure = props.exposure;
    const annotations: Record<string, string> = {};
    if (exposure.type === "internalLoadBalancer")
      annotations[GKE_INTERNAL_LB_ANNOTATION] = "Internal";
    if (exposure.type === "loadBalancer") {
      for (const annotation of METALLB_IPS_ANNOTATIONS) annotations[annotation] = exposure.ip;
    }
    const loadBalanced =
      exposure.type === "internalLoadBalancer" || exposure.type === "loadBalancer";
    this.service = new ServiceV1(this, "service", {
      provider: props.provider,
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels, annotations },
      // Apply waits for the address (the provider's default, explicit here) and fails when it
      // is not the one the certificate, DNS and the nodes' registry config name.
      waitForLoadBalancer: loadBalanced ? true : undefined,
      lifecycle: loadBalanced
        ? { postcondition: [addressPostcondition(props.name, exposure.ip)] }
        : undefined,
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
    this.clusterHost = `${props.name}.${props.namespace}.svc`;
  }
}
