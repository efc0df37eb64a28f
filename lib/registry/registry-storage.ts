import { createHash } from "node:crypto";
import { Construct } from "constructs";
import { Fn, Token, type TerraformProvider } from "cdktf";
import { PersistentVolumeClaimV1 } from "@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1";
import { StorageClassV1 } from "@cdktf/provider-kubernetes/lib/storage-class-v1";
import { DataKubernetesStorageClassV1 } from "@cdktf/provider-kubernetes/lib/data-kubernetes-storage-class-v1";
import { parsePdVolumeHandle } from "../gcp/pd-volume-handle";
import { RestoredDiskVolume } from "../gcp/restored-disk-volume";

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
      /**
       * An existing GKE Persistent Disk (restored from a snapshot) the claim binds instead of a
       * new one: a PersistentVolume reserved for the claim, with the disk's zones as node
       * affinity (RestoredDiskVolume).
       * @default none (the class provisions a new disk)
       */
      readonly restoredDisk?: {
        readonly volumeHandle: string;
        /** A regional disk's two zones. @default none (a zonal disk) */
        readonly replicaZones?: readonly string[];
      };
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
      /**
       * PEM certificate(s) of the private CA that signed the endpoint's certificate, trusted
       * besides the image's public roots (see `storageCaTrust`).
       * @default the image's public roots only
       */
      readonly caCertificatePem?: string;
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

/**
 * A value for a `REGISTRY_*` env var that Distribution reads verbatim. Distribution parses every
 * env override as YAML (configuration/parser.go, overwriteStruct and overwriteMap:
 * `yaml.Unmarshal([]byte(payload), ...)`): a secret key `#abc` (a comment) or `&abc` (an
 * anchor) reads as empty, so the S3 driver falls back to its credential chain
 * (NoCredentialProviders), and `*abc` stops the start (`yaml: unknown anchor`); `0123` or
 * `true` would change type. Seen with the real registry in __tests__/e2e/s3-storage.e2e.ts.
 * A JSON string is a YAML double-quoted scalar (YAML 1.2, section 7.3.1; Terraform's
 * `\u0026` for `&` is a YAML escape too), which Distribution reads back as exactly the string.
 * Terraform quotes it at apply time, so it works for a sensitive variable no config check sees.
 */
export function distributionEnvString(value: string): string {
  return Fn.jsonencode(value);
}

/**
 * How the registry trusts a bucket's private CA. Go's TLS roots (crypto/x509 root_unix.go,
 * loadSystemRoots) are the first readable file of SSL_CERT_FILE or else the system bundles
 * (certFiles: /etc/ssl/certs/ca-certificates.crt, /etc/ssl/cert.pem, ...), plus every file in
 * the folders of SSL_CERT_DIR (colon-separated) or else the system folders. SSL_CERT_FILE
 * replaces the system bundle (the pull-through cache sets it to its upstream's CA); SSL_CERT_DIR
 * only replaces the system folders, and the bundle file the registry image ships is still read.
 * So the bucket's CA goes into a folder named by SSL_CERT_DIR: the public roots (or the cache's
 * upstream CA) stay trusted beside it. Shown with the real registry in
 * __tests__/e2e/s3-storage.e2e.ts.
 */
export const STORAGE_CA_TRUST = {
  env: "SSL_CERT_DIR",
  /** File name of the CA inside the folder (the Secret's key). */
  file: "ca.crt",
} as const;

/** Digest of a CA for the pods' config hash (free text cannot enter the Terraform expression). */
export function caCertificateDigest(pem: string): string {
  return Token.isUnresolved(pem) ? pem : createHash("sha256").update(pem).digest("hex");
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
  /** The restored disk's volume, reserved for the claim. */
  public readonly restoredDisk?: RestoredDiskVolume;
  /**
   * The claim's disk is a regional Persistent Disk, as far as the settings tell: a restored
   * regional disk, or a provisioner with `replication-type: regional-pd` (GKE PD CSI driver
   * parameter, https://cloud.google.com/kubernetes-engine/docs/how-to/persistent-volumes/regional-pd).
   * A copied `storageClass` is not looked into (its parameters are read by Terraform).
   */
  public readonly regionalDisk: boolean = false;

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
    const storageClassName = this.storageClass?.metadata.name ?? settings.storageClass;
    const claimName = `${props.name}-data`;
    if (settings.restoredDisk) {
      if (storageClassName === undefined) {
        throw new Error(
          `RegistryStorage ${props.name}: a restored disk needs the claim's storage class (storageClass or provisioner): a volume binds only a claim of its class`,
        );
      }
      this.restoredDisk = new RestoredDiskVolume(this, "restored-disk", {
        provider: props.provider,
        name: `${props.namespace}-${claimName}-restored`,
        volumeHandle: settings.restoredDisk.volumeHandle,
        replicaZones: settings.restoredDisk.replicaZones,
        claim: { namespace: props.namespace, name: claimName },
        storageClassName,
        size: settings.size,
      });
    }
    this.regionalDisk = settings.restoredDisk
      ? parsePdVolumeHandle(settings.restoredDisk.volumeHandle)?.scope === "regional"
      : settings.provisioner?.parameters["replication-type"] === "regional-pd";
    this.claim = new PersistentVolumeClaimV1(this, "claim", {
      provider: props.provider,
      metadata: { name: claimName, namespace: props.namespace },
      waitUntilBound: false,
      lifecycle: { preventDestroy: settings.preventDestroy ?? true },
      spec: {
        accessModes: ["ReadWriteOnce"],
        storageClassName,
        resources: { requests: { storage: settings.size } },
      },
    });
    this.volume = {
      name: volumeName,
      persistentVolumeClaim: { claimName: this.claim.metadata.name },
    };
  }
}
