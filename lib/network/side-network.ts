import type { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import type { PrivateGkeClusterProps } from "../gke/private-gke-cluster";
import { CloudNat } from "./cloud-nat";
import { CloudRouter } from "./cloud-router";
import { Firewall } from "./firewall";
import { HaVpnGateway } from "./ha-vpn-gateway";
import { Vpc, type VpcProps } from "./vpc";

export interface SideNetworkProps {
  readonly projectId: string;
  readonly region: string;
  /** The VPC; the router, NAT and gateway are named after it. */
  readonly network: Pick<
    VpcProps,
    "name" | "subnetCidr" | "podsCidr" | "servicesCidr" | "flowLogs"
  >;
  /** This network's own ranges (subnet, pods, services): all traffic allowed among them. */
  readonly internalRanges: string[];
  /** The other side's ranges: ICMP and `peerTcpPorts` allowed from them. */
  readonly peerRanges: string[];
  /** TCP ports the peer may reach (the registry's). */
  readonly peerTcpPorts: string[];
  /**
   * Allow SSH through Identity-Aware Proxy.
   * @default false
   */
  readonly iapSsh?: boolean;
  /** The side's private BGP ASN. */
  readonly asn: number;
  /**
   * Ranges the Cloud Router advertises in addition to all subnets.
   * @default [] (advertise all subnets only)
   */
  readonly advertisedRanges?: string[];
  /**
   * Resources the VPC waits for (the APIs it needs).
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** The parts of a side's network that others attach to. */
export interface SideNetwork {
  readonly vpc: Vpc;
  /** BGP speaker for the VPN link, and home of the NAT. */
  readonly router: CloudRouter;
  /** The VPN link adds the tunnels to it. */
  readonly gateway: HaVpnGateway;
}

/**
 * A side's network, ready for HA VPN: a VPC and its firewall, a Cloud Router with Cloud NAT for
 * egress, and an HA VPN gateway without tunnels. Made directly in `scope` (ids vpc, firewall,
 * router, nat, vpn-gateway), not under a construct of its own, so that the resources keep
 * their addresses.
 */
export function addSideNetwork(scope: Construct, props: SideNetworkProps): SideNetwork {
  const { projectId, region, network } = props;
  const vpc = new Vpc(scope, "vpc", { projectId, region, ...network, dependsOn: props.dependsOn });
  new Firewall(scope, "firewall", {
    projectId,
    network: vpc.network.id,
    namePrefix: network.name,
    internalRanges: props.internalRanges,
    peerRanges: props.peerRanges,
    peerTcpPorts: props.peerTcpPorts,
    iapSsh: props.iapSsh,
  });
  const router = new CloudRouter(scope, "router", {
    projectId,
    region,
    name: `${network.name}-router`,
    network: vpc.network.id,
    asn: props.asn,
    advertisedRanges: props.advertisedRanges,
  });
  new CloudNat(scope, "nat", {
    projectId,
    region,
    name: `${network.name}-nat`,
    router: router.router.name,
  });
  const gateway = new HaVpnGateway(scope, "vpn-gateway", {
    projectId,
    region,
    name: `${network.name}-vpn`,
    network: vpc.network.id,
  });
  return { vpc, router, gateway };
}

/** Where a cluster sits in a side's VPC: its subnet and the subnet's pod and service ranges. */
export function clusterPlacementIn(
  vpc: Vpc,
): Pick<PrivateGkeClusterProps, "network" | "subnetwork" | "podsRangeName" | "servicesRangeName"> {
  return {
    network: vpc.network.id,
    subnetwork: vpc.subnet.id,
    podsRangeName: vpc.podsRangeName,
    servicesRangeName: vpc.servicesRangeName,
  };
}
