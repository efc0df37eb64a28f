import { Construct } from "constructs";
import { ComputeNetwork } from "@cdktf/provider-google/lib/compute-network";
import { ComputeSubnetwork } from "@cdktf/provider-google/lib/compute-subnetwork";
import type { ITerraformDependable } from "cdktf";

export interface VpcProps {
  readonly projectId: string;
  readonly region: string;
  /** Network name; the subnet is `<name>-<region>`. */
  readonly name: string;
  readonly subnetCidr: string;
  readonly podsCidr: string;
  readonly servicesCidr: string;
  /**
   * Sample VPC flow logs of the subnet.
   * @default false
   */
  readonly flowLogs?: boolean;
  /**
   * Resources to create first (the APIs these resources need).
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** A custom-mode VPC with one regional subnet carrying named pod and service ranges. */
export class Vpc extends Construct {
  public readonly network: ComputeNetwork;
  public readonly subnet: ComputeSubnetwork;
  public readonly podsRangeName: string;
  public readonly servicesRangeName: string;

  constructor(scope: Construct, id: string, props: VpcProps) {
    super(scope, id);
    this.podsRangeName = `${props.name}-pods`;
    this.servicesRangeName = `${props.name}-services`;
    this.network = new ComputeNetwork(this, "network", {
      project: props.projectId,
      name: props.name,
      autoCreateSubnetworks: false,
      routingMode: "REGIONAL",
      dependsOn: props.dependsOn,
    });
    this.subnet = new ComputeSubnetwork(this, "subnet", {
      project: props.projectId,
      region: props.region,
      name: `${props.name}-${props.region}`,
      network: this.network.id,
      ipCidrRange: props.subnetCidr,
      privateIpGoogleAccess: true,
      secondaryIpRange: [
        { rangeName: this.podsRangeName, ipCidrRange: props.podsCidr },
        { rangeName: this.servicesRangeName, ipCidrRange: props.servicesCidr },
      ],
      logConfig: props.flowLogs
        ? {
            aggregationInterval: "INTERVAL_5_SEC",
            flowSampling: 0.5,
            metadata: "INCLUDE_ALL_METADATA",
          }
        : undefined,
    });
  }
}
