/**
 * Names the stacks make from settings, shared by the stacks and the rules that check them
 * against the API receiving them (maintenance/rules.ts, sides/rules.ts, backend/rules.ts; the
 * invariant checker, __tests__/helpers/invariants.ts, checks the synthesized names as well).
 */

/**
 * Compute Engine resource names: RFC 1035, 1-63 characters
 * (https://cloud.google.com/compute/docs/naming-resources#resource-name-format).
 */
export const GCP_RESOURCE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The registry's snapshot schedule: `<registry.namespace>-data-snapshots`. */
export const SNAPSHOT_POLICY_SUFFIX = "-data-snapshots";

/**
 * Terraform Cloud workspace names: letters, digits, '-' and '_', at most 90 characters
 * (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/create#workspace-naming).
 */
export const WORKSPACE_NAME_LIMIT = 90;

/** The Artifact Registry reader's account id (stacks/cloud-network.ts). */
export function artifactReaderAccountId(repositoryId: string): string {
  return `${repositoryId.slice(0, 22)}-reader`;
}
