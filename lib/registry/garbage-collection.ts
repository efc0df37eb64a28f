import { Construct } from "constructs";
import type { CronJobV1 } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import { RoleV1 } from "@cdktf/provider-kubernetes/lib/role-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { appLabels } from "../k8s/labels";
import { MaintenanceCronJob, type MaintenanceJobPlacement } from "./maintenance-cron-job";
import { inBackground, readOnlyWindow, type MaintenanceScriptOptions } from "./maintenance-window";
import {
  READ_ONLY_ENV,
  readOnlyRolloutFunctions,
  type ReadOnlyRolloutOptions,
} from "./read-only-rollout";
import type { EnvVar } from "./registry-env";
import type { DataVolume } from "./registry-storage";

/**
 * Distribution's configuration file in the registry:3 image (Dockerfile: `COPY ...
 * /etc/distribution/config.yml`); the job's env overrides what matters, as in the registry.
 */
export const DISTRIBUTION_CONFIG_FILE = "/etc/distribution/config.yml";

/** Name of the CronJob and its pods' app label. */
export const GARBAGE_COLLECTION_JOB_NAME = "registry-garbage-collect";

/**
 * Kubernetes service account of the collector on bucket storage: it may patch the registry's
 * Deployment and, on gcs, acts as the bucket's Google service account (Workload Identity).
 */
export const GARBAGE_COLLECTION_SERVICE_ACCOUNT = "registry-garbage-collect";

/** The registry's volume carries a maintenance flag the auth proxy checks (pvc, hostPath). */
export interface VolumeFlagReadOnly extends MaintenanceScriptOptions {
  readonly kind: "volume-flag";
}

/** Every replica of a registry on a bucket is rolled into Distribution's read-only mode. */
export interface RolloutReadOnly extends ReadOnlyRolloutOptions {
  readonly kind: "rollout";
}

export interface GarbageCollectionScriptOptions {
  /** How writes stop while the collector runs. */
  readonly readOnly: VolumeFlagReadOnly | RolloutReadOnly;
  /** Also delete manifests no tag points to (and then their blobs). */
  readonly deleteUntagged: boolean;
  /** Only report what would be deleted. */
  readonly dryRun: boolean;
  /** @default DISTRIBUTION_CONFIG_FILE */
  readonly configFile?: string;
  /** @default "registry" (on the PATH of the registry's image) */
  readonly registryCommand?: string;
}

/** Lines that stop writes, wait for those in flight, and always allow them again on exit. */
function readOnlyLines(readOnly: VolumeFlagReadOnly | RolloutReadOnly): string[] {
  if (readOnly.kind === "volume-flag") {
    return readOnlyWindow(readOnly.readOnlyFlag, readOnly.drainSeconds);
  }
  return [
    ...readOnlyRolloutFunctions(readOnly),
    // Lifting needs only the patch: a Job past its deadline has 30 s after SIGTERM.
    `trap 'writable || echo "could not lift read-only: remove ${READ_ONLY_ENV.name} from deployment/${readOnly.deployment} (or apply the workloads stack)"' EXIT`,
    `trap 'if [ -n "$child" ]; then kill "$child" 2>/dev/null || true; fi; exit 143' INT TERM`,
    "read_only",
    `echo "read-only: rolling every replica of deployment/${readOnly.deployment} into Distribution's read-only mode (writes get 405)"`,
    "wait_rolled_out",
    `echo "every replica is read-only; waiting ${String(readOnly.drainSeconds)}s for replaced pods to finish uploads in flight"`,
    ...inBackground(`sleep ${String(readOnly.drainSeconds)}`),
  ];
}

/** Lines that allow writes again once the collector is done. */
function writableLines(readOnly: VolumeFlagReadOnly | RolloutReadOnly): string[] {
  if (readOnly.kind === "volume-flag") {
    return [`rm -f ${readOnly.readOnlyFlag}`, 'echo "writable again"'];
  }
  return [
    "trap - EXIT",
    "writable",
    "wait_rolled_out",
    `echo "writable again: every replica of deployment/${readOnly.deployment} rolled back"`,
  ];
}

