/**
 * Apply and upgrade safety of the workloads stack: pods never race their pull secret, load
 * balancers fail the apply on a wrong address, the registry's claim cannot be replaced by a
 * config change, deletes stay off on the origin, the cache is bounded by a claim and a TTL, and
 * GKE's own annotations never show up as a diff.
 */
import { GKE_MANAGED_ANNOTATIONS } from "../lib/k8s/cluster-providers";
import { REGISTRY_PRIORITY } from "../lib/registry/registry-priority-class";
import { METALLB_IPS_ANNOTATIONS } from "../lib/registry/registry-service";
import { ConfigError } from "../lib/config/load";
import type { AppSection } from "../lib/config/schema";
import { applicationSidesOf } from "../lib/config/sides/application-sides";
import { configFrom, rawEnvironment, merge } from "./helpers/config";
import { SYNTH_NAMES, configOf, stacksOf, type SynthName } from "./helpers/environments";
import { resourcesOf, type StackJson } from "./helpers/json";

type Json = Record<string, unknown>;

const WORKLOAD_TYPES = [
  "kubernetes_deployment_v1",
  "kubernetes_daemon_set_v1",
  "kubernetes_job_v1",
];

function podSpecOf(workload: Json): Json {
  const spec = workload.spec as Json;
  const template = (spec.template ?? (spec.job_template as Json | undefined)) as Json;
  return template.spec as Json;
}

function imagesOf(workload: Json): string[] {
  const spec = podSpecOf(workload);
  return [...((spec.init_container as Json[]) ?? []), ...((spec.container as Json[]) ?? [])].map(
    (container) => String(container.image),
  );
}

function byName(stack: StackJson, type: string, name: string): Json {
  const found = resourcesOf(stack, type).filter(
    ([, body]) => (body.metadata as Json | undefined)?.name === name,
  );
  expect(found).toHaveLength(1);
  return found[0][1];
}

function envOf(workload: Json): Record<string, unknown> {
  const [container] = podSpecOf(workload).container as Json[];
  return Object.fromEntries(
    (container.env as Json[]).map((variable) => [variable.name, variable.value]),
  );
}

/** Each stack giving a cluster pull access, with the app section it follows. */
function pullingStacks(name: SynthName): Array<{ stack: StackJson; app: AppSection }> {
  const config = configOf(name);
  const stacks = stacksOf(name);
  if (config.mode === "standalone") return [{ stack: stacks.workloads, app: config.app }];
  return applicationSidesOf(config).map((side) => ({
    stack: stacks[side.workloadsStack],
    app: side.app,
  }));
}

describe("workloads that pull from the registry carry the pull secret and wait for it", () => {
  it.each(SYNTH_NAMES)("%s", (name) => {
    const config = configOf(name);
    for (const { stack, app } of pullingStacks(name)) {
      const registryHosts = [
        config.registry.fqdn,
        ...(config.mode === "hybrid" && app.pullThroughCache.enabled
          ? [app.pullThroughCache.fqdn]
          : []),
        "localhost:",
      ];
      const [[accountId]] = resourcesOf(stack, "kubernetes_default_service_account_v1");
      const [[secretId]] = resourcesOf(stack, "kubernetes_secret_v1").filter(
        ([, body]) => (body.metadata as Json).name === "registry-pull",
      );
      const pulling = WORKLOAD_TYPES.flatMap((type) =>
        resourcesOf(stack, type)
          .filter(([, body]) =>
            imagesOf(body).some((image) => registryHosts.some((host) => image.startsWith(host))),
          )
          .map(([id, body]) => ({ address: `${type}.${id}`, body })),
      );
      if (app.sampleApp.enabled) expect(pulling.length).toBeGreaterThan(0);
      for (const { body } of pulling) {
        expect(podSpecOf(body).image_pull_secrets).toEqual([
          { name: `\${kubernetes_secret_v1.${secretId}.metadata[0].name}` },
        ]);
        expect(body.depends_on).toEqual(
          expect.arrayContaining([`kubernetes_default_service_account_v1.${accountId}`]),
        );
      }
    }
  });
});

