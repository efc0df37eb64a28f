import type { CommandCheck, CommandOutcome } from "./cluster-checks";

/** The seeding Job's logical id, as every stack that seeds emits it (construct path seed/job). */
export const SEED_JOB_ADDRESS = "kubernetes_job_v1.seed_job_0576E040";

export interface SeedCheckProps {
  /** kubectl context of the registry's cluster (undefined: the current context). */
  readonly context?: string;
  /** The registry's namespace, where the Job runs. */
  readonly namespace: string;
  /** The Job the config expects (seedJobName). */
  readonly jobName: string;
  /** The stack holding the Job: `workloads`, or `registry` with several sides. */
  readonly stack: string;
}

/** What a Job's status says, as `kubectl get jobs -o json` prints it. */
interface JobStatus {
  readonly metadata: { readonly name: string };
  readonly status?: {
    readonly failed?: number;
    readonly completionTime?: string;
    readonly conditions?: ReadonlyArray<{ readonly type: string; readonly status: string }>;
  };
}

const CHECK = "seed Job";

/** The commands that run the Job again: it is replaced, so it copies every image once more. */
export function seedRerunHint(stack: string): string {
  return `terraform -chdir=cdktf.out/stacks/${stack} apply -replace=${SEED_JOB_ADDRESS}`;
}

/**
 * The seeding Job's state in the registry's cluster: succeeded, failed (with its last log
 * line, read by a second command, and how to run it again), still running, or not found.
 * A Job's outcome is its `Complete` or `Failed` condition
 * (https://kubernetes.io/docs/concepts/workloads/controllers/job/#terminal-job-conditions).
 */
export function seedJobCheck(props: SeedCheckProps): CommandCheck {
  const kubectl = (...args: string[]) => [
    "kubectl",
    ...(props.context ? ["--context", props.context] : []),
    "-n",
    props.namespace,
    ...args,
  ];
  const rerun = seedRerunHint(props.stack);
  const failed = (attempts: number): CommandCheck => ({
    check: CHECK,
    command: kubectl("logs", `job/${props.jobName}`, "--tail=1"),
    evaluate: (stdout) => ({
      ok: false,
      check: CHECK,
      detail: `${props.jobName} failed after ${attempts} attempt(s), last log line: ${JSON.stringify(stdout.trim() || "(none)")}; fix the cause, then run it again: ${rerun}`,
    }),
  });
  return {
    check: CHECK,
    command: kubectl("get", "jobs", "-l", "app.kubernetes.io/name=registry-seed", "-o", "json"),
    evaluate: (stdout, status): CommandOutcome => {
      if (status !== 0) {
        return { ok: false, check: CHECK, detail: "kubectl failed (the registry's cluster?)" };
      }
      const jobs = (JSON.parse(stdout) as { items?: JobStatus[] }).items ?? [];
      const job = jobs.find((item) => item.metadata.name === props.jobName);
      if (!job) {
        const others = jobs.map((item) => item.metadata.name);
        return {
          ok: false,
          check: CHECK,
          detail: `${props.jobName} not found in ${props.namespace}${others.length ? ` (found ${others.join(", ")}: another image list)` : ""}; apply the stack that seeds (${props.stack}), which creates it`,
        };
      }
      const condition = (type: string) =>
        (job.status?.conditions ?? []).some((c) => c.type === type && c.status === "True");
      if (condition("Complete")) {
        return {
          ok: true,
          check: CHECK,
          detail: `${props.jobName} succeeded${job.status?.completionTime ? ` at ${job.status.completionTime}` : ""}`,
        };
      }
      const attempts = job.status?.failed ?? 0;
      if (condition("Failed")) {
        return {
          ok: false,
          check: CHECK,
          detail: `${props.jobName} failed`,
          next: failed(attempts),
        };
      }
      return {
        ok: false,
        check: CHECK,
        detail: `${props.jobName} is still running (${attempts} failed attempt(s) so far); run verify again when it ends`,
      };
    },
  };
}
