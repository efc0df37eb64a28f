/**
 * A project's Workload Identity pool (`<project>.svc.id.goog`) as shared cloud state: it
 * exists once a cluster with Workload Identity does, and an IAM grant naming one of its
 * members before that fails. Users see it on the first apply in a fresh project when a grant
 * is ordered by nothing but a string made from the project id:
 * `googleapi: Error 400: Identity Pool does not exist (<project>.svc.id.goog)`
 * (reported e.g. in terraform-google-modules/terraform-google-kubernetes-engine#916).
 *
 * A cluster takes minutes to create and the pool appears when it is done; the stand-in's
 * cluster creation takes `clusterCreateMs` before the pool is recorded, so a grant that
 * Terraform starts alongside the cluster (no dependency) runs first and fails, as it would.
 *
 * Each pool is a folder of marker files, one per cluster that enables it
 * (`<dir>/workload-identity-pools/<pool>/<cluster id>`).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Milliseconds a stand-in cluster takes to create (the pool appears after it). */
export const CLUSTER_CREATE_ENV = "HYBRID_REHEARSAL_CLUSTER_CREATE_MS";
export const DEFAULT_CLUSTER_CREATE_MS = 1500;

/** `serviceAccount:<pool>[<namespace>/<name>]`: a Kubernetes service account's IAM member. */
const POOL_MEMBER = /^serviceAccount:([^[\]]+\.svc\.id\.goog)\[[^\]]*\]$/;

/** The pool a Workload Identity member names, if `member` is one. */
export function poolOfMember(member: string): string | undefined {
  return POOL_MEMBER.exec(member)?.[1];
}

/** The message the IAM API answers a grant naming a pool that does not exist. */
export function missingPoolMessage(pool: string): string {
  return `googleapi: Error 400: Identity Pool does not exist (${pool}). Please check that you specified a valid resource name as returned in the \`name\` attribute in the configuration API., badRequest`;
}

export class WorkloadIdentityPools {
  private readonly dir: string;

  constructor(cloudDir: string) {
    this.dir = join(cloudDir, "workload-identity-pools");
  }

  private static safe(part: string): string {
    return part.replace(/[^A-Za-z0-9._-]/g, "_");
  }

  /** `cluster` (its id) enables `pool`. */
  enable(pool: string, cluster: string): void {
    const folder = join(this.dir, WorkloadIdentityPools.safe(pool));
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, WorkloadIdentityPools.safe(cluster)), `${cluster}\n`);
  }

  /** `cluster` no longer enables any pool (deleted, or Workload Identity turned off). */
  disable(cluster: string): void {
    if (!existsSync(this.dir)) return;
    for (const pool of readdirSync(this.dir)) {
      rmSync(join(this.dir, pool, WorkloadIdentityPools.safe(cluster)), { force: true });
    }
  }

  exists(pool: string): boolean {
    const folder = join(this.dir, WorkloadIdentityPools.safe(pool));
    return existsSync(folder) && readdirSync(folder).length > 0;
  }
}
