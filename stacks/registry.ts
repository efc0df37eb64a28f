import type { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { configureStateBackend } from "../lib/backend/state-backend";
import { keyStoreOf } from "../lib/config/derived";
import type { HybridConfig } from "../lib/config/schema";
import { ContractReader } from "../lib/contract/contract";
import { onpremNetworkContract } from "../lib/contract/onprem-network";
import { REGISTRY_STACK } from "../lib/contract/stack-names";
import { RegistryCredentials } from "../lib/registry/registry-credentials";
import { googleAccessToken, hybridRegistryInputs, registryClusterProvider } from "./hybrid-inputs";
import { addRegistryOutputs, addRegistryWorkloads } from "./registry-workloads";

export interface RegistryStackProps {
  readonly config: HybridConfig;
  /** The onprem-network stack when it is in the same app (deploy ordering). */
  readonly onpremStack?: TerraformStack;
}

/**
 * With several application sides: the registry's workloads alone, on the registry cluster.
 * It admits onprem.applicationRanges rather than each side's ranges and publishes the pull
 * user for the sides' workloads stacks, so it reads no side's state and no side changes it.
 */
export class RegistryStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id);
    const { config } = props;
    configureStateBackend(this, REGISTRY_STACK, config.backend, config.environment);
    new RandomProvider(this, "random");
    const credentials = new RegistryCredentials(this, "credentials", {
      pushUsername: config.registry.pushUser,
      pullUsername: config.registry.pullUser,
    });
    const onprem = new ContractReader(this, "onprem", {
      contract: onpremNetworkContract,
      backend: config.backend,
      environment: config.environment,
      producerStack: props.onpremStack,
    });
    // Reads the keys onprem-network keeps and, on GKE, gives the cluster's access token.
    const token = googleAccessToken(this, keyStoreOf(config));
    const provider = registryClusterProvider(this, config, onprem, token);
    const registry = hybridRegistryInputs(
      this,
      config,
      onprem,
      provider,
      config.onprem.applicationRanges ?? [],
    );
    const { server } = addRegistryWorkloads(this, config, registry, credentials);
    addRegistryOutputs(this, registry.caCertificatePem, credentials, server, "kubectl-command");
  }
}
