import type { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { Password } from "@cdktf/provider-random/lib/password";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { configureStateBackend } from "../lib/backend/state-backend";
import type { HybridConfig } from "../lib/config/schema";
import type { ApplicationSide } from "../lib/config/sides/application-sides";
import { cloudNetworkContractOf } from "../lib/contract/cloud-network";
import { ContractReader } from "../lib/contract/contract";
import { onpremNetworkContract } from "../lib/contract/onprem-network";
import { registryContract } from "../lib/contract/registry";
import { addApplicationWorkloads } from "./application-workloads";
import { appClusterProvider, googleAccessToken, hybridAppInputs } from "./hybrid-inputs";

export interface SideWorkloadsStackProps {
  readonly config: HybridConfig;
  readonly side: ApplicationSide;
  /** Producer stacks in the same app, so `cdktf deploy '*'` orders them. */
  readonly onpremStack?: TerraformStack;
  readonly cloudStack?: TerraformStack;
  readonly registryStack?: TerraformStack;
}

/**
 * With several application sides: what one side's cluster needs to pull from the registry
 * (pull secret, cache, sample app, CA trust), reading the registry's pull user from the
 * registry stack's state. Nothing here is read by another stack.
 */
export class SideWorkloadsStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: SideWorkloadsStackProps) {
    super(scope, id);
    const { config, side } = props;
    configureStateBackend(this, side.workloadsStack, config.backend, config.environment);
    new RandomProvider(this, "random");
    const onprem = new ContractReader(this, "onprem", {
      contract: onpremNetworkContract,
      backend: config.backend,
      environment: config.environment,
      producerStack: props.onpremStack,
    });
    const cloud = new ContractReader(this, "cloud", {
      contract: cloudNetworkContractOf(side.networkStack),
      backend: config.backend,
      environment: config.environment,
      producerStack: props.cloudStack,
    });
    const registry = new ContractReader(this, "registry", {
      contract: registryContract,
      backend: config.backend,
      environment: config.environment,
      producerStack: props.registryStack,
    });
    const token = googleAccessToken(this, {
      project: cloud.string("projectId"),
      region: cloud.string("region"),
    });
    const provider = appClusterProvider(this, side, cloud, token);
    const inputs = hybridAppInputs(
      this,
      config,
      side,
      { onprem, cloud },
      provider,
      // Signs upload state only, which a proxy never holds: the side's own.
      () => new Password(this, "cache-http-secret", { length: 48, special: false }).result,
    );
    addApplicationWorkloads(this, config, side.app, inputs, {
      pull: {
        username: registry.string("registryPullUsername"),
        password: registry.string("registryPullPassword"),
      },
      caCertificatePem: onprem.string("caCertificatePem"),
    });
  }
}
