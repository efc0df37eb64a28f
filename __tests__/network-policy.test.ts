/**
 * NetworkPolicy that is enforced: each GKE cluster's enforcement (`cluster.networkPolicy`), the
 * pull-through cache's policy, and the debug listener (metrics and Go's pprof on port 5001)
 * admitted only from the metrics namespaces (kubelet's probes come from the pod's own node,
 * which every enforcement admits without a rule).
 */
import { Testing, TerraformStack } from "cdktf";
import { ConfigError } from "../lib/config/load";
import { REGISTRY_CONTAINER_PORT } from "../lib/registry/ports";
import {
  RegistryNetworkPolicy,
  pullSourcesOn,
  type RegistryNetworkPolicyProps,
} from "../lib/registry/registry-network-policy";
import { REGISTRY_DEBUG_PORT } from "../lib/registry/distribution-listeners";
import { cloudOf, configFrom, merge, rawEnvironment } from "./helpers/config";
import { ENVIRONMENTS, SYNTH_NAMES, configOf, stacksOf } from "./helpers/environments";
import { resourcesOf, type StackJson } from "./helpers/json";
import { synthesizeInProcess } from "./helpers/synth-process";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { addApplicationWorkloads } from "../stacks/application-workloads";
import { hybridAppInputs, hybridRegistryInputs } from "../stacks/hybrid-inputs";
import { applicationSidesOf } from "../lib/config/sides/application-sides";
import { ContractReader, type Contract, type OutputSpecs } from "../lib/contract/contract";
import { cloudNetworkContract } from "../lib/contract/cloud-network";
import { onpremNetworkContract } from "../lib/contract/onprem-network";

type Json = Record<string, unknown>;

const DEBUG = String(REGISTRY_DEBUG_PORT);
const SERVER = String(REGISTRY_CONTAINER_PORT);
const ENFORCEMENT_ARGS = ["datapath_provider", "network_policy", "addons_config"] as const;

/** The one GKE cluster of a stack. */
function clusterOf(stack: StackJson): Json {
  const clusters = resourcesOf(stack, "google_container_cluster");
  expect(clusters).toHaveLength(1);
  return clusters[0][1];
}

/** The NetworkPolicy named `name` in a stack. */
function policyOf(stack: StackJson, name: string): Json {
  const found = resourcesOf(stack, "kubernetes_network_policy_v1").filter(
    ([, body]) => (body.metadata as Json).name === name,
  );
  expect(found).toHaveLength(1);
  return found[0][1];
}

function rulesOf(policy: Json): Json[] {
  return ((policy.spec as Json).ingress as Json[] | undefined) ?? [];
}

function portsOf(rule: Json): string[] {
  return ((rule.ports as Json[] | undefined) ?? []).map((port) => String(port.port));
}

/** The rules admitting `port`; a rule without ports admits every port. */
function rulesFor(policy: Json, port: string): Json[] {
  return rulesOf(policy).filter((rule) => {
    const ports = portsOf(rule);
    return ports.length === 0 || ports.includes(port);
  });
}

const metricsFrom = (namespaces: string[]) => [
  {
    namespace_selector: {
      match_expressions: [
        { key: "kubernetes.io/metadata.name", operator: "In", values: namespaces },
      ],
    },
  },
];

/** An environment with some settings changed, synthesized here (the shared set stays small). */
function synthesized(base: keyof typeof ENVIRONMENTS, patch: Json): Record<string, StackJson> {
  const [stacks] = synthesizeInProcess([
    configFrom(merge(rawEnvironment(ENVIRONMENTS[base]), patch)),
  ]);
  return stacks;
}

