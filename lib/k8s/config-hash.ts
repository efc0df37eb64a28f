import { Fn } from "cdktf";

/** Pod-template annotation whose value changes with any config or secret input of the pods. */
export const CONFIG_HASH_ANNOTATION = "hybrid-registry/config-hash";

/**
 * A digest of everything the pods read from ConfigMaps, Secrets and env, computed by Terraform:
 * any change rolls the pods. Inputs are references and plain names only: cdktf does not escape
 * quotes in string literals inside function calls, so digest free text (scripts) first.
 */
export function configHash(inputs: unknown): string {
  return Fn.sha256(Fn.jsonencode(inputs));
}

/**
 * configHash of inputs that include secrets. The digest reveals nothing of them, so the plan
 * may show it (nonsensitive() needs a sensitive argument before Terraform 1.7: only use this
 * when a secret is among the inputs).
 */
export function secretConfigHash(inputs: unknown): string {
  return Fn.nonsensitive(configHash(inputs));
}
