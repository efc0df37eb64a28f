import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { ServiceAccount } from "@cdktf/provider-google/lib/service-account";
import { ServiceAccountIamMember } from "@cdktf/provider-google/lib/service-account-iam-member";
import { StorageBucket } from "@cdktf/provider-google/lib/storage-bucket";
import { StorageBucketIamMember } from "@cdktf/provider-google/lib/storage-bucket-iam-member";
import { Sleep } from "@cdktf/provider-time/lib/sleep";

export interface RegistryBucketProps {
  readonly projectId: string;
  /** Bucket location (the registry cluster's region). */
  readonly location: string;
  readonly bucketName: string;
  /** Account id of the Google service account the registry acts as. */
  readonly serviceAccountId: string;
  /** The registry pods' Kubernetes service account (Workload Identity member). */
  readonly kubernetesServiceAccount: { readonly namespace: string; readonly name: string };
  /**
   * The garbage collector's Kubernetes service account, which needs the same objects.
   * @default none (no collection on the bucket)
   */
  readonly collectorServiceAccount?: { readonly namespace: string; readonly name: string };
  /**
   * The registry cluster's `workload_identity_config[0].workload_pool` (`<project>.svc.id.goog`).
   * The attribute, not a string made from the project id: the pool exists once the first
   * cluster with Workload Identity does, and a grant naming it before then fails with
   * "Identity Pool does not exist"; the reference orders the grant after the cluster.
   */
  readonly workloadPool: string;
  /**
   * How long to wait after the grant before the stack's apply is done (needs the `time`
   * provider in the stack): the registry's pods use it from the next stack on.
   * @default "120s"
   */
  readonly propagationDelay?: string;
  /**
   * Terraform prevent_destroy on the bucket (the registry's images).
   * @default true
   */
  readonly preventDestroy?: boolean;
  /** @default none */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The registry's images in Cloud Storage, for any number of replicas: a private bucket (uniform
 * access, public access prevented, object versioning against accidental deletes, and
 * prevent_destroy), and a Google service account with object access to it only, which the
 * registry's Kubernetes service account may act as through Workload Identity: no key exists.
 */
export class RegistryBucket extends Construct {
  public readonly bucket: StorageBucket;
  public readonly serviceAccount: ServiceAccount;
  /** The Kubernetes service account's grant to act as `serviceAccount`. */
  public readonly workloadIdentityGrant: ServiceAccountIamMember;
  /**
   * Done once the grant has had time to propagate: IAM changes "typically take effect within
   * 2 minutes" (https://cloud.google.com/iam/docs/access-change-propagation), and a registry
   * pod that starts before then cannot reach its bucket.
   */
  public readonly grantPropagated: Sleep;

  constructor(scope: Construct, id: string, props: RegistryBucketProps) {
    super(scope, id);
    this.bucket = new StorageBucket(this, "bucket", {
      project: props.projectId,
      name: props.bucketName,
      location: props.location,
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      versioning: { enabled: true },
      lifecycleRule: [
        // Old versions of overwritten or deleted objects go after 30 days.
        { condition: { daysSinceNoncurrentTime: 30 }, action: { type: "Delete" } },
        // Parts of multipart uploads never completed (a killed push) cost storage until
        // aborted (https://cloud.google.com/storage/docs/lifecycle#abort-mpu).
        { condition: { age: 7 }, action: { type: "AbortIncompleteMultipartUpload" } },
      ],
      forceDestroy: false,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
      dependsOn: props.dependsOn,
    });
    this.serviceAccount = new ServiceAccount(this, "service-account", {
      project: props.projectId,
      accountId: props.serviceAccountId,
      displayName: "hybrid-registry: registry storage",
      dependsOn: props.dependsOn,
    });
    // Distribution reads, writes, lists and deletes (upload cleanup) objects.
    new StorageBucketIamMember(this, "object-admin", {
      bucket: this.bucket.name,
      role: "roles/storage.objectAdmin",
      member: this.serviceAccount.member,
    });
    const { namespace, name } = props.kubernetesServiceAccount;
    this.workloadIdentityGrant = new ServiceAccountIamMember(this, "workload-identity", {
      serviceAccountId: this.serviceAccount.name,
      role: "roles/iam.workloadIdentityUser",
      member: `serviceAccount:${props.workloadPool}[${namespace}/${name}]`,
    });
    const collector = props.collectorServiceAccount;
    const collectorGrant = collector
      ? new ServiceAccountIamMember(this, "workload-identity-collector", {
          serviceAccountId: this.serviceAccount.name,
          role: "roles/iam.workloadIdentityUser",
          member: `serviceAccount:${props.workloadPool}[${collector.namespace}/${collector.name}]`,
        })
      : undefined;
    this.grantPropagated = new Sleep(this, "workload-identity-propagation", {
      createDuration: props.propagationDelay ?? "120s",
      // A new grant (another member or account) propagates again.
      triggers: {
        member: this.workloadIdentityGrant.member,
        serviceAccount: this.serviceAccount.email,
        ...(collectorGrant ? { collector: collectorGrant.member } : {}),
      },
      dependsOn: [this.workloadIdentityGrant, ...(collectorGrant ? [collectorGrant] : [])],
    });
  }
}