describe("cluster.networkPolicy", () => {
  it("defaults to calico on both sides: existing clusters are not replaced", () => {
    const config = configOf("default");
    if (config.mode !== "hybrid" || config.onprem.mode !== "simulated") throw new Error("hybrid");
    expect(config.onprem.cluster.networkPolicy).toBe("calico");
    expect(cloudOf(config).cluster.networkPolicy).toBe("calico");
  });

  it("calico: the network policy addon and its node setting, the datapath left as it is", () => {
    for (const stack of [
      stacksOf("default")["onprem-network"],
      stacksOf("default")["cloud-network"],
    ]) {
      const cluster = clusterOf(stack);
      expect(cluster.network_policy).toEqual({ enabled: true, provider: "CALICO" });
      expect(cluster.addons_config).toEqual({ network_policy_config: { disabled: false } });
      // Unset, so a cluster created on the legacy datapath has no diff (datapath is ForceNew).
      expect(cluster).not.toHaveProperty("datapath_provider");
    }
  });

  it("every side of a many-sides environment gets the setting of its own cluster", () => {
    for (const [name, stack] of Object.entries(stacksOf("threeSides"))) {
      if (!resourcesOf(stack, "google_container_cluster").length) continue;
      expect([name, clusterOf(stack).network_policy]).toEqual([
        name,
        { enabled: true, provider: "CALICO" },
      ]);
    }
  });

  describe("dataplane-v2 on-prem, none in the cloud", () => {
    let stacks: Record<string, StackJson>;
    beforeAll(() => {
      stacks = synthesized("artifactRegistry", {
        onprem: { cluster: { networkPolicy: "dataplane-v2" } },
        cloud: { cluster: { networkPolicy: "none" } },
        registry: { networkPolicy: { metricsNamespaces: ["prometheus"] } },
      });
    });

    it("dataplane-v2: the advanced datapath and neither Calico setting", () => {
      const cluster = clusterOf(stacks["onprem-network"]);
      expect(cluster.datapath_provider).toBe("ADVANCED_DATAPATH");
      expect(cluster).not.toHaveProperty("network_policy");
      expect(cluster).not.toHaveProperty("addons_config");
    });

    it("none: no enforcement argument at all (the cluster as before this setting)", () => {
      const cluster = clusterOf(stacks["cloud-network"]);
      for (const argument of ENFORCEMENT_ARGS) expect(cluster).not.toHaveProperty(argument);
    });

    it("dataplane-v2: the registry port admits every source, the debug port still only the scrapers", () => {
      const policy = policyOf(stacks.workloads, "registry-ingress");
      const [server] = rulesFor(policy, SERVER);
      expect(server).toEqual({ ports: [{ port: SERVER, protocol: "TCP" }] });
      expect(rulesFor(policy, DEBUG)).toEqual([
        { ports: [{ port: DEBUG, protocol: "TCP" }], from: metricsFrom(["prometheus"]) },
      ]);
    });

    it("none: the cache's policy keeps its ranges (inert until enforcement is on) and the configured scrapers", () => {
      const policy = policyOf(stacks.workloads, "registry-cache-ingress");
      const [server] = rulesFor(policy, SERVER);
      expect(server.from).toContainEqual({ ip_block: { cidr: "10.0.1.0/24" } });
      expect(rulesFor(policy, DEBUG)[0].from).toEqual(metricsFrom(["prometheus"]));
    });
  });

  it.each([
    ["dataplane-v2", "anywhere"],
    ["calico", ["10.0.1.0/24", "10.110.0.0/16", "10.111.0.0/20"]],
    ["none", ["10.0.1.0/24", "10.110.0.0/16", "10.111.0.0/20"]],
  ])(
    "the cache's sources follow its own cluster's enforcement (%s): its nodes pull, and Cilium's ipBlock selects no node",
    (networkPolicy, expected) => {
      const config = configFrom(
        merge(rawEnvironment(ENVIRONMENTS.artifactRegistry), {
          cloud: { cluster: { networkPolicy } },
        }),
      );
      if (config.mode !== "hybrid") throw new Error("hybrid");
      // The inputs the side's workloads are built from, without synthesizing the app.
      const stack = new TerraformStack(Testing.app(), "inputs");
      const reader = <S extends OutputSpecs>(id: string, contract: Contract<S>) =>
        new ContractReader(stack, id, {
          contract,
          backend: config.backend,
          environment: config.environment,
        });
      const [side] = applicationSidesOf(config);
      const inputs = hybridAppInputs(
        stack,
        config,
        side,
        {
          onprem: reader("onprem", onpremNetworkContract),
          cloud: reader("cloud", cloudNetworkContract),
        },
        new KubernetesProvider(stack, "kubernetes", {}),
        () => "secret",
      );
      expect(inputs.cache?.pullFrom).toEqual(expected);
      // The registry's cluster stayed on calico: its ranges are kept.
      const registry = hybridRegistryInputs(
        stack,
        config,
        reader("onprem-registry", onpremNetworkContract),
        new KubernetesProvider(stack, "kubernetes-registry", { alias: "registry" }),
        ["10.0.1.0/24"],
      );
      expect(registry.pullFrom).toContain("10.0.0.0/24");
    },
  );

  it("pullSourcesOn: ranges except on Dataplane V2", () => {
    expect(pullSourcesOn("calico", ["10.0.0.0/24"])).toEqual(["10.0.0.0/24"]);
    expect(pullSourcesOn("none", ["10.0.0.0/24"])).toEqual(["10.0.0.0/24"]);
    expect(pullSourcesOn("dataplane-v2", ["10.0.0.0/24"])).toBe("anywhere");
  });

  it("refuses anything but one of the three values, naming them (Calico and Dataplane V2 cannot be combined)", () => {
    for (const value of ["cilium", "calico+dataplane-v2", true]) {
      const raw = merge(rawEnvironment("environments/example.yaml"), {
        onprem: { cluster: { networkPolicy: value } },
      });
      expect(() => configFrom(raw)).toThrow(ConfigError);
      expect(() => configFrom(raw)).toThrow(
        /onprem\.cluster\.networkPolicy: must be one of "calico", "dataplane-v2", "none"/,
      );
    }
  });

  it("standalone has no such setting: enforcement is the cluster's own CNI", () => {
    const raw = merge(rawEnvironment("environments/standalone-k3s.yaml"), {
      cluster: { networkPolicy: "calico" },
    });
    expect(() => configFrom(raw)).toThrow(/cluster\.networkPolicy: is not a known setting/);
  });
});

