import { Fn } from "cdktf";

export interface RegistryLogin {
  /** Registry host as clients write it in image names, e.g. `registry.onprem.internal`. */
  readonly host: string;
  readonly username: string;
  /** Usually a token of a generated password: rendered by Terraform, never at synth. */
  readonly password: string;
}

/** A `.dockerconfigjson` document for logins, rendered by Terraform at apply time. */
export function dockerConfigJson(logins: readonly RegistryLogin[]): string {
  return Fn.jsonencode({
    auths: Object.fromEntries(
      logins.map((login) => [
        login.host,
        {
          username: login.username,
          password: login.password,
          auth: Fn.base64encode(Fn.join(":", [login.username, login.password])),
        },
      ]),
    ),
  });
}
