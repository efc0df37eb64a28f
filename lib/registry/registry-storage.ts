import { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import { PersistentVolumeClaimV1 } from "@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1";
import { StorageClassV1 } from "@cdktf/provider-kubernetes/lib/storage-class-v1";

export type RegistryStorageSettings =
  | {
      readonly type: "pvc";
      readonly size: string;
      /**
       * Existing class used as it is.
       * @default the cluster's default class, unless `provisioner` is set
       */
      readonly storageClass?: string;
      /**
       * CSI provisioner for a dedicated class with reclaimPolicy Retain.
       * @default none (use `storageClass`)
       */
      readonly provisioner?: { readonly name: string; readonly parameters: Record<string, string> };
    }
  | {
      readonly type: "hostPath";
      readonly path: string;
      /** Node (kubernetes.io/hostname) that holds the directory; owned by uid 1000. */
      readonly node: string;
    }
  | { readonly type: "emptyDir"; readonly sizeLimit?: string };

export interface RegistryStorageProps {
  /**
   * Kubernetes provider of the target cluster.
   * @default the stack's default kubernetes provider
   */
  readonly provider?: TerraformProvider;
  readonly namespace: string;
  readonly name: string;
  readonly settings: RegistryStorageSettings;
}

/** A pod volume spec (the subset this project uses). */
export interface DataVolume {
  readonly name: string;
  readonly persistentVolumeClaim?: { readonly claimName: string };
  readonly hostPath?: { readonly path: string; readonly type: string };
  readonly emptyDir?: { readonly sizeLimit?: string };
}

/**
 * The registry's data volume. A PVC never waits to bind (WaitForFirstConsumer classes bind only
 * when the pod is scheduled), and with a provisioner it gets its own class whose reclaim
 * policy Retain keeps the images when the stack is destroyed.
 */
export class RegistryStorage extends Construct {
  public readonly volume: DataVolume;
  public readonly claim?: PersistentVolumeClaimV1;
  public readonly storageClass?: StorageClassV1;

  constructor(scope: Construct, id: string, props: RegistryStorageProps) {
    super(scope, id);
    const settings = props.settings;
    const volumeName = "data";
    // A missing directory must fail visibly: created by the kubelet it would belong to root,
    // and the non-root registry could not write.
    if (settings.type === "hostPath") {
      this.volume = {
        name: volumeName,
        hostPath: { path: settings.path, type: "Directory" },
      };
      return;
    }
    if (settings.type === "emptyDir") {
      this.volume = { name: volumeName, emptyDir: { sizeLimit: settings.sizeLimit } };
      return;
    }
    if (settings.provisioner) {
      this.storageClass = new StorageClassV1(this, "class", {
        provider: props.provider,
        metadata: { name: `${props.namespace}-${props.name}-retain` },
        storageProvisioner: settings.provisioner.name,
        parameters: settings.provisioner.parameters,
        reclaimPolicy: "Retain",
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
      });
    }
    this.claim = new PersistentVolumeClaimV1(this, "claim", {
      provider: props.provider,
      metadata: { name: `${props.name}-data`, namespace: props.namespace },
      waitUntilBound: false,
      spec: {
        accessModes: ["ReadWriteOnce"],
        storageClassName: this.storageClass?.metadata.name ?? settings.storageClass,
        resources: { requests: { storage: settings.size } },
      },
    });
    this.volume = {
      name: volumeName,
      persistentVolumeClaim: { claimName: this.claim.metadata.name },
    };
  }
}
