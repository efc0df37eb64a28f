import type { AlertRule } from "./alert-rules";

/** One maintenance CronJob of the registry, as the alerts watch it. */
export interface MaintenanceJobWatch {
  /** Name of the CronJob; its Jobs are `<name>-<scheduled minute>`. */
  readonly cronJob: string;
  /** Its Jobs' activeDeadlineSeconds. */
  readonly deadlineSeconds: number;
  /**
   * How it makes the registry read-only: a flag file in the registry container (volume
   * storage), or Distribution's read-only setting rolled into the Deployment's env (bucket).
   */
  readonly readOnly: { readonly flag: string } | { readonly env: string };
}

export interface MaintenanceAlertRuleProps {
  /** Namespace of the registry and its CronJobs. */
  readonly namespace: string;
  /** The CronJobs this environment has; none gives no rule. */
  readonly jobs: readonly MaintenanceJobWatch[];
  /** The registry's Deployment, for the runbook's `kubectl exec`. @default "registry" */
  readonly deployment?: string;
}

/** Kubernetes names are lowercase alphanumerics and `-`: nothing to escape in a PromQL regex. */
function checkedName(name: string): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    throw new Error(`maintenance alert rules: "${name}" is not a CronJob name`);
  }
  return name;
}

function minutes(seconds: number): string {
  return `${String(Math.round(seconds / 60))} min`;
}

/**
 * A maintenance job whose trap did not run leaves its flag, and the auth proxy refuses every
 * push with 503 until the job's next run; nginx's refusals never reach Distribution's metrics.
 * So the jobs are watched from kube-state-metrics (internal/store/job.go: kube_job_owner,
 * kube_job_created, kube_job_failed and kube_job_complete with `condition`,
 * kube_job_status_start_time, kube_job_status_active; every series has `namespace` and
 * `job_name`): a CronJob's Jobs are told apart from any other by their owner, not their name.
 */
export function maintenanceAlertRules(props: MaintenanceAlertRuleProps): AlertRule[] {
  if (props.jobs.length === 0) return [];
  const namespace = `namespace="${props.namespace}"`;
  const deployment = props.deployment ?? "registry";
  const names = props.jobs.map((job) => checkedName(job.cronJob));
  const owners = (match: string) =>
    `kube_job_owner{${namespace},owner_kind="CronJob",owner_name${match}}`;
  // Creation time of each CronJob's newest Job in a given condition (Failed or Complete).
  const newest = (condition: string) =>
    `max by (namespace, owner_name) (kube_job_created{${namespace}} * on (namespace, job_name) group_left (owner_name) ${owners(`=~"${names.join("|")}"`)} and on (namespace, job_name) ${condition}{${namespace},condition="true"} == 1)`;
  const failed = newest("kube_job_failed");
  const succeeded = newest("kube_job_complete");
  const exec = `kubectl -n ${props.namespace} exec deploy/${deployment} -c registry --`;
  const flags = props.jobs.flatMap((job) =>
    "flag" in job.readOnly ? [`\`${job.readOnly.flag}\` (${job.cronJob})`] : [],
  );
  const envs = props.jobs.flatMap((job) => ("env" in job.readOnly ? [job.readOnly.env] : []));
  const verify = `Check whether pushes are refused: \`npm run verify\` (its check \`registry pull user read-only\` then reports maintenance)`;
  const lift = [
    ...(flags.length > 0
      ? [
          `${verify} or \`${exec} ls ${flagDirOf(props.jobs)}\`. Lift read-only by removing the flag: \`${exec} rm -f <flag>\`, flags ${flags.join(", ")}.`,
        ]
      : []),
    ...envs.map(
      (env) =>
        `${flags.length > 0 ? "On bucket storage the registry is rolled into read-only mode instead (pushes get 405): " : `${verify}. `}lift it with \`kubectl -n ${props.namespace} set env deploy/${deployment} -c registry ${env}-\` or by applying the workloads stack.`,
    ),
  ].join(" ");
  const deadlines = props.jobs
    .map((job) => `${job.cronJob} ${minutes(job.deadlineSeconds)}`)
    .join(", ");
  return [
    {
      id: "maintenance-job-failed",
      displayName: "Registry maintenance job failed",
      // Newest failure with no later success: a later successful run raised and lifted the
      // flag again, so it clears the alert (as does deleting the failed Job).
      query: `${failed} unless on (namespace, owner_name) (${succeeded} > ${failed})`,
      duration: "0s",
      severity: "ERROR",
      documentation:
        `The newest run of a registry maintenance CronJob (label owner_name) failed. Its trap lifts the maintenance flag when it stops, but a pod killed outright or lost with its node skips the trap: the registry may still be read-only, refusing every push (503; 405 on bucket storage) until that job's next successful run (a week for garbage collection). ${lift} ` +
        `Then find out why it failed: \`kubectl -n ${props.namespace} get jobs\`, \`kubectl -n ${props.namespace} logs job/<job>\`, and run it again: \`kubectl -n ${props.namespace} create job --from=cronjob/<cronjob> <name>\`. The alert clears after a later run succeeds or once the failed Job is deleted (docs/operations.md, Metrics and alerts).`,
    },
    {
      id: "maintenance-job-overdue",
      displayName: "Registry maintenance job past its deadline",
      query: props.jobs
        .map(
          (job) =>
            `(time() - kube_job_status_start_time{${namespace}}) * on (namespace, job_name) group_left (owner_name) ${owners(`="${job.cronJob}"`)} > ${String(job.deadlineSeconds)} and on (namespace, job_name) kube_job_status_active{${namespace}} > 0`,
        )
        .join(" or "),
      // Kubernetes stops a Job at activeDeadlineSeconds: its pods are terminated and the Job
      // fails with reason DeadlineExceeded
      // (https://kubernetes.io/docs/concepts/workloads/controllers/job/#job-termination-and-cleanup).
      // Five more minutes leave it time to.
      duration: "300s",
      severity: "ERROR",
      documentation:
        `A registry maintenance Job (label job_name) has had a running pod for more than 5 minutes past its deadline (${deadlines}): Kubernetes did not stop it, typically because its pod is on a node that no longer answers. The registry stays read-only meanwhile, refusing every push (503; 405 on bucket storage). ${lift} ` +
        `Then see where its pod is: \`kubectl -n ${props.namespace} get jobs,pods -o wide\`; delete the Job (\`kubectl -n ${props.namespace} delete job <job>\`) and, if its node is gone, the node (a pod on a lost node stays until then).`,
    },
  ];
}

/** The flags' common folder (they all live in the registry's maintenance folder). */
function flagDirOf(jobs: readonly MaintenanceJobWatch[]): string {
  const dirs = new Set(
    jobs.flatMap((job) =>
      "flag" in job.readOnly ? [job.readOnly.flag.replace(/\/[^/]*$/, "")] : [],
    ),
  );
  return [...dirs].join(" ");
}