describe("the pull-through cache's NetworkPolicy", () => {
  const policy = () => policyOf(stacksOf("artifactRegistry").workloads, "registry-cache-ingress");

  it("selects the cache's pods in the cache's namespace", () => {
    const { metadata, spec } = policy() as { metadata: Json; spec: Json };
    const namespace = stacksOf("artifactRegistry").workloads.resource?.kubernetes_namespace_v1?.[
      "cache-namespace"
    ] as Json;
    expect((namespace.metadata as Json).name).toBe("registry-cache");
    expect(metadata.namespace).toBe("${kubernetes_namespace_v1.cache-namespace.metadata[0].name}");
    expect(metadata.labels).toMatchObject({ "app.kubernetes.io/name": "registry-cache" });
    expect(spec).toMatchObject({
      pod_selector: { match_labels: { "app.kubernetes.io/name": "registry-cache" } },
      policy_types: ["Ingress"],
    });
  });

  it("admits the cache port only from the application network, and no pushing pods", () => {
    expect(rulesFor(policy(), SERVER)).toEqual([
      {
        ports: [{ port: SERVER, protocol: "TCP" }],
        from: ["10.0.1.0/24", "10.110.0.0/16", "10.111.0.0/20"].map((cidr) => ({
          ip_block: { cidr },
        })),
      },
    ]);
  });

  it("admits the debug port only from the metrics namespaces, and no other port", () => {
    expect(rulesFor(policy(), DEBUG)).toEqual([
      {
        ports: [{ port: DEBUG, protocol: "TCP" }],
        from: metricsFrom(["monitoring", "gmp-system"]),
      },
    ]);
    expect(rulesOf(policy()).flatMap(portsOf).sort()).toEqual([SERVER, DEBUG]);
  });

  it.each([
    [true, ["registry-cache-ingress"]],
    [false, []],
  ])("follows registry.networkPolicy.enabled (%s)", (enabled, expected) => {
    const config = configFrom(
      merge(rawEnvironment(ENVIRONMENTS.artifactRegistry), {
        registry: { networkPolicy: { enabled } },
      }),
    );
    // Only the application side's workloads, from fixed inputs: a whole app is not needed.
    const stack = new TerraformStack(Testing.app(), "app");
    const provider = new KubernetesProvider(stack, "kubernetes", {});
    addApplicationWorkloads(
      stack,
      config,
      config.app,
      {
        provider,
        endpoints: [
          { registry: "cache.example.internal", endpoint: "https://cache.example.internal" },
        ],
        cache: {
          tls: { certificatePem: "certificate", privateKeyPem: "key" },
          ip: "10.0.1.20",
          sourceRanges: ["10.0.1.0/24"],
          pullFrom: ["10.0.1.0/24"],
          httpSecret: "secret",
        },
      },
      { pull: { username: "puller", password: "password" }, caCertificatePem: "ca" },
    );
    const json = JSON.parse(Testing.synth(stack)) as StackJson;
    const names = (type: string) =>
      resourcesOf(json, type).map(([, body]) => (body.metadata as Json).name);
    expect(names("kubernetes_deployment_v1")).toContain("registry-cache");
    expect(names("kubernetes_network_policy_v1")).toEqual(expected);
  });
});

