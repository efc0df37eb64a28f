import { TERRAFORM_CLOUD_STACK } from "../contract/stack-names";
import { resolveBackend } from "./environment";
import type { ApplicationSideView, SemanticView } from "./semantic-view";
import type { ConfigProblem } from "./validate";

/**
 * Names the stacks make from settings, checked against the rules of the API that receives
 * them and reported at the setting a user can change: a valid setting can still make an
 * invalid name. (Network, cluster and DNS zone names are in platform-rules.ts; the invariant
 * checker, __tests__/helpers/invariants.ts, checks the synthesized names as well.)
 */

/**
 * Compute Engine resource names: RFC 1035, 1-63 characters
 * (https://cloud.google.com/compute/docs/naming-resources#resource-name-format).
 */
const GCP_RESOURCE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The registry's snapshot schedule: `<registry.namespace>-data-snapshots`. */
export const SNAPSHOT_POLICY_SUFFIX = "-data-snapshots";

/**
 * Terraform Cloud workspace names: letters, digits, '-' and '_', at most 90 characters
 * (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/create#workspace-naming).
 */
export const WORKSPACE_NAME_LIMIT = 90;

/** Service account ids: 6-30 characters (https://cloud.google.com/iam/docs/service-accounts-create). */
const SERVICE_ACCOUNT_ID = /^[a-z]([-a-z0-9]{4,28}[a-z0-9])$/;

/** The Artifact Registry reader's account id (stacks/cloud-network.ts). */
export function artifactReaderAccountId(repositoryId: string): string {
  return `${repositoryId.slice(0, 22)}-reader`;
}

/** Reader accounts of sides sharing a project must not collide: account ids are per project. */
function readerAccountProblems(sides: readonly ApplicationSideView[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, string>();
  for (const side of sides) {
    const artifacts = side.artifactRegistry;
    if (!side.projectId || !artifacts?.enabled || !artifacts.externalReader) continue;
    const accountId = artifactReaderAccountId(artifacts.repositoryId);
    if (!SERVICE_ACCOUNT_ID.test(accountId)) {
      problems.push({
        path: `${side.path}.artifactRegistry.repositoryId`,
        value: artifacts.repositoryId,
        message: `makes the reader account id ${accountId}, which is not 6-30 characters of a-z, 0-9 and '-' starting with a letter`,
        hint: "use a repository id of at least 2 characters starting with a letter",
      });
      continue;
    }
    const key = `${side.projectId}/${accountId}`;
    const first = seen.get(key);
    if (first) {
      problems.push({
        path: `${side.path}.artifactRegistry.externalReader`,
        value: true,
        message: `makes the service account ${accountId} in project ${side.projectId}, which ${first} makes too`,
        hint: "turn externalReader on for one side per project, or give the repositories ids that differ in their first 22 characters",
      });
    } else {
      seen.set(key, side.path);
    }
  }
  return problems;
}

function snapshotPolicyProblems(view: SemanticView): ConfigProblem[] {
  const registry = view.registry;
  if (!registry || view.onprem?.mode !== "simulated" || registry.storage.type !== "pvc") {
    return [];
  }
  if (registry.backup.snapshots.enabled === false) return [];
  const policy = `${registry.namespace}${SNAPSHOT_POLICY_SUFFIX}`;
  if (GCP_RESOURCE_NAME.test(policy)) return [];
  return [
    {
      path: "registry.namespace",
      value: registry.namespace,
      message: `makes the snapshot schedule name ${policy}, which Google refuses: it must start with a letter and have at most 63 characters`,
      hint: `use a namespace that starts with a letter, at most ${63 - SNAPSHOT_POLICY_SUFFIX.length} characters, or set registry.backup.snapshots.enabled: false`,
    },
  ];
}

/** The stacks' names, longest first matters only: what a workspace name is made of. */
function longestStackName(view: SemanticView): string {
  const names = view.declares.sides
    ? ["onprem-network", "registry", ...view.sides.map((side) => `cloud-network-${side.name}`)]
    : view.mode === "standalone"
      ? ["workloads"]
      : ["onprem-network", "cloud-network"];
  return names.reduce((a, b) => (a.length >= b.length ? a : b));
}

function workspaceProblems(view: SemanticView): ConfigProblem[] {
  const backend = view.backend;
  if (backend?.type !== "cloud") return [];
  const prefix = resolveBackend(backend, view.environment);
  if (prefix.type !== "cloud") return [];
  // The terraform-cloud stack also has a workspace (for its own state, when moved there).
  const stackName = [
    longestStackName(view),
    ...(backend.workspaceSetup ? [TERRAFORM_CLOUD_STACK] : []),
  ].reduce((a, b) => (a.length >= b.length ? a : b));
  const longest = `${prefix.workspacePrefix}-${stackName}`;
  if (longest.length <= WORKSPACE_NAME_LIMIT) return [];
  const set = backend.workspacePrefix !== undefined;
  return [
    {
      path: set ? "backend.workspacePrefix" : "environment",
      value: set ? backend.workspacePrefix : view.environment,
      message: `makes the workspace name ${longest} (${longest.length} characters): Terraform Cloud allows at most ${WORKSPACE_NAME_LIMIT}`,
      hint: set
        ? "shorten the workspace prefix (or the side names)"
        : "shorten the environment name or set a shorter backend.workspacePrefix",
    },
  ];
}

/** Every derived name an environment makes that its receiving API would refuse. */
export function derivedNameProblems(view: SemanticView): ConfigProblem[] {
  return [
    ...snapshotPolicyProblems(view),
    ...readerAccountProblems(view.sides),
    ...workspaceProblems(view),
  ];
}