/**
 * The job's shell script. Distribution's collector must not run while anything is pushed: a
 * blob uploaded between its mark and sweep phases is deleted although a new manifest needs it
 * (distribution v3.1.1 docs/content/about/garbage-collection.md, "ensure that the registry is
 * in read-only mode"). So, unless it is a dry run, the script stops writes (a volume flag, or
 * a rollout into read-only mode for a bucket), waits for writes in flight, collects, and
 * always allows writes again (EXIT/INT/TERM trap: a Job past its deadline gets SIGTERM). A
 * volume's size before and after goes to the job's log, measured with writes allowed again.
 */
export function garbageCollectionScript(options: GarbageCollectionScriptOptions): string {
  const flags = [
    ...(options.dryRun ? ["--dry-run"] : []),
    ...(options.deleteUntagged ? ["--delete-untagged"] : []),
  ];
  const collect = [
    options.registryCommand ?? "registry",
    "garbage-collect",
    ...flags,
    options.configFile ?? DISTRIBUTION_CONFIG_FILE,
  ];
  const { readOnly } = options;
  const size = readOnly.kind === "volume-flag" ? `du -sk ${readOnly.dataDir} | cut -f1` : undefined;
  return [
    "set -eu",
    'child=""',
    ...(size ? [`before=$(${size})`] : []),
    ...(options.dryRun
      ? ['echo "dry run: nothing is deleted and writes go on"']
      : readOnlyLines(readOnly)),
    ...inBackground(collect.join(" ")),
    // Writable again before the measurement: du over a large store takes minutes.
    ...(options.dryRun ? [] : writableLines(readOnly)),
    ...(size
      ? [
          `after=$(${size})`,
          'echo "storage before: $before KiB, after: $after KiB, reclaimed: $((before - after)) KiB"',
        ]
      : []),
  ].join("\n");
}

/** Where the collector finds the registry's binary and configuration in the bucket case. */
export const COLLECTOR_TOOLS_DIR = "/tools";

export interface GarbageCollectionJobProps extends Omit<
  MaintenanceJobPlacement,
  "dataVolume" | "dataDir" | "readOnlyFlag" | "registryPods" | "nodeName"
> {
  /** The registry's Distribution image: its `registry garbage-collect` does the work. */
  readonly image: string;
  /** The registry container's storage env (driver, root directory), so both see one store. */
  readonly storageEnv: readonly EnvVar[];
  readonly deleteUntagged: boolean;
  readonly dryRun: boolean;
  /** How writes stop while it collects: a flag on the registry's volume, or a rollout. */
  readonly readOnly: CollectionOnVolume | CollectionOnBucket;
}

/** A registry on a volume: the job mounts it (on the registry's node where it must). */
export interface CollectionOnVolume {
  readonly kind: "volume-flag";
  readonly dataVolume: DataVolume;
  readonly dataDir: string;
  readonly readOnlyFlag: string;
  /** @default no affinity */
  readonly registryPods?: Readonly<Record<string, string>>;
  /** @default any node */
  readonly nodeName?: string;
}

/** A registry on a bucket: the job rolls the Deployment into read-only mode and back. */
export interface CollectionOnBucket {
  readonly kind: "rollout";
  readonly deployment: string;
  readonly container: string;
  /** The Deployment's termination grace period: how long a replaced pod may still write. */
  readonly drainSeconds: number;
  /** An image with sh and curl that calls the Kubernetes API. */
  readonly apiClientImage: string;
  /**
   * Kubernetes service account name of the job (patches the Deployment; acts as the bucket's
   * Google service account where the storage is gcs).
   */
  readonly serviceAccountName: string;
  /** @default none (s3: the storage env holds the keys) */
  readonly serviceAccountAnnotations?: Readonly<Record<string, string>>;
  /**
   * The bucket endpoint's private CA, which the storage env's SSL_CERT_DIR names.
   * @default none (the image's roots)
   */
  readonly storageCa?: { readonly secretName: string; readonly mountPath: string };
}

