import { chmodSync, mkdirSync } from "node:fs";
import { relative, resolve } from "node:path";

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

/**
 * Where Terraform keeps a stack's local state when the stacks are synthesized into `outdir`:
 * the backend's path is relative to `<outdir>/stacks/<stack>` (../../../<directory>, so that
 * the JSON holds no machine path), which is `<directory>` beside `outdir`.
 */
export function localStateFolder(outdir: string, directory: string): string {
  return resolve(outdir, "..", directory);
}

/**
 * A note when `outdir` is not directly inside `projectRoot` (CDKTF_OUTDIR elsewhere, cdktf's
 * --output): the state then goes beside that folder, not into the project's `<directory>`.
 */
export function misplacedStateNote(
  outdir: string,
  directory: string,
  projectRoot: string,
): string | undefined {
  const actual = localStateFolder(outdir, directory);
  const expected = resolve(projectRoot, directory);
  if (actual === expected) return undefined;
  const shown = relative(projectRoot, actual).startsWith("..")
    ? actual
    : relative(projectRoot, actual);
  return (
    `note: the stacks are synthesized into ${resolve(outdir)}, so Terraform keeps this ` +
    `environment's local state in ${shown} (the state path is relative to the stack folders), ` +
    `not in ${directory}/ of this project. Synthesize into a folder directly inside the ` +
    `project (cdktf.out, the default) to keep it there, or use a gcs or cloud backend.\n`
  );
}
