import { USERS_FILE } from "./auth-proxy-config";

/** Mount point of the generated htpasswd files in the pod (an in-memory emptyDir). */
export const HTPASSWD_DIR = "/auth";
/** Mount point of the credentials secret (one file per key) in the init container. */
export const CREDENTIALS_DIR = "/credentials";

/** bcrypt cost: every request's password is verified, so keep it moderate. */
const BCRYPT_COST = 10;

/** A user whose username and password are keys `<key>-username` / `<key>-password`. */
export interface HtpasswdUser {
  /** Prefix of the user's keys in the credentials secret (`push`, `pull`). */
  readonly key: string;
}

/**
 * The init container's script: bcrypt every user once into the auth proxy's USERS_FILE (who
 * may do what is the proxy's configuration).
 * Hashing in the pod keeps the Terraform plan stable (Terraform's bcrypt() changes every run,
 * and random_password.bcrypt_hash is wrong since random 3.4.0); passwords come from files,
 * never from the command line.
 */
export function htpasswdScript(
  users: readonly HtpasswdUser[],
  credentialsDir = CREDENTIALS_DIR,
  outputDir = HTPASSWD_DIR,
): string {
  const entry = (user: HtpasswdUser) => `${outputDir}/${user.key}.entry`;
  const hash = users.map(
    (user) =>
      `htpasswd -n -B -C ${String(BCRYPT_COST)} -i "$(cat ${credentialsDir}/${user.key}-username)" < ${credentialsDir}/${user.key}-password > ${entry(user)}`,
  );
  // htpasswd -n ends each entry with a blank line; the files hold only entries. No pipes:
  // POSIX sh has no pipefail, and a failed hash must fail the pod, not leave a user out.
  const fileOf = (name: string, members: readonly HtpasswdUser[]) =>
    members.length > 0
      ? `sed '/^$/d' ${members.map(entry).join(" ")} > ${outputDir}/${name}`
      : `: > ${outputDir}/${name}`;
  return [
    "set -eu",
    "umask 077",
    ...hash,
    fileOf(USERS_FILE, users),
    ...(users.length > 0 ? [`rm ${users.map(entry).join(" ")}`] : []),
  ].join("\n");
}
