/**
 * Stand-in for hashicorp/tfe: the generic behaviour, ids in the API's shapes (ws-, prj-, rt-,
 * var- and 16 characters), and the refusals of tfe_workspace_settings that the workspaces stack
 * must never meet (terraform-provider-tfe v0.71.0 internal/provider/
 * resource_tfe_workspace_settings.go:126-151, a workspace sharing with every workspace and
 * with a list; :161-191, a workspace listed as its own consumer). tfe_variable's value_wo is
 * write-only in the generated schema (../binding-schema.ts), so Terraform keeps it out of plan
 * and state as it does with the real provider.
 */
import { createHash } from "node:crypto";
import { Unknown, type ObjectValue } from "../plugin/cty";
import {
  defaultApply,
  defaultPlan,
  ProviderError,
  type ApplyRequest,
  type PlanRequest,
} from "../plugin/provider";
import { standIn } from "./common";

const ID_PREFIXES: Readonly<Record<string, string>> = {
  tfe_workspace: "ws-",
  tfe_project: "prj-",
  tfe_run_trigger: "rt-",
  tfe_variable: "var-",
};

const ID_CHARACTERS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/** `<prefix><16 characters>`, derived from the planned object so reruns agree. */
function apiId(prefix: string, seed: string): string {
  const digest = createHash("sha256").update(seed).digest();
  const body = Array.from(digest.subarray(0, 16), (byte) => ID_CHARACTERS[byte % 58]).join("");
  return `${prefix}${body}`;
}

function settingsProblem(config: ObjectValue): string | undefined {
  const consumers = Array.isArray(config.remote_state_consumer_ids)
    ? config.remote_state_consumer_ids
    : [];
  if (config.global_remote_state === true && consumers.length > 0) {
    return "global_remote_state must be 'false' when setting remote_state_consumer_ids";
  }
  const self = config.workspace_id;
  if (typeof self === "string" && consumers.includes(self)) {
    return "workspace_id cannot be in the set of remote_state_consumer_ids";
  }
  return undefined;
}

export const provider = standIn("tfe", {
  plan: (request: PlanRequest) => {
    if (request.typeName === "tfe_workspace_settings") {
      const problem = settingsProblem(request.config);
      if (problem) throw new ProviderError({ severity: "error", summary: problem });
    }
    return defaultPlan(provider, request);
  },
  apply: (request: ApplyRequest) => {
    const prefix = ID_PREFIXES[request.typeName];
    if (prefix === undefined || request.planned === null || request.prior) {
      return defaultApply(provider, request);
    }
    const planned = request.planned;
    const id = planned.id === Unknown || planned.id === null ? undefined : planned.id;
    const seed = `${request.typeName}:${JSON.stringify(request.config)}`;
    return defaultApply(provider, {
      ...request,
      planned: { ...planned, id: id ?? apiId(prefix, seed) },
    });
  },
});
