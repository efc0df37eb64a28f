import { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import { PersistentVolumeV1 } from "@cdktf/provider-kubernetes/lib/persistent-volume-v1";
import { diskZones, parsePdVolumeHandle } from "./pd-volume-handle";

/** GKE's Persistent Disk CSI driver. */
export const PD_CSI_DRIVER = "pd.csi.storage.gke.io";

/**
 * The node label the PD CSI driver reports a node's zone under and puts in the node affinity of
 * the volumes it provisions (kubernetes-sigs/gcp-compute-persistent-disk-csi-driver
 * pkg/common/constants.go, `TopologyKeyZone = "topology.gke.io/zone"`; the GKE pre-existing
 * disk and regional disk pages use it in a PersistentVolume's nodeAffinity:
 * https://cloud.google.com/kubernetes-engine/docs/how-to/persistent-volumes/preexisting-pd,
 * https://cloud.google.com/kubernetes-engine/docs/how-to/persistent-volumes/regional-pd).
 */
export const PD_TOPOLOGY_ZONE_KEY = "topology.gke.io/zone";

export interface RestoredDiskVolumeProps {
  /**
   * Kubernetes provider of the cluster.
   * @default the stack's default kubernetes provider
   */
  readonly provider?: TerraformProvider;
  /** Name of the PersistentVolume (cluster-wide). */
  readonly name: string;
  /** `projects/<p>/zones/<zone>/disks/<name>` or `projects/<p>/regions/<region>/disks/<name>`. */
  readonly volumeHandle: string;
  /**
   * The two zones a regional disk is replicated in (`gcloud compute disks describe` shows
   * them as `replicaZones`).
   * @default none (a zonal disk)
   */
  readonly replicaZones?: readonly string[];
  /** The claim this volume is reserved for: only it can bind the volume. */
  readonly claim: { readonly namespace: string; readonly name: string };
  /** The claim's storage class: a claim binds only a volume of its class. */
  readonly storageClassName: string;
  /** The claim's requested size (the disk may be larger). */
  readonly size: string;
}

/**
 * An existing Persistent Disk (one restored from a snapshot) as a PersistentVolume reserved for
 * one claim. A volume the driver provisions carries the disk's zones as node affinity; one made
 * by hand does not, so in a regional cluster (nodes in three zones) the pod could be scheduled
 * where the disk cannot be attached and hang in ContainerCreating. The affinity is written
 * here: the zonal disk's zone, or both replica zones of a regional disk.
 */
export class RestoredDiskVolume extends Construct {
  public readonly volume: PersistentVolumeV1;
  public readonly zones: readonly string[];

  constructor(scope: Construct, id: string, props: RestoredDiskVolumeProps) {
    super(scope, id);
    const handle = parsePdVolumeHandle(props.volumeHandle);
    if (!handle) {
      throw new Error(
        `RestoredDiskVolume ${props.name}: ${props.volumeHandle} is not projects/<p>/zones/<zone>/disks/<name> or projects/<p>/regions/<region>/disks/<name>`,
      );
    }
    this.zones = diskZones(handle, props.replicaZones);
    this.volume = new PersistentVolumeV1(this, "volume", {
      provider: props.provider,
      metadata: { name: props.name, labels: { "part-of": "hybrid-registry" } },
      spec: [
        {
          capacity: { storage: props.size },
          accessModes: ["ReadWriteOnce"],
          // Deleting the volume object (or the claim) never deletes the restored disk.
          persistentVolumeReclaimPolicy: "Retain",
          storageClassName: props.storageClassName,
          claimRef: { namespace: props.claim.namespace, name: props.claim.name },
          persistentVolumeSource: {
            csi: { driver: PD_CSI_DRIVER, volumeHandle: props.volumeHandle, fsType: "ext4" },
          },
          nodeAffinity: {
            required: {
              nodeSelectorTerm: [
                {
                  matchExpressions: [
                    { key: PD_TOPOLOGY_ZONE_KEY, operator: "In", values: [...this.zones] },
                  ],
                },
              ],
            },
          },
        },
      ],
    });
  }
}