/**
 * A CronJob that reclaims blobs no manifest references, with the registry read-only while it
 * runs. On a volume it mounts the registry's own data (no API access, no service account
 * token). On a bucket it copies the registry binary out of the registry's image (an init
 * container) and runs it beside curl, with a Role that may only read and patch the registry's
 * Deployment.
 */
export class GarbageCollectionJob extends Construct {
  public readonly cronJob: CronJobV1;
  public readonly script: string;
  /** The job's own service account (bucket storage only). */
  public readonly serviceAccount?: ServiceAccountV1;

  constructor(scope: Construct, id: string, props: GarbageCollectionJobProps) {
    super(scope, id);
    const { readOnly } = props;
    const resources = {
      requests: { cpu: "100m", memory: "128Mi" },
      limits: { cpu: "1", memory: "512Mi" },
    };
    const env = props.storageEnv;
    if (readOnly.kind === "volume-flag") {
      this.script = garbageCollectionScript({
        readOnly: {
          kind: "volume-flag",
          dataDir: readOnly.dataDir,
          readOnlyFlag: readOnly.readOnlyFlag,
          drainSeconds: props.drainSeconds ?? 30,
        },
        deleteUntagged: props.deleteUntagged,
        dryRun: props.dryRun,
      });
      this.cronJob = new MaintenanceCronJob(this, "job", {
        ...props,
        ...readOnly,
        name: GARBAGE_COLLECTION_JOB_NAME,
        script: this.script,
        env,
        resources,
      }).cronJob;
      return;
    }
    const deadlineSeconds = props.deadlineSeconds ?? 3600;
    this.script = garbageCollectionScript({
      readOnly: {
        kind: "rollout",
        deployment: readOnly.deployment,
        container: readOnly.container,
        drainSeconds: readOnly.drainSeconds,
        // Two rollouts and the collection share the deadline: each rollout gets a quarter.
        rolloutTimeoutSeconds: Math.floor(deadlineSeconds / 4),
      },
      deleteUntagged: props.deleteUntagged,
      dryRun: props.dryRun,
      registryCommand: `${COLLECTOR_TOOLS_DIR}/registry`,
      configFile: `${COLLECTOR_TOOLS_DIR}/config.yml`,
    });
    const labels = appLabels(GARBAGE_COLLECTION_JOB_NAME, "maintenance");
    this.serviceAccount = new ServiceAccountV1(this, "service-account", {
      provider: props.provider,
      metadata: {
        name: readOnly.serviceAccountName,
        namespace: props.namespace,
        labels,
        annotations: readOnly.serviceAccountAnnotations
          ? { ...readOnly.serviceAccountAnnotations }
          : undefined,
      },
      automountServiceAccountToken: false,
    });
    const role = new RoleV1(this, "role", {
      provider: props.provider,
      metadata: { name: GARBAGE_COLLECTION_JOB_NAME, namespace: props.namespace, labels },
      rule: [
        {
          apiGroups: ["apps"],
          resources: ["deployments"],
          resourceNames: [readOnly.deployment],
          verbs: ["get", "patch"],
        },
      ],
    });
    new RoleBindingV1(this, "role-binding", {
      provider: props.provider,
      metadata: { name: GARBAGE_COLLECTION_JOB_NAME, namespace: props.namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
      subject: [
        {
          kind: "ServiceAccount",
          name: this.serviceAccount.metadata.name,
          namespace: props.namespace,
        },
      ],
    });
    this.cronJob = new MaintenanceCronJob(this, "job", {
      ...props,
      name: GARBAGE_COLLECTION_JOB_NAME,
      image: readOnly.apiClientImage,
      script: this.script,
      env,
      resources,
      serviceAccountName: this.serviceAccount.metadata.name,
      secrets: readOnly.storageCa ? [readOnly.storageCa] : [],
      tools: {
        image: props.image,
        dir: COLLECTOR_TOOLS_DIR,
        // The registry binary is static (CGO off), so it runs in the curl image.
        script: `cp "$(command -v registry)" ${COLLECTOR_TOOLS_DIR}/registry && cp ${DISTRIBUTION_CONFIG_FILE} ${COLLECTOR_TOOLS_DIR}/config.yml`,
      },
    }).cronJob;
  }
}
