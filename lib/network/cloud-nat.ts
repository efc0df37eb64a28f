import { Construct } from "constructs";
import { ComputeRouterNat } from "@cdktf/provider-google/lib/compute-router-nat";

export interface CloudNatProps {
  readonly projectId: string;
  readonly region: string;
  readonly name: string;
  /** Name of the Cloud Router that hosts the NAT. */
  readonly router: string;
}

/** Outbound internet for private nodes (public images), with error logging. */
export class CloudNat extends Construct {
  public readonly nat: ComputeRouterNat;

  constructor(scope: Construct, id: string, props: CloudNatProps) {
    super(scope, id);
    this.nat = new ComputeRouterNat(this, "nat", {
      project: props.projectId,
      region: props.region,
      name: props.name,
      router: props.router,
      natIpAllocateOption: "AUTO_ONLY",
      sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
      logConfig: { enable: true, filter: "ERRORS_ONLY" },
    });
  }
}
