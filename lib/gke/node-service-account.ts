import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { ServiceAccount } from "@cdktf/provider-google/lib/service-account";
import { ProjectIamMember } from "@cdktf/provider-google/lib/project-iam-member";

/**
 * Google's documented minimum for a GKE node service account: "Kubernetes Engine Default Node
 * Service Account" bundles exactly what nodes need (logs, metrics, the resource metadata GKE
 * writes) and is maintained by Google as GKE changes
 * (https://cloud.google.com/kubernetes-engine/docs/how-to/service-accounts#default-gke-service-account,
 * https://cloud.google.com/iam/docs/understanding-roles#container.defaultNodeServiceAccount).
 */
export const NODE_SERVICE_ACCOUNT_ROLES = ["roles/container.defaultNodeServiceAccount"] as const;

/** What nodes additionally need to pull from Artifact Registry with their own identity. */
export const ARTIFACT_REGISTRY_READER_ROLE = "roles/artifactregistry.reader";

export interface NodeServiceAccountProps {
  readonly projectId: string;
  /** Cluster name; the account id is derived from it. */
  readonly clusterName: string;
  /**
   * Project roles beyond NODE_SERVICE_ACCOUNT_ROLES, e.g. ARTIFACT_REGISTRY_READER_ROLE for
   * nodes that pull from Artifact Registry.
   * @default none
   */
  readonly additionalRoles?: readonly string[];
  /**
   * Resources to create first (the APIs these resources need).
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A dedicated node service account, so nodes never run as the Compute default account (which
 * has the project-wide Editor role by default).
 */
export class NodeServiceAccount extends Construct {
  public readonly account: ServiceAccount;
  public readonly email: string;
  /** `serviceAccount:<email>`, for IAM bindings. */
  public readonly member: string;
  public readonly roleBindings: ProjectIamMember[];

  constructor(scope: Construct, id: string, props: NodeServiceAccountProps) {
    super(scope, id);
    // Account ids are 6-30 characters and may not end with a hyphen.
    const base = props.clusterName.slice(0, 24).replace(/-+$/, "");
    this.account = new ServiceAccount(this, "account", {
      project: props.projectId,
      accountId: `${base}-nodes`,
      displayName: `GKE nodes of ${props.clusterName}`,
      dependsOn: props.dependsOn,
    });
    this.email = this.account.email;
    this.member = this.account.member;
    this.roleBindings = [...NODE_SERVICE_ACCOUNT_ROLES, ...(props.additionalRoles ?? [])].map(
      (role) =>
        new ProjectIamMember(this, role.replace("roles/", ""), {
          project: props.projectId,
          role,
          member: this.member,
          dependsOn: props.dependsOn,
        }),
    );
  }
}
