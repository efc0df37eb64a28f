import { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import { PersistentVolumeClaimV1 } from "@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1";
import { StorageClassV1 } from "@cdktf/provider-kubernetes/lib/storage-class-v1";
import { DataKubernetesStorageClassV1 } from "@cdktf/provider-kubernetes/lib/data-kubernetes-storage-class-v1";

export type RegistryStorageSettings =
  | {
      readonly type: "pvc";
      readonly size: string;
      /**
       * Existing class: cloned with reclaimPolicy Retain when `retainOnDestroy`, else used as is.
       * @default the cluster's default class, unless `provisioner` is set
       */
      readonly storageClass?: string;
      /**
       * Keep the volume when the claim is deleted (stack destroyed): the claim uses a Retain
       * copy of `storageClass` (same provisioner and parameters).
       * @default true
       */
      readonly retainOnDestroy?: boolean;
      /**
       * Terraform `prevent_destroy` on the claim: any plan that deletes or replaces it fails.
       * `storage_class_name` (and a shrinking size) force a new claim in the kubernetes
       * provider, and a replaced claim is a new, empty volume: the registry would come back
       * without its images.
       * @default true
       */
      readonly preventDestroy?: boolean;
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
  | { readonly type: "emptyDir"; readonly sizeLimit?: string }
  | {
      /** An S3 (or S3-compatible) bucket every replica shares. */
      readonly type: "s3";
      readonly bucket: string;
      readonly region: string;
      /** @default AWS S3 of the region */
      readonly endpoint?: string;
      /** @default true with an endpoint */
      readonly forcePathStyle?: boolean;
      /** @default the driver's credential chain */
      readonly accessKeyId?: string;
      /** Token of the secret key (a sensitive Terraform variable). @default none */
      readonly secretAccessKey?: string;
      /** @default the bucket root */
      readonly rootDirectory?: string;
    }
  | {
      /** A Cloud Storage bucket, reached through Workload Identity (no key). */
      readonly type: "gcs";
      readonly bucket: string;
      /** Google service account the registry's Kubernetes service account acts as. */
      readonly serviceAccountEmail: string;
    };

/** Storage in a bucket: shared by every replica, no volume of its own. */
export type ObjectStorageSettings = Extract<RegistryStorageSettings, { type: "s3" | "gcs" }>;

export function isObjectStorage(
  settings: RegistryStorageSettings,
): settings is ObjectStorageSettings {
  return settings.type === "s3" || settings.type === "gcs";
}

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
  /** The configured class a Retain copy is made of. */
  public readonly sourceClass?: DataKubernetesStorageClassV1;

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
    if (isObjectStorage(settings)) {
      // Distribution keeps nothing on local disk with a bucket: a small scratch folder.
      this.volume = { name: volumeName, emptyDir: { sizeLimit: "1Gi" } };
      return;
    }
    const retainClass = (provisioner: string, parameters: Record<string, string>) =>
      new StorageClassV1(this, "class", {
        provider: props.provider,
        metadata: { name: `${props.namespace}-${props.name}-retain` },
        storageProvisioner: provisioner,
        parameters,
        reclaimPolicy: "Retain",
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
      });
    if (settings.provisioner) {
      this.storageClass = retainClass(settings.provisioner.name, settings.provisioner.parameters);
    } else if (settings.storageClass && (settings.retainOnDestroy ?? true)) {
      // A class's reclaim policy cannot change; a copy of it with Retain keeps its provisioner
      // and parameters (e.g. Longhorn's replica count) and the data.
      this.sourceClass = new DataKubernetesStorageClassV1(this, "source-class", {
        provider: props.provider,
        metadata: { name: settings.storageClass },
      });
      this.storageClass = retainClass(
        this.sourceClass.storageProvisioner,
        this.sourceClass.parameters,
      );
    }
    this.claim = new PersistentVolumeClaimV1(this, "claim", {
      provider: props.provider,
      metadata: { name: `${props.name}-data`, namespace: props.namespace },
      waitUntilBound: false,
      lifecycle: { preventDestroy: settings.preventDestroy ?? true },
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