describe("a load balancer that got another address fails the apply", () => {
  it("MetalLB: both annotation prefixes, no spec.loadBalancerIP, a postcondition on the IP", () => {
    const service = byName(stacksOf("externalPeer").workloads, "kubernetes_service_v1", "registry");
    const annotations = (service.metadata as Json).annotations as Json;
    for (const key of METALLB_IPS_ANNOTATIONS) expect(annotations[key]).toBe("192.168.10.20");
    expect(METALLB_IPS_ANNOTATIONS).toEqual(
      expect.arrayContaining(["metallb.io/loadBalancerIPs", "metallb.universe.tf/loadBalancerIPs"]),
    );
    expect(service.spec).not.toHaveProperty("load_balancer_ip");
    expect(service.wait_for_load_balancer).toBe(true);
    const [postcondition] = (service.lifecycle as { postcondition: Json[] }).postcondition;
    expect(postcondition.condition).toBe(
      '${try(self.status[0].load_balancer[0].ingress[0].ip, "") == "192.168.10.20"}',
    );
    expect(postcondition.error_message).toContain("192.168.10.20");
    expect(postcondition.error_message).toContain("IPAddressPool");
  });

  it("standalone MetalLB: the same guard on the configured IP", () => {
    const service = byName(stacksOf("standalone").workloads, "kubernetes_service_v1", "registry");
    const [postcondition] = (service.lifecycle as { postcondition: Json[] }).postcondition;
    expect(postcondition.condition).toBe(
      '${try(self.status[0].load_balancer[0].ingress[0].ip, "") == "192.168.0.202"}',
    );
  });

  it("GKE internal load balancer: compared with the reserved IP from remote state, unquoted", () => {
    const service = byName(stacksOf("default").workloads, "kubernetes_service_v1", "registry");
    const [postcondition] = (service.lifecycle as { postcondition: Json[] }).postcondition;
    expect(postcondition.condition).toMatch(
      /^\$\{try\(self\.status\[0\]\.load_balancer\[0\]\.ingress\[0\]\.ip, ""\) == data\.terraform_remote_state\.onprem_state_\w+\.outputs\.registry_ip\}$/,
    );
  });

  it("services without a load balancer get no guard", () => {
    const service = byName(
      stacksOf("standaloneNodePort").workloads,
      "kubernetes_service_v1",
      "registry",
    );
    expect(service).not.toHaveProperty("lifecycle");
    expect(service).not.toHaveProperty("wait_for_load_balancer");
  });
});

describe("the registry's claim cannot be replaced by a config change", () => {
  const claimOf = (stack: StackJson, name = "registry-data") =>
    byName(stack, "kubernetes_persistent_volume_claim_v1", name);

  it.each(["default", "standalone", "externalPeer", "standaloneNoRetain"] as const)(
    "%s: prevent_destroy on the registry's claim",
    (name) => {
      expect(claimOf(stacksOf(name).workloads).lifecycle).toEqual({ prevent_destroy: true });
    },
  );

  it("preventDestroy: false lifts it (to destroy the stack)", () => {
    expect(claimOf(stacksOf("storageUnprotected").workloads).lifecycle).toEqual({
      prevent_destroy: false,
    });
  });

  it("upgrade path for installs made before the Retain copy: retainOnDestroy false keeps the claim's class", () => {
    // Before the Retain copy existed, a claim with storageClass: longhorn named that class
    // directly. storage_class_name forces a new claim, so the documented path keeps it.
    const spec = claimOf(stacksOf("standaloneNoRetain").workloads).spec as Json;
    expect(spec.storage_class_name).toBe("longhorn");
    expect(
      resourcesOf(stacksOf("standaloneNoRetain").workloads, "kubernetes_storage_class_v1"),
    ).toEqual([]);
  });
});

