/** Mount point of the generated htpasswd file in the registry pod. */
export const HTPASSWD_DIR = "/auth";
export const HTPASSWD_FILE = `${HTPASSWD_DIR}/htpasswd`;
/** Mount point of the credentials secret (one file per key) in the init container. */
export const CREDENTIALS_DIR = "/credentials";

/** bcrypt cost: Distribution verifies every request's password, so keep it moderate. */
const BCRYPT_COST = 10;

/** A user whose username and password are keys `<prefix>-username` / `<prefix>-password`. */
export interface CredentialKeys {
  readonly usernameKey: string;
  readonly passwordKey: string;
}

/**
 * The init container's script: bcrypt every user into the htpasswd file. Hashing in the pod
 * keeps the Terraform plan stable (Terraform's bcrypt() changes every run, and
 * random_password.bcrypt_hash is wrong since random 3.4.0); passwords come from files, never
 * from the command line.
 */
export function htpasswdScript(
  users: readonly CredentialKeys[],
  credentialsDir = CREDENTIALS_DIR,
  output = HTPASSWD_FILE,
): string {
  const hash = users.map(
    (user) =>
      `htpasswd -n -B -C ${BCRYPT_COST} -i "$(cat ${credentialsDir}/${user.usernameKey})" < ${credentialsDir}/${user.passwordKey} >> ${output}.tmp`,
  );
  // htpasswd -n ends each entry with a blank line; the final file holds only entries.
  return [
    "set -eu",
    "umask 077",
    `: > ${output}.tmp`,
    ...hash,
    `sed '/^$/d' ${output}.tmp > ${output}`,
    `rm ${output}.tmp`,
  ].join("\n");
}
