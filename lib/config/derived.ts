import type { PrivateGkeClusterProps } from "../gke/private-gke-cluster";
import { nthAddress } from "../network/ipv4";
import { NODE_PROXY_PORT } from "../registry/node-proxy";
import type { RegistryStorageSettings } from "../registry/registry-storage";
import type { Config, HybridConfig, StandaloneConfig } from "./schema";

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

/** GKE's persistent-disk CSI driver, for the registry's Retain storage class. */
export const GKE_PD_PROVISIONER = {
  name: "pd.csi.storage.gke.io",
  parameters: { type: "pd-balanced" },
};

/**
 * The registry's storage settings. On GKE (simulated on-prem) a PVC without a class gets a
 * dedicated Retain class, so the images outlive a destroy.
 */
export function registryStorageOf(config: Config): RegistryStorageSettings {
  const storage = config.registry.storage;
  const onGke = config.mode === "hybrid" && config.onprem.mode === "simulated";
  if (storage.type === "pvc" && onGke && !storage.storageClass && !storage.provisioner) {
    return { ...storage, provisioner: GKE_PD_PROVISIONER };
  }
  return storage;
}

/** How nodes reach the registry: the name in image references and the URL containerd dials. */
export interface NodeRegistryEndpoint {
  readonly registry: string;
  readonly endpoint: string;
}

/** Where nodes of a standalone cluster pull from, for each exposure. */
export function standaloneEndpointOf(config: StandaloneConfig): NodeRegistryEndpoint {
  const { fqdn, exposure } = config.registry;
  switch (exposure.type) {
    case "loadBalancer":
      // The IP is a SAN of the certificate: nodes need no DNS entry for the registry.
      return { registry: fqdn, endpoint: `https://${exposure.ip}` };
    case "nodePort":
      return {
        registry: `${fqdn}:${exposure.nodePort}`,
        endpoint: `https://${fqdn}:${exposure.nodePort}`,
      };
    case "clusterIP":
      return exposure.nodeProxy
        ? {
            registry: `localhost:${NODE_PROXY_PORT}`,
            endpoint: `https://localhost:${NODE_PROXY_PORT}`,
          }
        : { registry: fqdn, endpoint: `https://${fqdn}` };
    case "internalLoadBalancer":
      throw new Error("registry.exposure internalLoadBalancer is rejected in standalone mode");
  }
}
