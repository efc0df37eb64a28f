import type { Construct } from "constructs";
import { SecretManagerSecretIamMember } from "@cdktf/provider-google/lib/secret-manager-secret-iam-member";
import { Sleep } from "@cdktf/provider-time/lib/sleep";
import { SecretValue, type SecretValueProps } from "../gcp/secret-value";

export interface RegistryCaSecretProps extends Omit<SecretValueProps, "value"> {
  /** The CA certificate (PEM) nodes must trust. */
  readonly caCertificatePem: string;
  /** IAM member (node service account) allowed to read the secret. */
  readonly reader: string;
  /**
   * How long to wait after granting the reader before nodes may boot (needs the `time`
   * provider in the stack).
   * @default "120s"
   */
  readonly propagationDelay?: string;
}

/**
 * The registry CA in Secret Manager, where GKE's containerd private-registry config reads it.
 * Only the node service account may access it.
 */
export class RegistryCaSecret extends SecretValue {
  /** The reader's grant. */
  public readonly nodeAccess: SecretManagerSecretIamMember;
  /**
   * Done once the grant has had time to propagate: nodes read the CA when they boot, and a
   * node that cannot read it never trusts the registry. IAM changes "typically take effect
   * within 2 minutes" (https://cloud.google.com/iam/docs/access-change-propagation), so node
   * pools depend on this wait, not on the grant.
   */
  public readonly readableByNodes: Sleep;
  /** `projects/<n>/secrets/<id>/versions/<v>`, as GKE's containerd config expects. */
  public readonly versionUri: string;

  constructor(scope: Construct, id: string, props: RegistryCaSecretProps) {
    super(scope, id, { ...props, value: props.caCertificatePem });
    this.nodeAccess = new SecretManagerSecretIamMember(this, "node-access", {
      provider: props.provider,
      project: props.projectId,
      secretId: this.secret.secretId,
      role: "roles/secretmanager.secretAccessor",
      member: props.reader,
    });
    this.readableByNodes = new Sleep(this, "node-access-propagation", {
      createDuration: props.propagationDelay ?? "120s",
      // A new reader (or secret) is a new grant: wait again.
      triggers: { member: props.reader, secret: this.secret.id },
      dependsOn: [this.nodeAccess, this.version],
    });
    this.versionUri = this.version.name;
  }
}
