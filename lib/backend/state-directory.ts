import { chmodSync, mkdirSync } from "node:fs";

/**
 * The local backend's state directory, readable by its owner only: state holds private keys
 * and passwords, and Terraform writes local state files with the process umask (0644 with the
 * usual 022). A 0700 directory keeps other users out whatever the files' modes are.
 */
export function ensurePrivateStateDirectory(directory: string): void {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  // mkdir leaves an existing directory's mode alone.
  chmodSync(directory, 0o700);
}
