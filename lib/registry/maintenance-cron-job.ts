import { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import { CronJobV1 } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { appLabels } from "../k8s/labels";
import {
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from "../k8s/pod-security";
import type { EnvVar } from "./registry-env";
import type { DataVolume } from "./registry-storage";

/** Where and when a maintenance job runs on the registry's storage: shared by every such job. */
export interface MaintenanceJobPlacement {
  /**
   * Kubernetes provider of the registry's cluster.
   * @default the stack's default kubernetes provider
   */
  readonly provider?: TerraformProvider;
  readonly namespace: string;
  /** The registry's data volume, mounted at `dataDir`. */
  readonly dataVolume: DataVolume;
  readonly dataDir: string;
  /** This job's maintenance flag: the auth proxy refuses writes while it exists. */
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
  /** Seconds between refusing writes and starting, for writes in flight. @default 30 */
  readonly drainSeconds?: number;
  /** Longest run before Kubernetes stops the job (its trap then lifts read-only). @default 3600 */
  readonly deadlineSeconds?: number;
}

/** The job's own script handles the flag and the drain; the CronJob needs the rest. */
export interface MaintenanceCronJobProps extends Omit<
  MaintenanceJobPlacement,
  "readOnlyFlag" | "drainSeconds" | "dataVolume" | "dataDir"
> {
  /**
   * The registry's data volume, mounted at `dataDir`.
   * @default none (bucket storage: the storage env reaches the bucket)
   */
  readonly dataVolume?: DataVolume;
  /** @default none */
  readonly dataDir?: string;
  /**
   * Service account of the job's pods, whose token is then mounted.
   * @default none: no token, no API access
   */
  readonly serviceAccountName?: string;
  /**
   * Files an init container copies from another image into `dir` (an emptyDir the job's
   * container mounts too), e.g. a static binary.
   * @default none
   */
  readonly tools?: { readonly image: string; readonly dir: string; readonly script: string };
  /** Name of the CronJob, its container and its pods' app label. */
  readonly name: string;
  readonly image: string;
  /** Shell script run with `/bin/sh -c`. */
  readonly script: string;
  /** @default none */
  readonly env?: readonly EnvVar[];
  /** Secrets mounted read-only, by mount path (e.g. a storage endpoint's CA). @default none */
  readonly secrets?: ReadonlyArray<{ readonly secretName: string; readonly mountPath: string }>;
  /** Further claims, by mount path. @default none */
  readonly claims?: ReadonlyArray<{ readonly claimName: string; readonly mountPath: string }>;
  readonly resources: {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
  };
}

/**
 * A scheduled job on the registry's own volume: one run at a time, retried by the next
 * schedule rather than in a loop, no Kubernetes API access (no service account token).
 */
export class MaintenanceCronJob extends Construct {
  public readonly cronJob: CronJobV1;

  constructor(scope: Construct, id: string, props: MaintenanceCronJobProps) {
    super(scope, id);
    const labels = appLabels(props.name, "maintenance");
    const claims = props.claims ?? [];
    const data =
      props.dataVolume && props.dataDir
        ? { volume: props.dataVolume, mountPath: props.dataDir }
        : undefined;
    const tools = props.tools;
    const toolsMount = tools ? [{ name: "tools", mountPath: tools.dir }] : [];
    const secrets = props.secrets ?? [];
    this.cronJob = new CronJobV1(this, "cron-job", {
      provider: props.provider,
      metadata: { name: props.name, namespace: props.namespace, labels },
      spec: {
        schedule: props.schedule,
        timezone: props.timeZone,
        // Never two runs at once; a run missed by more than an hour waits for the next.
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: 0,
            activeDeadlineSeconds: props.deadlineSeconds ?? 3600,
            template: {
              metadata: { labels },
              spec: {
                restartPolicy: "Never",
                serviceAccountName: props.serviceAccountName,
                automountServiceAccountToken: props.serviceAccountName !== undefined,
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
                initContainer: tools
                  ? [
                      {
                        name: "tools",
                        image: tools.image,
                        command: ["/bin/sh", "-c", tools.script],
                        securityContext: restrictedContainerSecurityContext(),
                        resources: props.resources,
                        volumeMount: toolsMount,
                      },
                    ]
                  : undefined,
                container: [
                  {
                    name: props.name,
                    image: props.image,
                    command: ["/bin/sh", "-c", props.script],
                    env: props.env?.map((variable) => ({
                      ...variable,
                      valueFrom: variable.valueFrom
                        ? { secretKeyRef: { ...variable.valueFrom.secretKeyRef } }
                        : undefined,
                    })),
                    securityContext: restrictedContainerSecurityContext(),
                    resources: props.resources,
                    volumeMount: [
                      ...(data ? [{ name: data.volume.name, mountPath: data.mountPath }] : []),
                      ...toolsMount,
                      ...secrets.map((secret, index) => ({
                        name: `secret-${String(index)}`,
                        mountPath: secret.mountPath,
                        readOnly: true,
                      })),
                      ...claims.map((claim, index) => ({
                        name: `claim-${String(index)}`,
                        mountPath: claim.mountPath,
                      })),
                    ],
                  },
                ],
                volume: [
                  ...(data ? [{ ...data.volume }] : []),
                  ...(tools ? [{ name: "tools", emptyDir: {} }] : []),
                  ...secrets.map((secret, index) => ({
                    name: `secret-${String(index)}`,
                    secret: { secretName: secret.secretName },
                  })),
                  ...claims.map((claim, index) => ({
                    name: `claim-${String(index)}`,
                    persistentVolumeClaim: { claimName: claim.claimName },
                  })),
                ],
              },
            },
          },
        },
      },
    });
  }
}