describe("deletes through the API", () => {
  it("are disabled on the origin registry", () => {
    for (const name of ["default", "standalone", "artifactRegistry"] as const) {
      const registry = byName(stacksOf(name).workloads, "kubernetes_deployment_v1", "registry");
      expect(envOf(registry).REGISTRY_STORAGE_DELETE_ENABLED).toBe("false");
    }
  });

  it("stay enabled on the pull-through cache, whose TTL expiry deletes", () => {
    const cache = byName(
      stacksOf("artifactRegistry").workloads,
      "kubernetes_deployment_v1",
      "registry-cache",
    );
    expect(envOf(cache).REGISTRY_STORAGE_DELETE_ENABLED).toBe("true");
  });
});

describe("the pull-through cache is bounded", () => {
  const stack = stacksOf("artifactRegistry").workloads;

  it("lives on an unprotected claim of 50Gi by default, with an explicit 168h TTL", () => {
    const cache = byName(stack, "kubernetes_deployment_v1", "registry-cache");
    expect(envOf(cache).REGISTRY_PROXY_TTL).toBe("168h");
    const volumes = podSpecOf(cache).volume as Json[];
    expect(volumes.find((volume) => volume.name === "data")).toEqual({
      name: "data",
      persistent_volume_claim: {
        claim_name: expect.stringMatching(
          /^\$\{kubernetes_persistent_volume_claim_v1\.pull-through-cache_storage_claim_\w+\.metadata\[0\]\.name\}$/,
        ),
      },
    });
    const claim = claimOf(stack);
    expect(claim.spec).toMatchObject({ resources: { requests: { storage: "50Gi" } } });
    expect(claim.lifecycle).toEqual({ prevent_destroy: false });
    expect(
      resourcesOf(stack, "kubernetes_storage_class_v1").map(([, body]) => body.metadata),
    ).not.toContainEqual(
      expect.objectContaining({ name: expect.stringContaining("registry-cache") }),
    );
  });

  it("takes its size, class and TTL from the config", () => {
    const custom = stacksOf("cacheCustom").workloads;
    const cache = byName(custom, "kubernetes_deployment_v1", "registry-cache");
    expect(envOf(cache).REGISTRY_PROXY_TTL).toBe("72h");
    expect(claimOf(custom, "registry-cache-data").spec).toMatchObject({
      storage_class_name: "premium-rwo",
      resources: { requests: { storage: "200Gi" } },
    });
  });

  it("refuses a TTL Distribution cannot parse, and says what replaced storageLimit", () => {
    const base = rawEnvironment("__tests__/fixtures/artifact-registry.yaml");
    const problems = (patch: Json) => {
      try {
        configFrom(merge(base, { app: { pullThroughCache: patch } }));
      } catch (error) {
        if (error instanceof ConfigError) return error.message;
        throw error;
      }
      return "";
    };
    expect(problems({ ttl: "7 days" })).toContain("app.pullThroughCache.ttl");
    const retired = problems({ storageLimit: "10Gi" });
    expect(retired).toContain("app.pullThroughCache.storageLimit");
    expect(retired).toContain("renamed to app.pullThroughCache.storageSize");
  });

  function claimOf(stackJson: StackJson, name = "registry-cache-data"): Json {
    return byName(stackJson, "kubernetes_persistent_volume_claim_v1", name);
  }
});

describe("GKE's own Service annotations never show as a diff", () => {
  it("every provider of a GKE cluster ignores the NEG annotations", () => {
    const providers = stacksOf("default").workloads.provider?.kubernetes ?? [];
    expect(providers).toHaveLength(2);
    for (const provider of providers) {
      expect(provider.ignore_annotations).toEqual(GKE_MANAGED_ANNOTATIONS);
    }
    const [pattern] = GKE_MANAGED_ANNOTATIONS;
    const regex = new RegExp(pattern);
    expect(regex.test("cloud.google.com/neg")).toBe(true);
    expect(regex.test("cloud.google.com/neg-status")).toBe(true);
    expect(regex.test("cloud.google.com/load-balancer-type")).toBe(false);
  });

  it("a kubeconfig cluster (not GKE) keeps every annotation in view", () => {
    const [provider] = stacksOf("standalone").workloads.provider?.kubernetes ?? [];
    expect(provider).not.toHaveProperty("ignore_annotations");
  });
});

