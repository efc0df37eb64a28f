import { Fn } from "cdktf";

/** Pod-template annotation whose value changes with any config or secret input of the pods. */
export const CONFIG_HASH_ANNOTATION = "hybrid-registry/config-hash";

/**
 * A digest of everything the pods read from ConfigMaps, Secrets and env, computed by Terraform:
 * any change rolls the pods. The digest reveals nothing of the secrets in it, so the plan may
 * show it. Inputs are references and plain names only: cdktf does not escape quotes in string
 * literals inside function calls, so digest free text (scripts) before passing it.
 */
export function configHash(inputs: unknown): string {
  return Fn.nonsensitive(Fn.sha256(Fn.jsonencode(inputs)));
}
