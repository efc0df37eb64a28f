import { defineContract } from "./contract";
import { REGISTRY_STACK } from "./stack-names";

const value = (description: string) => ({ type: "string", sensitive: false, description }) as const;
const secret = (description: string) => ({ type: "string", sensitive: true, description }) as const;

/**
 * What the registry's workloads publish for the application sides: the CA and the pull user,
 * nothing more. With several sides each side's workloads stack reads it, and a remote-state
 * read copies every output of the producer into the reader's state: the push user's password
 * is never one of them (see `registryPushOutputs`). The `cloud:` form's workloads stack
 * publishes the same outputs for people and pipelines.
 */
export const registryContract = defineContract(REGISTRY_STACK, {
  registryCaCertificatePem: value("CA clients must trust"),
  registryPullUsername: value("User for pulling images"),
  registryPullPassword: secret("Password of the pulling user"),
});
