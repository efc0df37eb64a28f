/** Synthesized Terraform JSON of one stack. */
export interface StackJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, { value: unknown; sensitive?: boolean; description?: string }>;
  readonly provider?: Record<string, Array<Record<string, unknown>>>;
  readonly variable?: Record<string, Record<string, unknown>>;
  readonly terraform: Record<string, unknown>;
}

/** All resources of one type in a stack, as [logical id, body] pairs. */
export function resourcesOf(
  stack: StackJson,
  type: string,
): Array<[string, Record<string, unknown>]> {
  return Object.entries(stack.resource?.[type] ?? {});
}

/** Every string anywhere inside a JSON value. */
export function allStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value && typeof value === "object") return Object.values(value).flatMap(allStrings);
  return [];
}

/** Resource types that run pods, for the Pod Security and platform checks. */
export const POD_WORKLOADS = [
  "kubernetes_deployment_v1",
  "kubernetes_daemon_set_v1",
  "kubernetes_job_v1",
  "kubernetes_cron_job_v1",
] as const;

/** The pod spec of a workload; a CronJob's is inside its job template. */
export function podSpecOfWorkload(workload: Record<string, unknown>): Record<string, unknown> {
  type Json = Record<string, unknown>;
  const spec = workload.spec as Json;
  const jobSpec = spec.job_template ? ((spec.job_template as Json).spec as Json) : spec;
  return (jobSpec.template as Json).spec as Json;
}