describe("certificates warn before they need an apply", () => {
  it.each(["default", "artifactRegistry", "externalPeer", "standalone"] as const)(
    "%s: a check block on the stack that holds the PKI",
    (name) => {
      const stacks = stacksOf(name) as Record<
        string,
        StackJson & { check?: Record<string, { assert: Json[] }> }
      >;
      const holder = name === "standalone" ? stacks.workloads : stacks["onprem-network"];
      const asserts = holder.check?.registry_certificate_renewal.assert ?? [];
      const watched = asserts.map(
        (a) => /(tls_\w+)\.[\w-]+\.validity_end_time/.exec(String(a.condition))?.[1],
      );
      expect(watched).toEqual(
        name === "artifactRegistry"
          ? ["tls_locally_signed_cert", "tls_locally_signed_cert", "tls_self_signed_cert"]
          : ["tls_locally_signed_cert", "tls_self_signed_cert"],
      );
      // 30 days' notice before the 30-day renewal window: warnings start 60 days before expiry.
      expect(String(asserts[0].condition)).toContain('"-1440h"');
      expect(String(asserts[0].error_message)).toContain("renews it");
    },
  );
});

describe("the CA-trust DaemonSet refuses nodes whose containerd ignores certs.d", () => {
  const stack = stacksOf("standaloneNodePort").workloads;
  const daemonSet = byName(stack, "kubernetes_daemon_set_v1", "registry-ca-trust");
  const [init] = podSpecOf(daemonSet).init_container as Json[];

  it("checks config_path before installing, with the message in the pod's status", () => {
    const script = (init.command as string[])[2];
    expect(script.indexOf("config_path")).toBeGreaterThan(-1);
    expect(script.indexOf("config_path")).toBeLessThan(script.indexOf("mkdir -p"));
    expect(init.termination_message_policy).toBe("FallbackToLogsOnError");
    expect(init.env).toEqual([{ name: "ASSUME_CONFIG_PATH", value: "false" }]);
  });

  it("reads the node's containerd config read-only and never writes it", () => {
    expect(init.volume_mount).toContainEqual({
      name: "containerd-config",
      mount_path: "/host/etc/containerd",
      read_only: true,
    });
    expect(podSpecOf(daemonSet).volume).toContainEqual({
      name: "containerd-config",
      host_path: { path: "/etc/containerd", type: "DirectoryOrCreate" },
    });
  });
});

describe("seeding is stable and configurable", () => {
  const jobOf = (name: Parameters<typeof stacksOf>[0]) => {
    const [[, job]] = resourcesOf(stacksOf(name).workloads, "kubernetes_job_v1");
    return job;
  };
  const commandOf = (job: Json) => ((podSpecOf(job).container as Json[])[0].command as string[])[2];

  it("keeps the finished Job (no TTL) under a name that changes with the image list", () => {
    const job = jobOf("default");
    expect(job.spec).not.toHaveProperty("ttl_seconds_after_finished");
    expect((job.metadata as Json).name).toMatch(/^registry-seed-[0-9a-f]{8}$/);
    expect((jobOf("seedLoginOnePlatform").metadata as Json).name).not.toBe(
      (job.metadata as Json).name,
    );
  });

  it("copies all platforms anonymously by default", () => {
    const command = commandOf(jobOf("default"));
    expect(command).toContain("skopeo copy --all --retry-times 5");
    expect(command).not.toContain("--src-authfile");
  });

  it("copies one platform by digest with a login whose password is a sensitive variable", () => {
    const stack = stacksOf("seedLoginOnePlatform").workloads as StackJson & {
      variable?: Record<string, Json>;
    };
    const command = commandOf(jobOf("seedLoginOnePlatform"));
    expect(command).toContain(
      "skopeo --override-os linux --override-arch arm64 copy --retry-times 5",
    );
    expect(command).not.toContain("--all");
    expect(command).toContain("--src-authfile /auth/source.json");
    expect(command).toContain(
      `docker://docker.io/library/nginx@sha256:${"0123456789abcdef".repeat(4)}`,
    );
    expect(stack.variable?.seed_source_password).toMatchObject({ sensitive: true, type: "string" });
    const auth = byName(stack, "kubernetes_secret_v1", "registry-seed-auth");
    expect(String((auth.data as Json)["source.json"])).toContain("var.seed_source_password");
    expect(String((auth.data as Json)["source.json"])).toContain('"docker.io"');
  });

  it("refuses a platform skopeo cannot select", () => {
    const raw = merge(rawEnvironment("environments/example.yaml"), {
      registry: { seedPlatform: "linux/amd64,linux/arm64" },
    });
    expect(() => configFrom(raw)).toThrow(/registry\.seedPlatform: must be all or one platform/);
  });
});

