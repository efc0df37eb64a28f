import type { PrivateGkeClusterProps } from "../gke/private-gke-cluster";
import { nthAddress } from "../network/ipv4";
import type { HybridConfig } from "./schema";

/** Host number of the registry IP inside the on-prem subnet when none is configured. */
export const DEFAULT_REGISTRY_HOST_NUMBER = 10;

type SimulatedOnprem = Extract<HybridConfig["onprem"], { mode: "simulated" }>;

/** The registry's reserved IP: configured, or the subnet's 10th host. */
export function registryIpOf(onprem: SimulatedOnprem): string {
  return onprem.registryIp ?? nthAddress(onprem.network.subnetCidr, DEFAULT_REGISTRY_HOST_NUMBER);
}

/** A cluster's location: configured, or zone b of its region. */
export function clusterLocationOf(side: {
  region: string;
  cluster: { location?: string };
}): string {
  return side.cluster.location ?? `${side.region}-b`;
}

/** Every range of a GCP side's network. */
export function networkRangesOf(network: HybridConfig["cloud"]["network"]): string[] {
  return [network.subnetCidr, network.podsCidr, network.servicesCidr];
}

/** The pull-through cache's reserved IP: configured, or the application subnet's 10th host. */
export function cacheIpOf(config: HybridConfig): string {
  return (
    config.app.pullThroughCache.ip ??
    nthAddress(config.cloud.network.subnetCidr, DEFAULT_REGISTRY_HOST_NUMBER)
  );
}

type GcpSide = HybridConfig["cloud"] | SimulatedOnprem;

/** The cluster settings of a GCP side, as PrivateGkeCluster props. */
export function clusterSettingsOf(
  side: GcpSide,
): Pick<
  PrivateGkeClusterProps,
  | "projectId"
  | "location"
  | "name"
  | "controlPlaneCidr"
  | "authorizedNetworks"
  | "dnsEndpoint"
  | "releaseChannel"
  | "minMasterVersion"
  | "deletionProtection"
  | "nodePool"
> {
  const { cluster } = side;
  return {
    projectId: side.projectId,
    location: clusterLocationOf(side),
    name: cluster.name,
    controlPlaneCidr: cluster.controlPlaneCidr,
    authorizedNetworks: cluster.authorizedNetworks,
    dnsEndpoint: cluster.dnsEndpoint,
    releaseChannel: cluster.releaseChannel,
    minMasterVersion: cluster.minMasterVersion,
    deletionProtection: cluster.deletionProtection,
    nodePool: cluster.nodePool,
  };
}
