import { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import { Password } from "@cdktf/provider-random/lib/password";

export interface RegistryUser {
  readonly username: string;
  /** Token of a generated password (sensitive in state, never in the JSON). */
  readonly password: string;
}

export interface RegistryCredentialsProps {
  readonly pushUsername: string;
  readonly pullUsername: string;
  /** @default the stack's default random provider */
  readonly provider?: TerraformProvider;
}

/**
 * Generated credentials: a pushing user (seeding, CI) and a pulling user (clusters). The
 * registry's auth proxy lets only the pushing user write (see RegistryServer `writers`).
 */
export class RegistryCredentials extends Construct {
  public readonly push: RegistryUser;
  public readonly pull: RegistryUser;
  /** Distribution's `http.secret`, shared by all replicas to sign upload state. */
  public readonly httpSecret: string;

  constructor(scope: Construct, id: string, props: RegistryCredentialsProps) {
    super(scope, id);
    const password = (passwordId: string, length: number) =>
      new Password(this, passwordId, { length, special: false, provider: props.provider }).result;
    this.push = { username: props.pushUsername, password: password("push-password", 32) };
    this.pull = { username: props.pullUsername, password: password("pull-password", 32) };
    this.httpSecret = password("http-secret", 48);
  }
}
