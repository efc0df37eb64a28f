import { subnets, nthAddress } from "./ipv4";

/** One HA VPN tunnel: which local gateway interface talks to which peer interface. */
export interface TunnelPlan {
  readonly index: number;
  /** Interface of the local HA VPN gateway (0 or 1). */
  readonly localInterface: number;
  /** Interface of the peer gateway (HA VPN or external device). */
  readonly peerInterface: number;
  /** The tunnel's link-local /30. */
  readonly linkCidr: string;
  /** BGP address of the local router (first host of the /30). */
  readonly localBgpIp: string;
  /** BGP address of the peer router (second host of the /30). */
  readonly peerBgpIp: string;
}

/**
 * Tunnels HA VPN needs for its 99.99% SLA: two for a peer with 1 or 2 interfaces
 * (interface 0 and 1 of the HA gateway), four for a peer with 4 interfaces.
 */
export function vpnTunnelCount(peerInterfaces: number): number {
  return peerInterfaces === 4 ? 4 : 2;
}

/** Google's recommended interface pairing for each peer redundancy type. */
export function planTunnels(peerInterfaces: number, linkLocalRange: string): TunnelPlan[] {
  const count = vpnTunnelCount(peerInterfaces);
  const links = subnets(linkLocalRange, 30, count);
  return links.map((linkCidr, index) => ({
    index,
    localInterface: count === 4 ? Math.floor(index / 2) : index,
    peerInterface: peerInterfaces === 1 ? 0 : index,
    linkCidr,
    localBgpIp: nthAddress(linkCidr, 1),
    peerBgpIp: nthAddress(linkCidr, 2),
  }));
}
