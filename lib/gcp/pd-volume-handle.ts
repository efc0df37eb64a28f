/**
 * A Persistent Disk as the CSI driver names it: `projects/<p>/zones/<zone>/disks/<name>`, or
 * `projects/<p>/regions/<region>/disks/<name>` for a regional disk (PD CSI driver
 * pkg/common/utils.go VolumeIDToKey, which splits on `/` and reads `zones` or `regions`).
 */
export interface PdVolumeHandle {
  readonly project: string;
  readonly scope: "zonal" | "regional";
  /** The zone (zonal) or the region (regional). */
  readonly location: string;
  readonly disk: string;
}

const HANDLE =
  /^projects\/([a-z][-a-z0-9.:]*[a-z0-9])\/(zones|regions)\/([a-z]+-[a-z]+\d+(?:-[a-z])?)\/disks\/([a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)$/;

/** A volume handle's parts, or undefined when it is not a PD CSI handle. */
export function parsePdVolumeHandle(handle: string): PdVolumeHandle | undefined {
  const match = HANDLE.exec(handle);
  if (!match) return undefined;
  const [, project, kind, location, disk] = match;
  const scope = kind === "zones" ? "zonal" : "regional";
  // A zone is its region and a letter (europe-west1-b); a region has no letter.
  if ((scope === "zonal") !== /-[a-z]$/.test(location)) return undefined;
  return { project, scope, location, disk };
}

/**
 * The zones a disk can be attached in: its zone, or a regional disk's two replica zones
 * (given, since the handle names only the region), each checked against the handle.
 */
export function diskZones(handle: PdVolumeHandle, replicaZones: readonly string[] = []): string[] {
  const problem = replicaZonesProblem(handle, replicaZones);
  if (problem) throw new Error(`disk ${handle.disk}: replicaZones ${problem}`);
  return handle.scope === "zonal" ? [handle.location] : [...replicaZones];
}

/** What is wrong with the replica zones given for a disk, for the config check. */
export function replicaZonesProblem(
  handle: PdVolumeHandle,
  replicaZones: readonly string[],
): string | undefined {
  if (handle.scope === "zonal") {
    return replicaZones.length > 0
      ? `are only for a regional disk, and ${handle.disk} is in zone ${handle.location}: remove replicaZones`
      : undefined;
  }
  const inRegion = replicaZones.every(
    (zone) => /^[a-z]+-[a-z]+\d+-[a-z]$/.test(zone) && zone.startsWith(`${handle.location}-`),
  );
  if (replicaZones.length !== 2 || replicaZones[0] === replicaZones[1] || !inRegion) {
    return `must be the regional disk's two zones in ${handle.location} (gcloud compute disks describe ${handle.disk} --region=${handle.location} --format='value(replicaZones)'), got [${replicaZones.join(", ")}]`;
  }
  return undefined;
}
