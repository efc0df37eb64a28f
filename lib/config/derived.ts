import { nthAddress } from "../network/ipv4";
import type { AppSection, CloudSection, Config, HybridConfig } from "./schema";

/** Host number of the registry IP inside the on-prem subnet when none is configured. */
const DEFAULT_REGISTRY_HOST_NUMBER = 10;

export type SimulatedOnprem = Extract<HybridConfig["onprem"], { mode: "simulated" }>;

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
export function networkRangesOf(network: CloudSection["network"]): string[] {
  return [network.subnetCidr, network.podsCidr, network.servicesCidr];
}

/** A side's pull-through cache IP: configured, or the side's application subnet's 10th host. */
export function cacheIpOf(side: { cloud: CloudSection; app: AppSection }): string {
  return (
    side.app.pullThroughCache.ip ??
    nthAddress(side.cloud.network.subnetCidr, DEFAULT_REGISTRY_HOST_NUMBER)
  );
}

/**
 * The Cloud DNS zone holding the registry's records: named after its domain, and with several
 * sides after the side too (two sides may share a project; a zone name is unique in one).
 */
export function privateZoneNameOf(registryFqdn: string, side?: string): string {
  const zone = parentDomain(registryFqdn).replace(/\./g, "-");
  return side === undefined ? zone : `${zone}-${side}`;
}

/** The DNS zone a host name lives in: everything after its first label. */
export function parentDomain(fqdn: string): string {
  return fqdn.slice(fqdn.indexOf(".") + 1);
}

/** Storage a job can mount beside the registry (the maintenance jobs work on it). */
export function isVolumeStorage(type: Config["registry"]["storage"]["type"]): boolean {
  return type === "pvc" || type === "hostPath";
}

/** Whether the registry's storage is garbage-collected: on by default where a job can reach it. */
export function garbageCollectionEnabled(registry: Config["registry"]): boolean {
  return registry.garbageCollection.enabled ?? isVolumeStorage(registry.storage.type);
}

/** Whether the registry's GKE Persistent Disk gets a snapshot schedule: on by default there. */
export function diskSnapshotsEnabled(config: Config): boolean {
  const onGkeDisk =
    config.mode === "hybrid" &&
    config.onprem.mode === "simulated" &&
    config.registry.storage.type === "pvc";
  return onGkeDisk && (config.registry.backup.snapshots.enabled ?? true);
}

/**
 * Where the registry's private keys are kept: the one side's project (the `cloud:` form,
 * unless onprem.keyStoreProjectId is set); with several sides the simulated on-prem's project
 * or onprem.keyStoreProjectId (sides/rules.ts requires it), never a side's: a side may be removed.
 */
export function keyStoreOf(config: HybridConfig): { project: string; region?: string } {
  const { onprem, cloud } = config;
  if (onprem.mode === "external" && onprem.keyStoreProjectId) {
    return { project: onprem.keyStoreProjectId };
  }
  if (cloud) return { project: cloud.projectId, region: cloud.region };
  if (onprem.mode === "simulated") return { project: onprem.projectId, region: onprem.region };
  throw new Error("onprem.keyStoreProjectId is required with sides and an external on-prem");
}
