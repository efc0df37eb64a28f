import { Construct } from "constructs";
import {
  DataResource,
  Fn,
  Op,
  Token,
  type ITerraformDependable,
  type TerraformProvider,
} from "cdktf";
import { ComputeDiskResourcePolicyAttachment } from "@cdktf/provider-google/lib/compute-disk-resource-policy-attachment";
import { ComputeRegionDiskResourcePolicyAttachment } from "@cdktf/provider-google/lib/compute-region-disk-resource-policy-attachment";
import { ComputeResourcePolicy } from "@cdktf/provider-google/lib/compute-resource-policy";
import { DataKubernetesPersistentVolumeClaimV1 } from "@cdktf/provider-kubernetes/lib/data-kubernetes-persistent-volume-claim-v1";
import { DataKubernetesPersistentVolumeV1 } from "@cdktf/provider-kubernetes/lib/data-kubernetes-persistent-volume-v1";

export interface ClaimSnapshotScheduleProps {
  /** Google provider of the disk's project. */
  readonly googleProvider: TerraformProvider;
  /** Kubernetes provider of the cluster holding the claim. */
  readonly kubernetesProvider: TerraformProvider;
  readonly project: string;
  /** Region of the policy (the disk's zone is in it). */
  readonly region: string;
  /** Name of the snapshot schedule policy (unique in the project and region). */
  readonly name: string;
  /**
   * The PersistentVolumeClaim whose Persistent Disk is snapshotted; `uid` is the claim
   * resource's `metadata[0].uid`, which changes only when the claim (and so its disk) is new.
   */
  readonly claim: { readonly namespace: string; readonly name: string; readonly uid: string };
  /** Daily start, `HH:00` UTC (Compute Engine runs snapshots within the hour). */
  readonly startTime: string;
  /** Days a snapshot is kept. */
  readonly retentionDays: number;
  /**
   * What binds the claim (the Deployment using it: the class binds on first consumer). The
   * claim is read after these on the first apply only; later changes to them (an image, a
   * certificate) do not defer the read.
   */
  readonly claimBoundBy: ITerraformDependable[];
  /**
   * The claim's disk is a regional Persistent Disk (storage class parameter `replication-type:
   * regional-pd`, or a restored regional disk): it takes a regional attachment. Known from the
   * settings, not read from the volume: the volume is read at apply time on the first apply,
   * and a resource's `count` must be known when planning.
   * @default false (a zonal disk)
   */
  readonly regionalDisk?: boolean;
}

/**
 * A daily Compute Engine snapshot schedule on the Persistent Disk behind a claim. The disk is
 * created by the PD CSI driver, so its name and location come from the bound PersistentVolume's
 * CSI volume handle, `projects/<p>/zones/<zone>/disks/<name>` or, for a regional disk,
 * `projects/<p>/regions/<region>/disks/<name>` (GKE PD CSI driver, pkg/common/utils.go
 * VolumeIDToKey): the location and the name are the 4th and 6th parts either way, and a
 * regional disk takes the regional attachment resource. A precondition checks the handle's
 * kind, so a disk of the other kind fails the apply naming the handle instead of Compute
 * Engine's "not found". Snapshots outlive the disk (KEEP_AUTO_SNAPSHOTS).
 *
 * The claim is not read with `depends_on` the Deployment: Terraform defers a data source to
 * apply time whenever a resource in its `depends_on` has a planned change
 * (https://developer.hashicorp.com/terraform/language/data-sources#data-resource-dependencies;
 * shown with real Terraform in __tests__/e2e/snapshot-attachment.e2e.ts), which would make
 * `zone` and `disk` unknown and, since both force a new attachment, replace the attachment on
 * every apply that touches the Deployment. A `terraform_data` that follows the Deployment and
 * holds only the claim's uid sits between them: it changes (and defers the read) only when the
 * claim is new.
 */
export class ClaimSnapshotSchedule extends Construct {
  public readonly policy: ComputeResourcePolicy;
  public readonly attachment:
    ComputeDiskResourcePolicyAttachment | ComputeRegionDiskResourcePolicyAttachment;
  /** Stands for "the claim is bound": follows its consumers, changes with the claim only. */
  public readonly claimInUse: DataResource;

  constructor(scope: Construct, id: string, props: ClaimSnapshotScheduleProps) {
    super(scope, id);
    this.claimInUse = new DataResource(this, "claim-in-use", {
      input: { claimUid: props.claim.uid },
      dependsOn: props.claimBoundBy,
    });
    const claim = new DataKubernetesPersistentVolumeClaimV1(this, "claim", {
      provider: props.kubernetesProvider,
      metadata: { name: props.claim.name, namespace: props.claim.namespace },
      dependsOn: [this.claimInUse],
    });
    // When the claim's read is deferred to apply (a new claim), Terraform plans it from its
    // configuration with computed attributes unknown (internal/plans/objchange/objchange.go
    // PlannedDataResourceObject): `spec`, an optional block the configuration leaves out
    // (data_source_kubernetes_persistent_volume_claim_v1.go: Optional, not Computed), is a known
    // empty list, and `spec[0]` fails the plan. Falling back to the unknown `id` keeps the
    // volume's read deferred too; once read, `spec[0]` is there. Found by npm run rehearse.
    const volume = new DataKubernetesPersistentVolumeV1(this, "volume", {
      provider: props.kubernetesProvider,
      metadata: { name: Token.asString(Fn.try([claim.spec.get(0).volumeName, claim.id])) },
    });
    // Same for the volume: deferred with its claim, its `spec` is planned empty.
    const volumeHandle = Token.asString(
      Fn.try([volume.spec.get(0).persistentVolumeSource.csi.volumeHandle, volume.id]),
    );
    const handle = Fn.split("/", volumeHandle);
    this.policy = new ComputeResourcePolicy(this, "policy", {
      provider: props.googleProvider,
      project: props.project,
      region: props.region,
      name: props.name,
      description: `Daily snapshots of ${props.claim.namespace}/${props.claim.name}`,
      snapshotSchedulePolicy: {
        schedule: { dailySchedule: { daysInCycle: 1, startTime: props.startTime } },
        retentionPolicy: {
          maxRetentionDays: props.retentionDays,
          onSourceDiskDelete: "KEEP_AUTO_SNAPSHOTS",
        },
        snapshotProperties: {
          storageLocations: [props.region],
          labels: { "part-of": "hybrid-registry", claim: props.claim.name },
        },
      },
    });
    const regional = props.regionalDisk ?? false;
    const kind = regional ? "regions" : "zones";
    const attachmentLifecycle = {
      precondition: [
        {
          condition: Op.eq(Fn.element(handle, 2), kind),
          errorMessage: `The registry's disk is ${regional ? "zonal" : "regional"}, not ${regional ? "regional" : "zonal"} as the storage settings say: set registry.storage.provisioner.parameters.replication-type (regional-pd for a regional disk) to match, or registry.backup.snapshots.enabled: false.`,
        },
      ],
    };
    const common = {
      provider: props.googleProvider,
      project: props.project,
      name: this.policy.name,
      disk: Fn.element(handle, 5),
      lifecycle: attachmentLifecycle,
    };
    // Same construct id either way: an existing zonal attachment keeps its address.
    this.attachment = regional
      ? new ComputeRegionDiskResourcePolicyAttachment(this, "attachment", {
          ...common,
          region: Fn.element(handle, 3),
        })
      : new ComputeDiskResourcePolicyAttachment(this, "attachment", {
          ...common,
          zone: Fn.element(handle, 3),
        });
  }
}
