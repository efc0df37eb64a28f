import { Construct } from "constructs";
import { ComputeAddress } from "@cdktf/provider-google/lib/compute-address";

export interface InternalAddressProps {
  readonly projectId: string;
  readonly region: string;
  readonly name: string;
  /** Subnet self link or id the address belongs to. */
  readonly subnetwork: string;
  /** The address to reserve; validated to lie inside the subnet before synthesis. */
  readonly address: string;
  readonly description: string;
}

/** A reserved internal IP, e.g. for a Kubernetes internal load balancer. */
export class InternalAddress extends Construct {
  public readonly reservation: ComputeAddress;
  public readonly address: string;

  constructor(scope: Construct, id: string, props: InternalAddressProps) {
    super(scope, id);
    this.reservation = new ComputeAddress(this, "address", {
      project: props.projectId,
      region: props.region,
      name: props.name,
      addressType: "INTERNAL",
      purpose: "GCE_ENDPOINT",
      subnetwork: props.subnetwork,
      address: props.address,
      description: props.description,
    });
    this.address = this.reservation.address;
  }
}
