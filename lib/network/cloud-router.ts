import { Construct } from "constructs";
import { ComputeRouter } from "@cdktf/provider-google/lib/compute-router";

export interface CloudRouterProps {
  readonly projectId: string;
  readonly region: string;
  readonly name: string;
  readonly network: string;
  /** The side's private BGP ASN. */
  readonly asn: number;
  /**
   * Ranges advertised in addition to all subnets.
   * @default [] (advertise all subnets only)
   */
  readonly advertisedRanges?: string[];
}

/** Cloud Router: BGP speaker of one side of the VPN, and home of its Cloud NAT. */
export class CloudRouter extends Construct {
  public readonly router: ComputeRouter;

  constructor(scope: Construct, id: string, props: CloudRouterProps) {
    super(scope, id);
    const custom = props.advertisedRanges ?? [];
    this.router = new ComputeRouter(this, "router", {
      project: props.projectId,
      region: props.region,
      name: props.name,
      network: props.network,
      bgp: {
        asn: props.asn,
        advertiseMode: custom.length > 0 ? "CUSTOM" : "DEFAULT",
        advertisedGroups: custom.length > 0 ? ["ALL_SUBNETS"] : undefined,
        advertisedIpRanges: custom.map((range) => ({ range })),
      },
    });
  }
}
