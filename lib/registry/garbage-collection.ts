import { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import { CronJobV1 } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { appLabels } from "../k8s/labels";
import {
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from "../k8s/pod-security";
import type { DataVolume } from "./registry-storage";

/**
 * Distribution's configuration file in the registry:3 image (Dockerfile: `COPY ...
 * /etc/distribution/config.yml`); the job's env overrides what matters, as in the registry.
 */
export const DISTRIBUTION_CONFIG_FILE = "/etc/distribution/config.yml";

/** Name of the CronJob and its pods' app label. */
export const GARBAGE_COLLECTION_JOB_NAME = "registry-garbage-collect";

export interface GarbageCollectionScriptOptions {
  /** The registry's storage root (measured before and after). */
  readonly dataDir: string;
  /** The maintenance flag the auth proxy checks (writes get 503 while it exists). */
  readonly readOnlyFlag: string;
  /** Seconds between turning writes away and collecting: writes in flight finish. */
  readonly drainSeconds: number;
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
  // Children run in the background and are waited for: sh runs a trap only after its
  // foreground child ends, and Kubernetes kills the pod 30 s after SIGTERM.
  const inBackground = (command: string) => [`${command} &`, "child=$!", 'wait "$child"'];
  const flagDir = options.readOnlyFlag.slice(0, options.readOnlyFlag.lastIndexOf("/"));
  return [
    "set -eu",
    'child=""',
    `before=$(${size})`,
    ...(options.dryRun
      ? ['echo "dry run: nothing is deleted and writes go on"']
      : [
          `mkdir -p ${flagDir}`,
          `trap 'rm -f ${options.readOnlyFlag}' EXIT`,
          `trap 'if [ -n "$child" ]; then kill "$child" 2>/dev/null || true; fi; exit 143' INT TERM`,
          `: > ${options.readOnlyFlag}`,
          `echo "read-only: writes get 503 until the collection ends; waiting ${String(options.drainSeconds)}s for writes in flight"`,
          ...inBackground(`sleep ${String(options.drainSeconds)}`),
        ]),
    ...inBackground(collect.join(" ")),
    `after=$(${size})`,
    'echo "storage before: $before KiB, after: $after KiB, reclaimed: $((before - after)) KiB"',
  ].join("\n");
}

export interface GarbageCollectionJobProps {
  /**
   * Kubernetes provider of the registry's cluster.
   * @default the stack's default kubernetes provider
   */
  readonly provider?: TerraformProvider;
  readonly namespace: string;
  /** The registry's Distribution image: its `registry garbage-collect` does the work. */
  readonly image: string;
  /** The registry container's storage env (driver, root directory), so both see one store. */
  readonly storageEnv: ReadonlyArray<{ readonly name: string; readonly value?: string }>;
  /** The registry's data volume, mounted at `dataDir`. */
  readonly dataVolume: DataVolume;
  readonly dataDir: string;
  readonly readOnlyFlag: string;
  /**
   * Labels of the registry's pods: with a ReadWriteOnce claim the job must run on their node.
   * @default no affinity (hostPath data pins the node through `nodeName` instead)
   */
  readonly registryPods?: Readonly<Record<string, string>>;
  /** @default any node (set for hostPath data) */
  readonly nodeName?: string;
  /** Cron schedule. */
  readonly schedule: string;
  /** IANA time zone of the schedule (CronJob `timeZone`, GA in Kubernetes 1.27). */
  readonly timeZone: string;
  readonly deleteUntagged: boolean;
  readonly dryRun: boolean;
  /** @default 30 */
  readonly drainSeconds?: number;
  /**
   * Longest run before Kubernetes stops the job (its trap then lifts read-only mode).
   * @default 3600
   */
  readonly deadlineSeconds?: number;
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
    const labels = appLabels(GARBAGE_COLLECTION_JOB_NAME, "maintenance");
    this.script = garbageCollectionScript({
      dataDir: props.dataDir,
      readOnlyFlag: props.readOnlyFlag,
      drainSeconds: props.drainSeconds ?? 30,
      deleteUntagged: props.deleteUntagged,
      dryRun: props.dryRun,
    });
    this.cronJob = new CronJobV1(this, "cron-job", {
      provider: props.provider,
      metadata: { name: GARBAGE_COLLECTION_JOB_NAME, namespace: props.namespace, labels },
      spec: {
        schedule: props.schedule,
        timezone: props.timeZone,
        // Never two collections at once; a run missed by more than an hour waits for the next.
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            // A failed collection is retried by the next schedule, not in a loop.
            backoffLimit: 0,
            activeDeadlineSeconds: props.deadlineSeconds ?? 3600,
            template: {
              metadata: { labels },
              spec: {
                restartPolicy: "Never",
                automountServiceAccountToken: false,
                securityContext: restrictedPodSecurityContext(),
                nodeName: props.nodeName,
                affinity: props.registryPods
                  ? {
                      podAffinity: {
                        requiredDuringSchedulingIgnoredDuringExecution: [
                          {
                            labelSelector: [{ matchLabels: { ...props.registryPods } }],
                            topologyKey: "kubernetes.io/hostname",
                          },
                        ],
                      },
                    }
                  : undefined,
                container: [
                  {
                    name: "garbage-collect",
                    image: props.image,
                    command: ["/bin/sh", "-c", this.script],
                    env: props.storageEnv.map((variable) => ({ ...variable })),
                    securityContext: restrictedContainerSecurityContext(),
                    resources: {
                      requests: { cpu: "100m", memory: "128Mi" },
                      limits: { cpu: "1", memory: "512Mi" },
                    },
                    volumeMount: [{ name: props.dataVolume.name, mountPath: props.dataDir }],
                  },
                ],
                volume: [{ ...props.dataVolume }],
              },
            },
          },
        },
      },
    });
  }
}
