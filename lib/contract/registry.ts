import { defineContract } from "./contract";
import { REGISTRY_STACK } from "./stack-names";

const value = (description: string) => ({ type: "string", sensitive: false, description }) as const;
const secret = (description: string) => ({ type: "string", sensitive: true, description }) as const;

/**
 * What the registry's workloads publish: the CA and users. With several sides the registry
 * stack publishes it and each side's workloads stack reads the pull user from it; the
 * `cloud:` form's workloads stack publishes the same outputs for people and pipelines.
 */
export const registryContract = defineContract(REGISTRY_STACK, {
  registryCaCertificatePem: value("CA clients must trust"),
  registryPushUsername: value("User for pushing images"),
  registryPushPassword: secret("Password of the pushing user"),
  registryPullUsername: value("User for pulling images"),
  registryPullPassword: secret("Password of the pulling user"),
});
