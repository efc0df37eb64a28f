import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { SecretManagerSecret } from "@cdktf/provider-google/lib/secret-manager-secret";
import { SecretManagerSecretVersion } from "@cdktf/provider-google/lib/secret-manager-secret-version";
import { SecretManagerSecretIamMember } from "@cdktf/provider-google/lib/secret-manager-secret-iam-member";

export interface RegistryCaSecretProps {
  readonly projectId: string;
  readonly secretId: string;
  /** The CA certificate (PEM) nodes must trust. */
  readonly caCertificatePem: string;
  /** IAM member (node service account) allowed to read the secret. */
  readonly reader: string;
  /**
   * Resources to create first (the APIs these resources need).
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The registry CA in Secret Manager, where GKE's containerd private-registry config reads it.
 * Only the node service account may access it.
 */
export class RegistryCaSecret extends Construct {
  public readonly secret: SecretManagerSecret;
  public readonly version: SecretManagerSecretVersion;
  /** The reader's grant: nodes must not boot before they can read the CA. */
  public readonly nodeAccess: SecretManagerSecretIamMember;
  /** `projects/<n>/secrets/<id>/versions/<v>`, as GKE's containerd config expects. */
  public readonly versionUri: string;

  constructor(scope: Construct, id: string, props: RegistryCaSecretProps) {
    super(scope, id);
    this.secret = new SecretManagerSecret(this, "secret", {
      project: props.projectId,
      secretId: props.secretId,
      replication: { auto: {} },
      dependsOn: props.dependsOn,
    });
    this.version = new SecretManagerSecretVersion(this, "version", {
      secret: this.secret.id,
      secretData: props.caCertificatePem,
    });
    this.nodeAccess = new SecretManagerSecretIamMember(this, "node-access", {
      project: props.projectId,
      secretId: this.secret.secretId,
      role: "roles/secretmanager.secretAccessor",
      member: props.reader,
    });
    this.versionUri = this.version.name;
  }
}
