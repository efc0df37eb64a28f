import { Construct } from "constructs";
import type { CronJobV1 } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { MaintenanceCronJob, type MaintenanceJobPlacement } from "./maintenance-cron-job";
import { inBackground, readOnlyWindow, type MaintenanceScriptOptions } from "./maintenance-window";

/**
 * Distribution's configuration file in the registry:3 image (Dockerfile: `COPY ...
 * /etc/distribution/config.yml`); the job's env overrides what matters, as in the registry.
 */
export const DISTRIBUTION_CONFIG_FILE = "/etc/distribution/config.yml";

/** Name of the CronJob and its pods' app label. */
export const GARBAGE_COLLECTION_JOB_NAME = "registry-garbage-collect";

/** The storage root is measured before and after the collection. */
export interface GarbageCollectionScriptOptions extends MaintenanceScriptOptions {
  /** Also delete manifests no tag points to (and then their blobs). */
  readonly deleteUntagged: boolean;
  /** Only report what would be deleted. */
  readonly dryRun: boolean;
  /** @default DISTRIBUTION_CONFIG_FILE */
  readonly configFile?: string;
}

/**
 * The job's shell script. Distribution's collector must not run while anything is pushed: a
 * blob uploaded between its mark and sweep phases is deleted although a new manifest needs it
 * (distribution v3.1.1 docs/content/about/garbage-collection.md, "ensure that the registry is
 * in read-only mode"). So, unless it is a dry run, the script raises the maintenance flag,
 * waits for writes in flight, collects, and always takes the flag down again (EXIT/INT/TERM
 * trap: a Job past its deadline gets SIGTERM). Sizes before and after go to the job's log.
 */
export function garbageCollectionScript(options: GarbageCollectionScriptOptions): string {
  const flags = [
    ...(options.dryRun ? ["--dry-run"] : []),
    ...(options.deleteUntagged ? ["--delete-untagged"] : []),
  ];
  const collect = [
    "registry",
    "garbage-collect",
    ...flags,
    options.configFile ?? DISTRIBUTION_CONFIG_FILE,
  ];
  const size = `du -sk ${options.dataDir} | cut -f1`;
  return [
    "set -eu",
    'child=""',
    `before=$(${size})`,
    ...(options.dryRun
      ? ['echo "dry run: nothing is deleted and writes go on"']
      : readOnlyWindow(options.readOnlyFlag, options.drainSeconds)),
    ...inBackground(collect.join(" ")),
    // Writable again before the measurement: du over a large store takes minutes.
    ...(options.dryRun ? [] : [`rm -f ${options.readOnlyFlag}`, 'echo "writable again"']),
    `after=$(${size})`,
    'echo "storage before: $before KiB, after: $after KiB, reclaimed: $((before - after)) KiB"',
  ].join("\n");
}

export interface GarbageCollectionJobProps extends MaintenanceJobPlacement {
  /** The registry's Distribution image: its `registry garbage-collect` does the work. */
  readonly image: string;
  /** The registry container's storage env (driver, root directory), so both see one store. */
  readonly storageEnv: ReadonlyArray<{ readonly name: string; readonly value?: string }>;
  readonly deleteUntagged: boolean;
  readonly dryRun: boolean;
}

/**
 * A CronJob that reclaims blobs no manifest references, with the registry read-only while it
 * runs (the auth proxy's maintenance flag). It mounts the registry's own data volume: no API
 * access, no exec rights, no service account token.
 */
export class GarbageCollectionJob extends Construct {
  public readonly cronJob: CronJobV1;
  public readonly script: string;

  constructor(scope: Construct, id: string, props: GarbageCollectionJobProps) {
    super(scope, id);
    this.script = garbageCollectionScript({
      dataDir: props.dataDir,
      readOnlyFlag: props.readOnlyFlag,
      drainSeconds: props.drainSeconds ?? 30,
      deleteUntagged: props.deleteUntagged,
      dryRun: props.dryRun,
    });
    this.cronJob = new MaintenanceCronJob(this, "job", {
      ...props,
      name: GARBAGE_COLLECTION_JOB_NAME,
      script: this.script,
      env: props.storageEnv,
      resources: {
        requests: { cpu: "100m", memory: "128Mi" },
        limits: { cpu: "1", memory: "512Mi" },
      },
    }).cronJob;
  }
}
