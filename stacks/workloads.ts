import type { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import type { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { DataGoogleClientConfig } from "@cdktf/provider-google/lib/data-google-client-config";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { configureStateBackend } from "../lib/backend/state-backend";
import type { Config, HybridConfig, StandaloneConfig } from "../lib/config/schema";
import { cloudNetworkContract } from "../lib/contract/cloud-network";
import { ContractReader } from "../lib/contract/contract";
import { onpremNetworkContract } from "../lib/contract/onprem-network";
import { WORKLOADS_STACK } from "../lib/contract/stack-names";
import { kubernetesProvider } from "../lib/k8s/cluster-providers";

export interface WorkloadsStackProps {
  readonly config: Config;
  /** Producer stacks in the same app, so `cdktf deploy '*'` orders them. */
  readonly onpremStack?: TerraformStack;
  readonly cloudStack?: TerraformStack;
}

/** The two clusters this stack manages; one and the same in standalone mode. */
interface ClusterProviders {
  readonly registry: KubernetesProvider;
  readonly app: KubernetesProvider;
}

/**
 * Kubernetes resources: the registry on the registry cluster and everything the application
 * cluster needs to pull from it, or both on one existing cluster in standalone mode.
 */
export class WorkloadsStack extends TerraformStack {
  public readonly providers: ClusterProviders;

  constructor(scope: Construct, id: string, props: WorkloadsStackProps) {
    super(scope, id);
    const { config } = props;
    configureStateBackend(this, WORKLOADS_STACK, config.backend);
    new RandomProvider(this, "random");
    this.providers =
      config.mode === "standalone"
        ? this.standaloneProviders(config)
        : this.hybridProviders(config, props);
  }

  private standaloneProviders(config: StandaloneConfig): ClusterProviders {
    const provider = kubernetesProvider(this, "kubernetes", {
      kubeconfig: config.cluster.kubeconfig,
    });
    return { registry: provider, app: provider };
  }

  private hybridProviders(config: HybridConfig, props: WorkloadsStackProps): ClusterProviders {
    const onprem = new ContractReader(this, "onprem", {
      contract: onpremNetworkContract,
      backend: config.backend,
      producerStack: props.onpremStack,
    });
    const cloud = new ContractReader(this, "cloud", {
      contract: cloudNetworkContract,
      backend: config.backend,
      producerStack: props.cloudStack,
    });
    new GoogleProvider(this, "google", {
      project: cloud.string("projectId"),
      region: cloud.string("region"),
    });
    const token = new DataGoogleClientConfig(this, "client-config").accessToken;
    const app = kubernetesProvider(
      this,
      "kubernetes-app",
      {
        gke: {
          endpoint: cloud.string("clusterEndpoint"),
          caCertificate: cloud.string("clusterCaCertificate"),
          token,
        },
      },
      "app",
    );
    const registry = kubernetesProvider(
      this,
      "kubernetes-registry",
      config.onprem.mode === "simulated"
        ? {
            gke: {
              endpoint: onprem.string("clusterEndpoint"),
              caCertificate: onprem.string("clusterCaCertificate"),
              token,
            },
          }
        : { kubeconfig: config.onprem.kubeconfig },
      "registry",
    );
    return { registry, app };
  }
}
