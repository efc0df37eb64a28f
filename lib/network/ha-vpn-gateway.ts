import { Construct } from "constructs";
import { ComputeHaVpnGateway } from "@cdktf/provider-google/lib/compute-ha-vpn-gateway";

export interface HaVpnGatewayProps {
  readonly projectId: string;
  readonly region: string;
  readonly name: string;
  readonly network: string;
}

/**
 * An HA VPN gateway without tunnels. Each side creates its gateway in its own stack and the
 * VPN link adds the tunnels later, which breaks the gateway <-> tunnel cycle between sides.
 */
export class HaVpnGateway extends Construct {
  public readonly gateway: ComputeHaVpnGateway;
  /** Public IPs of interface 0 and 1. */
  public readonly interfaceIps: string[];

  constructor(scope: Construct, id: string, props: HaVpnGatewayProps) {
    super(scope, id);
    this.gateway = new ComputeHaVpnGateway(this, "gateway", {
      project: props.projectId,
      region: props.region,
      name: props.name,
      network: props.network,
    });
    this.interfaceIps = [0, 1].map((i) => this.gateway.vpnInterfaces.get(i).ipAddress);
  }
}