describe("the debug listener (port 5001: metrics and pprof)", () => {
  const configs = new Map(SYNTH_NAMES.map((name) => [name, configOf(name)] as const));
  /** Every environment's NetworkPolicies, with where they are and the environment's config. */
  const policies = [...configs].flatMap(([name, config]) =>
    Object.entries(stacksOf(name)).flatMap(([stack, json]) =>
      resourcesOf(json, "kubernetes_network_policy_v1").map(
        ([id, body]) => [`${name}/${stack}/${id}`, body, config] as const,
      ),
    ),
  );

  it("is admitted by every policy only from the metrics namespaces (no ipBlock, no pod, no open rule)", () => {
    expect(policies.length).toBeGreaterThan(0);
    for (const [where, policy, config] of policies) {
      const namespaces = config.registry.networkPolicy.metricsNamespaces as string[];
      expect([where, rulesFor(policy, DEBUG)]).toEqual([
        where,
        [{ ports: [{ port: DEBUG, protocol: "TCP" }], from: metricsFrom(namespaces) }],
      ]);
    }
  });

  it("is guarded wherever it listens: every Deployment exposing it is selected by a policy of its namespace", () => {
    for (const name of SYNTH_NAMES) {
      if (!configs.get(name)?.registry.networkPolicy.enabled) continue;
      for (const [stack, json] of Object.entries(stacksOf(name))) {
        const inStack = resourcesOf(json, "kubernetes_network_policy_v1").map(([, body]) => body);
        for (const [id, deployment] of resourcesOf(json, "kubernetes_deployment_v1")) {
          const template = (deployment.spec as Json).template as Json;
          const containers = ((template.spec as Json).container as Json[]) ?? [];
          const exposes = containers.some((container) =>
            ((container.port as Json[] | undefined) ?? []).some(
              (port) => port.container_port === REGISTRY_DEBUG_PORT,
            ),
          );
          if (!exposes) continue;
          const labels = (template.metadata as Json).labels as Record<string, string>;
          const namespace = (deployment.metadata as Json).namespace;
          const guarded = inStack.some((policy) => {
            const selector = ((policy.spec as Json).pod_selector as Json).match_labels as Record<
              string,
              string
            >;
            return (
              (policy.metadata as Json).namespace === namespace &&
              Object.entries(selector).every(([key, value]) => labels[key] === value)
            );
          });
          expect([`${name}/${stack}/${id}`, guarded]).toEqual([`${name}/${stack}/${id}`, true]);
        }
      }
    }
  });

  it("is probed by kubelet (from the pod's node, admitted without a rule), not through the network", () => {
    const deployments = resourcesOf(
      stacksOf("artifactRegistry").workloads,
      "kubernetes_deployment_v1",
    );
    const probed = deployments.flatMap(([, deployment]) =>
      (
        ((((deployment.spec as Json).template as Json).spec as Json).container as Json[]) ?? []
      ).flatMap((container) =>
        ["liveness_probe", "readiness_probe", "startup_probe"].flatMap((probe) => {
          const body = container[probe] as Json | undefined;
          const target =
            (body?.http_get as Json | undefined) ??
            ((body?.tcp_socket as Json[] | undefined) ?? [])[0];
          return target && String(target.port) === DEBUG ? [probe] : [];
        }),
      ),
    );
    // The registry's and the cache's Distribution containers both probe the debug port.
    expect(probed.length).toBeGreaterThanOrEqual(2);
  });
});

describe("RegistryNetworkPolicy", () => {
  const BASE: RegistryNetworkPolicyProps = {
    namespace: "registry",
    registryPods: { "app.kubernetes.io/name": "registry" },
    registryPort: REGISTRY_CONTAINER_PORT,
    metricsPort: REGISTRY_DEBUG_PORT,
    pullFrom: ["10.0.0.0/24"],
    pushPods: { "app.kubernetes.io/name": "registry-seed" },
    metricsNamespaces: ["monitoring"],
  };

  function specOf(props: RegistryNetworkPolicyProps): Json {
    const stack = new TerraformStack(Testing.app(), "test");
    new RegistryNetworkPolicy(stack, "policy", props);
    const json = JSON.parse(Testing.synth(stack)) as StackJson;
    return resourcesOf(json, "kubernetes_network_policy_v1")[0][1];
  }

  it("keeps the registry's name and labels by default", () => {
    expect(specOf(BASE).metadata).toMatchObject({
      name: "registry-ingress",
      labels: { "app.kubernetes.io/name": "registry" },
    });
  });

  it("names itself after the server it guards", () => {
    const policy = specOf({ ...BASE, name: "registry-cache", pushPods: undefined });
    expect(policy.metadata).toMatchObject({
      name: "registry-cache-ingress",
      labels: { "app.kubernetes.io/name": "registry-cache" },
    });
    expect(rulesFor(policy, SERVER)[0].from).toEqual([{ ip_block: { cidr: "10.0.0.0/24" } }]);
  });

  it("leaves the port to the node when no source is admitted (an empty `from` would admit all)", () => {
    const policy = specOf({ ...BASE, pullFrom: [], pushPods: undefined, metricsNamespaces: [] });
    expect((policy.spec as Json).policy_types).toEqual(["Ingress"]);
    expect(rulesOf(policy)).toEqual([]);
  });
});
