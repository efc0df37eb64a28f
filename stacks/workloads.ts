import type { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TlsProvider } from "@cdktf/provider-tls/lib/provider";
import { configureStateBackend } from "../lib/backend/state-backend";
import { networkRangesOf } from "../lib/config/derived";
import type { Config, HybridConfig, StandaloneConfig } from "../lib/config/schema";
import type { ApplicationSide } from "../lib/config/sides/application-sides";
import { cloudNetworkContract } from "../lib/contract/cloud-network";
import { ContractReader } from "../lib/contract/contract";
import { onpremNetworkContract } from "../lib/contract/onprem-network";
import { WORKLOADS_STACK } from "../lib/contract/stack-names";
import { kubernetesProvider } from "../lib/k8s/cluster-providers";
import { RegistryPki } from "../lib/pki/registry-pki";
import { K3S_CA_FILE, k3sRegistriesYaml } from "../lib/registry/k3s-registries";
import { CONTAINERD_CERTS_DIR, renderHostsToml } from "../lib/registry/node-trust-files";
import { RegistryCredentials } from "../lib/registry/registry-credentials";
import { addApplicationWorkloads, type AppInputs } from "./application-workloads";
import {
  appClusterProvider,
  googleAccessToken,
  hybridAppInputs,
  hybridRegistryInputs,
  registryClusterProvider,
} from "./hybrid-inputs";
import {
  addRegistryOutputs,
  addRegistryWorkloads,
  type RegistryInputs,
} from "./registry-workloads";
import { standaloneEndpointOf } from "./settings";

export interface WorkloadsStackProps {
  readonly config: Config;
  /** The one application side (hybrid `cloud:` form). @default none (standalone) */
  readonly side?: ApplicationSide;
  /** Producer stacks in the same app, so `cdktf deploy '*'` orders them. */
  readonly onpremStack?: TerraformStack;
  readonly cloudStack?: TerraformStack;
}

/**
 * Kubernetes resources: the registry on the registry cluster and everything the one
 * application cluster needs to pull from it, or both on one existing cluster in standalone
 * mode. With several sides the registry stack and a workloads stack per side split this.
 */
export class WorkloadsStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: WorkloadsStackProps) {
    super(scope, id);
    const { config } = props;
    configureStateBackend(this, WORKLOADS_STACK, config.backend, config.environment);
    new RandomProvider(this, "random");
    const credentials = new RegistryCredentials(this, "credentials", {
      pushUsername: config.registry.pushUser,
      pullUsername: config.registry.pullUser,
    });

    const { registry, app } =
      config.mode === "standalone"
        ? this.standaloneInputs(config)
        : this.hybridInputs(config, props, credentials);

    const { server, imagesPushed } = addRegistryWorkloads(this, config, registry, credentials);
    addApplicationWorkloads(this, config, props.side?.app ?? config.app, app, {
      pull: credentials.pull,
      caCertificatePem: registry.caCertificatePem,
      imagesPushed,
    });
    // No stack reads this one's state: the push password may be a (sensitive) output.
    addRegistryOutputs(this, registry.caCertificatePem, credentials, server, "sensitive-output");
    if (config.mode === "standalone") {
      const [endpoint] = app.endpoints;
      const output = (name: string, value: string, description: string, sensitive: boolean) =>
        new TerraformOutput(this, name, { value, description, sensitive }).overrideLogicalId(name);
      output(
        "k3s_registries_yaml",
        k3sRegistriesYaml({ ...endpoint, ...credentials.pull }),
        `Content of /etc/rancher/k3s/registries.yaml; put the CA at ${K3S_CA_FILE}`,
        true,
      );
      output(
        "containerd_hosts_toml",
        renderHostsToml({
          ...endpoint,
          caFile: `${CONTAINERD_CERTS_DIR}/${endpoint.registry}/ca.crt`,
        }),
        `Content of ${CONTAINERD_CERTS_DIR}/${endpoint.registry}/hosts.toml; ca.crt beside it`,
        false,
      );
    }
  }

  private standaloneInputs(config: StandaloneConfig): { registry: RegistryInputs; app: AppInputs } {
    new TlsProvider(this, "tls");
    const provider = kubernetesProvider(this, "kubernetes", {
      kubeconfig: config.cluster.kubeconfig,
    });
    const exposure = config.registry.exposure;
    const nodeProxy = exposure.type === "clusterIP" && exposure.nodeProxy;
    const pki = new RegistryPki(this, "registry-pki", {
      registryFqdn: config.registry.fqdn,
      ipAddresses: [
        ...(exposure.type === "loadBalancer" ? [exposure.ip] : []),
        ...(nodeProxy ? ["127.0.0.1"] : []),
      ],
      additionalDnsNames: nodeProxy ? ["localhost"] : [],
      ...config.registry.pki,
    });
    return {
      registry: {
        provider,
        caCertificatePem: pki.ca.certificatePem,
        tls: { certificatePem: pki.server.certificatePem, privateKeyPem: pki.server.privateKeyPem },
        exposure,
        // NodePort and MetalLB traffic arrives from node addresses of a range the config
        // does not know; TLS and auth still guard the port.
        pullFrom: "anywhere",
      },
      app: { provider, endpoints: [standaloneEndpointOf(config)] },
    };
  }

  private hybridInputs(
    config: HybridConfig,
    props: WorkloadsStackProps,
    credentials: RegistryCredentials,
  ): { registry: RegistryInputs; app: AppInputs } {
    const { side } = props;
    if (!side) throw new Error("a hybrid workloads stack needs its application side");
    const onprem = new ContractReader(this, "onprem", {
      contract: onpremNetworkContract,
      backend: config.backend,
      environment: config.environment,
      producerStack: props.onpremStack,
    });
    const cloud = new ContractReader(this, "cloud", {
      contract: cloudNetworkContract,
      backend: config.backend,
      environment: config.environment,
      producerStack: props.cloudStack,
    });
    const token = googleAccessToken(this, {
      project: cloud.string("projectId"),
      region: cloud.string("region"),
    });
    const appProvider = appClusterProvider(this, side, cloud, token);
    const registryProvider = registryClusterProvider(this, config, onprem, token);
    return {
      registry: hybridRegistryInputs(
        this,
        config,
        onprem,
        registryProvider,
        networkRangesOf(side.cloud.network),
      ),
      // The cache's http.secret only signs upload state, and a proxy accepts no uploads:
      // sharing the registry's costs nothing.
      app: hybridAppInputs(
        this,
        config,
        side,
        { onprem, cloud },
        appProvider,
        () => credentials.httpSecret,
      ),
    };
  }
}
