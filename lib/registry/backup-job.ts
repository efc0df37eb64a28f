import { Construct } from "constructs";
import type { CronJobV1 } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { MaintenanceCronJob, type MaintenanceJobPlacement } from "./maintenance-cron-job";
import { inBackground, readOnlyWindow, type MaintenanceScriptOptions } from "./maintenance-window";

/** Name of the CronJob and its pods' app label. */
export const BACKUP_JOB_NAME = "registry-backup";
/** Where the backup claim is mounted in the job. */
export const BACKUP_DIR = "/backup";
/** Archives are `registry-<UTC timestamp>.tar`: names sort by age. */
export const ARCHIVE_PREFIX = "registry-";
export const ARCHIVE_SUFFIX = ".tar";
/** Archives up to 0.1.0 were gzipped: still counted as archives, so they are pruned in turn. */
export const GZIP_ARCHIVE_SUFFIX = ".tar.gz";
/** An archive is written as `<name>.partial` and renamed once complete. */
export const PARTIAL_SUFFIX = ".partial";

/** The storage root's `docker` folder is Distribution's whole store: the archive's content. */
export interface BackupScriptOptions extends MaintenanceScriptOptions {
  readonly backupDir: string;
  /** Archives kept; older ones are deleted after a successful run. */
  readonly keep: number;
}

/**
 * The job's script: delete what killed runs left, then with writes refused (so the copy is
 * consistent: no blob without the manifest that needs it, or the reverse) archive
 * Distribution's folder, publish the archive under its final name only once complete, lift
 * read-only, then keep the newest `keep` archives, old gzipped ones included.
 *
 * The archive is a plain tar: layer blobs, nearly all of the store, are gzip or zstd already,
 * so gzip would spend the job's CPU (single-threaded, 1 CPU limit) for almost no space while
 * pushes are refused; without it tar runs at disk speed (docs/operations.md, "Backup and restore").
 */
export function backupScript(options: BackupScriptOptions): string {
  const stem = `${options.backupDir}/${ARCHIVE_PREFIX}`;
  const archives = [ARCHIVE_SUFFIX, GZIP_ARCHIVE_SUFFIX].map((suffix) => `${stem}*${suffix}`);
  return [
    "set -eu",
    'child=""',
    // Only this job writes here, one run at a time (concurrencyPolicy Forbid skips a run while
    // the previous one is active,
    // https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#concurrency-policy;
    // the shared flag presumes it too), so a partial archive at the start is what a stopped run
    // left: SIGKILL after the grace period, a lost node, an eviction skip the trap. Deleted
    // before read-only starts, so a large one does not lengthen the window.
    `for stale in ${stem}*${PARTIAL_SUFFIX}; do`,
    '  if [ -e "$stale" ]; then rm -f "$stale"; echo "deleted $stale, left by a stopped run"; fi',
    "done",
    `archive=${stem}$(date -u +%Y%m%dT%H%M%SZ)${ARCHIVE_SUFFIX}`,
    // A failed run removes its own partial on exit; so does a run stopped at its deadline,
    // whose pod Kubernetes terminates (SIGTERM: the TERM trap, then EXIT),
    // https://kubernetes.io/docs/concepts/workloads/controllers/job/#job-termination-and-cleanup.
    ...readOnlyWindow(options.readOnlyFlag, options.drainSeconds, [
      `rm -f "$archive${PARTIAL_SUFFIX}"`,
    ]),
    "started=$(date +%s)",
    ...inBackground(`tar -cf "$archive${PARTIAL_SUFFIX}" -C ${options.dataDir} docker`),
    `mv "$archive${PARTIAL_SUFFIX}" "$archive"`,
    `rm -f ${options.readOnlyFlag}`,
    'echo "archived $archive: $(du -k "$archive" | cut -f1) KiB in $(($(date +%s) - started)) s"',
    // Names sort by age whatever their suffix (the timestamp comes first); ls is quiet and
    // lists nothing for a pattern with no match.
    `for old in $(ls -1d ${archives.join(" ")} 2>/dev/null | sort -r | tail -n +${String(options.keep + 1)}); do`,
    '  rm -f "$old"',
    '  echo "deleted $old"',
    "done",
  ].join("\n");
}

export interface RegistryBackupJobProps extends MaintenanceJobPlacement {
  /** Image with sh, tar, date, du, ls and sort (the registry's Alpine-based image). */
  readonly image: string;
  /** An existing claim in `namespace`, ideally on other storage than the registry's. */
  readonly backupClaim: string;
  /** Archives kept; older ones are deleted after a successful run. */
  readonly keep: number;
}

/**
 * A CronJob archiving the registry's storage onto a backup claim, with the registry read-only
 * while it copies. Restoring is extracting an archive into an empty storage root (docs/operations.md,
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
