import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { ServiceAccount } from "@cdktf/provider-google/lib/service-account";
import { ProjectIamMember } from "@cdktf/provider-google/lib/project-iam-member";

/** What a GKE node needs and nothing more: write logs and metrics, read Artifact Registry. */
export const NODE_SERVICE_ACCOUNT_ROLES = [
  "roles/logging.logWriter",
  "roles/monitoring.metricWriter",
  "roles/artifactregistry.reader",
] as const;

export interface NodeServiceAccountProps {
  readonly projectId: string;
  /** Cluster name; the account id is derived from it. */
  readonly clusterName: string;
  /**
   * Resources to create first (the APIs these resources need).
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** A dedicated node service account, so nodes never run as the Compute default account. */
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
    this.roleBindings = NODE_SERVICE_ACCOUNT_ROLES.map(
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
