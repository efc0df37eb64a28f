/**
 * Backend rules across fields: Terraform Cloud workspace names within the API's limit.
 */
import type { SemanticView } from "../semantic-view";
import { TERRAFORM_CLOUD_STACK } from "../../contract/stack-names";
import { resolveBackend } from "./environment";
import { ConfigProblem } from "../core/problem";
import { WORKSPACE_NAME_LIMIT } from "../derived-names";

/** The stacks' names, longest first matters only: what a workspace name is made of. */
function longestStackName(view: SemanticView): string {
  const names = view.declares.sides
    ? ["onprem-network", "registry", ...view.sides.map((side) => `cloud-network-${side.name}`)]
    : view.mode === "standalone"
      ? ["workloads"]
      : ["onprem-network", "cloud-network"];
  return names.reduce((a, b) => (a.length >= b.length ? a : b));
}

export function workspaceProblems(view: SemanticView): ConfigProblem[] {
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
