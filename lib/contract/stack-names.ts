/** Stack names: they name the state files and workspaces, so they are part of the contract. */
export const ONPREM_NETWORK_STACK = "onprem-network";
export const CLOUD_NETWORK_STACK = "cloud-network";
export const WORKLOADS_STACK = "workloads";
