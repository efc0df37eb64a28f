/** Stack names: they name the state files and workspaces, so they are part of the contract. */
export const ONPREM_NETWORK_STACK = "onprem-network";
/** The one application side's network (the `cloud:` form). */
export const CLOUD_NETWORK_STACK = "cloud-network";
/** The registry and the one side's pull access (the `cloud:` form), or standalone's all. */
export const WORKLOADS_STACK = "workloads";
/** With `sides`: the registry's workloads alone. */
export const REGISTRY_STACK = "registry";

/** With `sides`: the network stack of the side `side`. */
export function cloudNetworkStackOf(side: string): string {
  return `${CLOUD_NETWORK_STACK}-${side}`;
}

/** With `sides`: the stack giving the side `side`'s cluster pull access. */
export function sideWorkloadsStackOf(side: string): string {
  return `${WORKLOADS_STACK}-${side}`;
}

/**
 * With backend.workspaceSetup: the bootstrap stack creating the Terraform Cloud workspaces of
 * the others (run locally; it reads no contract and no stack reads it).
 */
export const TERRAFORM_CLOUD_STACK = "terraform-cloud";
