import type { CloudSection } from "../lib/config/schema";
import { networkRangesOf, type SimulatedOnprem } from "../lib/config/derived";
import type { SideNetworkProps } from "../lib/network/side-network";
import { REGISTRY_SERVICE_PORT } from "../lib/registry/ports";

/**
 * The network settings of a GCP side (an application side or the simulated on-prem), as
 * addSideNetwork props: everything but the peer's ranges and the APIs to wait for. Either
 * side's firewall admits the registry's port from the other.
 */
export function sideNetworkSettingsOf(
  side: CloudSection | SimulatedOnprem,
): Omit<SideNetworkProps, "peerRanges" | "dependsOn"> {
  return {
    projectId: side.projectId,
    region: side.region,
    network: side.network,
    internalRanges: networkRangesOf(side.network),
    peerTcpPorts: [String(REGISTRY_SERVICE_PORT)],
    iapSsh: side.iapSsh,
    asn: side.asn,
    advertisedRanges: side.advertisedRanges,
  };
}
