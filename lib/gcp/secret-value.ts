import { Construct } from "constructs";
import type { ITerraformDependable, TerraformProvider } from "cdktf";
import { SecretManagerSecret } from "@cdktf/provider-google/lib/secret-manager-secret";
import { SecretManagerSecretVersion } from "@cdktf/provider-google/lib/secret-manager-secret-version";

export interface SecretValueProps {
  /**
   * Google provider of the project that holds the secret.
   * @default the stack's default google provider
   */
  readonly provider?: TerraformProvider;
  readonly projectId: string;
  /** Secret id: letters, digits, `-` and `_`, at most 255 characters. */
  readonly secretId: string;
  /** The value (a reference to a generated secret, never a literal). */
  readonly value: string;
  /**
   * Resources to create first (the Secret Manager API).
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A value handed to another stack through Secret Manager instead of a remote-state output: a
 * remote-state read stores every output of the producer in the consumer's state, so a secret
 * published as an output would sit in every consumer's state, also where it is not needed.
 */
export class SecretValue extends Construct {
  public readonly secret: SecretManagerSecret;
  public readonly version: SecretManagerSecretVersion;
  /** `projects/<project>/secrets/<id>`: what a consumer reads the latest version of. */
  public readonly secretName: string;

  constructor(scope: Construct, id: string, props: SecretValueProps) {
    super(scope, id);
    this.secret = new SecretManagerSecret(this, "secret", {
      provider: props.provider,
      project: props.projectId,
      secretId: props.secretId,
      replication: { auto: {} },
      dependsOn: props.dependsOn,
    });
    this.version = new SecretManagerSecretVersion(this, "version", {
      provider: props.provider,
      secret: this.secret.id,
      secretData: props.value,
    });
    this.secretName = this.secret.id;
  }
}
