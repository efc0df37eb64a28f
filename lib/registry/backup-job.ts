import { Construct } from "constructs";
import type { CronJobV1 } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { MaintenanceCronJob, type MaintenanceJobPlacement } from "./maintenance-cron-job";
import { inBackground, readOnlyWindow, type MaintenanceScriptOptions } from "./maintenance-window";

/** Name of the CronJob and its pods' app label. */
export const BACKUP_JOB_NAME = "registry-backup";
/** Where the backup claim is mounted in the job. */
export const BACKUP_DIR = "/backup";
/** Archives are `registry-<UTC timestamp>.tar.gz`: names sort by age. */
export const ARCHIVE_PREFIX = "registry-";

/** The storage root's `docker` folder is Distribution's whole store: the archive's content. */
export interface BackupScriptOptions extends MaintenanceScriptOptions {
  readonly backupDir: string;
  /** Archives kept; older ones are deleted after a successful run. */
  readonly keep: number;
}

/**
 * The job's script: with writes refused (so the copy is consistent: no blob without the
 * manifest that needs it, or the reverse), archive Distribution's folder, publish the archive
 * under its final name only once complete, lift read-only, then keep the newest `keep`.
 */
export function backupScript(options: BackupScriptOptions): string {
  const archives = `${options.backupDir}/${ARCHIVE_PREFIX}*.tar.gz`;
  return [
    "set -eu",
    'child=""',
    ...readOnlyWindow(options.readOnlyFlag, options.drainSeconds),
    `archive=${options.backupDir}/${ARCHIVE_PREFIX}$(date -u +%Y%m%dT%H%M%SZ).tar.gz`,
    ...inBackground(`tar -czf "$archive.partial" -C ${options.dataDir} docker`),
    'mv "$archive.partial" "$archive"',
    `rm -f ${options.readOnlyFlag}`,
    `echo "archived $archive: $(du -k "$archive" | cut -f1) KiB"`,
    `for old in $(ls -1 ${archives} | sort -r | tail -n +${String(options.keep + 1)}); do`,
    '  rm -f "$old"',
    '  echo "deleted $old"',
    "done",
  ].join("\n");
}

export interface RegistryBackupJobProps extends MaintenanceJobPlacement {
  /** Image with sh, tar, gzip and date (the registry's Alpine-based image). */
  readonly image: string;
  /** An existing claim in `namespace`, ideally on other storage than the registry's. */
  readonly backupClaim: string;
  /** Archives kept; older ones are deleted after a successful run. */
  readonly keep: number;
}

/**
 * A CronJob archiving the registry's storage onto a backup claim, with the registry read-only
 * while it copies. Restoring is extracting an archive into an empty storage root (README,
 * "Backup and restore").
 */
export class RegistryBackupJob extends Construct {
  public readonly cronJob: CronJobV1;
  public readonly script: string;

  constructor(scope: Construct, id: string, props: RegistryBackupJobProps) {
    super(scope, id);
    this.script = backupScript({
      dataDir: props.dataDir,
      backupDir: BACKUP_DIR,
      readOnlyFlag: props.readOnlyFlag,
      drainSeconds: props.drainSeconds ?? 30,
      keep: props.keep,
    });
    this.cronJob = new MaintenanceCronJob(this, "job", {
      ...props,
      name: BACKUP_JOB_NAME,
      script: this.script,
      claims: [{ claimName: props.backupClaim, mountPath: BACKUP_DIR }],
      resources: {
        requests: { cpu: "100m", memory: "64Mi" },
        limits: { cpu: "1", memory: "256Mi" },
      },
    }).cronJob;
  }
}