describe("NetworkPolicy in the registry namespace", () => {
  const policyOf = (name: Parameters<typeof stacksOf>[0]) =>
    byName(stacksOf(name).workloads, "kubernetes_network_policy_v1", "registry-ingress");

  it("hybrid: the registry port only from both sides' ranges and the seeding Job, metrics only from monitoring", () => {
    const spec = policyOf("default").spec as Json;
    expect(spec).toMatchObject({
      pod_selector: { match_labels: { "app.kubernetes.io/name": "registry" } },
      policy_types: ["Ingress"],
    });
    const [registryRule, metricsRule] = spec.ingress as Json[];
    expect(registryRule.ports).toEqual([{ port: "5000", protocol: "TCP" }]);
    expect(registryRule.from).toEqual([
      ...[
        "10.0.0.0/24",
        "10.100.0.0/16",
        "10.101.0.0/20",
        "10.0.1.0/24",
        "10.110.0.0/16",
        "10.111.0.0/20",
      ].map((cidr) => ({ ip_block: { cidr } })),
      { pod_selector: { match_labels: { "app.kubernetes.io/name": "registry-seed" } } },
    ]);
    expect(metricsRule).toEqual({
      ports: [{ port: "5001", protocol: "TCP" }],
      from: [
        {
          namespace_selector: {
            match_expressions: [
              {
                key: "kubernetes.io/metadata.name",
                operator: "In",
                values: ["monitoring", "gmp-system"],
              },
            ],
          },
        },
      ],
    });
  });

  it("external site: the site's networks instead of the simulated VPC's", () => {
    const [registryRule] = (policyOf("externalPeer").spec as Json).ingress as Json[];
    expect(registryRule.from).toContainEqual({ ip_block: { cidr: "192.168.10.0/24" } });
  });

  it("standalone: the registry port from any source (node addresses are not known), metrics still restricted", () => {
    const [registryRule, metricsRule] = (policyOf("standalone").spec as Json).ingress as Json[];
    expect(registryRule).not.toHaveProperty("from");
    expect(metricsRule.from).toBeDefined();
    expect(JSON.stringify(stacksOf("standalone").workloads)).not.toContain("0.0.0.0/0");
  });
});

describe("the registry outlasts ordinary pods under node pressure", () => {
  it.each(["default", "standalone", "artifactRegistry"] as const)(
    "%s: a PriorityClass per cluster that the registry (and cache) pods use",
    (name) => {
      const stack = stacksOf(name).workloads;
      const classes = resourcesOf(stack, "kubernetes_priority_class_v1").map(([id, body]) => ({
        id,
        body,
      }));
      expect(classes.length).toBe(name === "artifactRegistry" ? 2 : 1);
      for (const { body } of classes) {
        expect(body).toMatchObject({
          value: REGISTRY_PRIORITY,
          global_default: false,
          preemption_policy: "PreemptLowerPriority",
        });
      }
      for (const deployment of [
        "registry",
        ...(name === "artifactRegistry" ? ["registry-cache"] : []),
      ]) {
        const spec = podSpecOf(byName(stack, "kubernetes_deployment_v1", deployment));
        expect(spec.priority_class_name).toMatch(
          /^\$\{kubernetes_priority_class_v1\.\S+\.metadata\[0\]\.name\}$/,
        );
      }
    },
  );
});
