import { CONFIG_HASH_ANNOTATION } from "../lib/k8s/config-hash";
import {
  GKE_INTERNAL_LB_ANNOTATION,
  METALLB_IPS_ANNOTATIONS,
} from "../lib/registry/registry-service";
import { stacksOf, type EnvironmentName, type SynthName } from "./helpers/environments";
import { allStrings, resourcesOf, type StackJson } from "./helpers/json";

type Json = Record<string, unknown>;

function byName(stack: StackJson, type: string, name: string): Json {
  const found = resourcesOf(stack, type).filter(
    ([, body]) => (body.metadata as Json | undefined)?.name === name,
  );
  expect(found).toHaveLength(1);
  return found[0][1];
}

function podSpec(workload: Json): Json {
  return ((workload.spec as Json).template as Json).spec as Json;
}

function containers(workload: Json, key = "container"): Json[] {
  return (podSpec(workload)[key] as Json[] | undefined) ?? [];
}

function env(container: Json): Record<string, unknown> {
  return Object.fromEntries(
    (container.env as Json[]).map((variable) => [
      variable.name,
      variable.value ?? variable.value_from,
    ]),
  );
}

function hashAnnotation(workload: Json): string {
  const metadata = ((workload.spec as Json).template as Json).metadata as Json;
  return String((metadata.annotations as Json)[CONFIG_HASH_ANNOTATION]);
}

const workloads = (environment: SynthName) => stacksOf(environment).workloads;

describe("workloads (GKE mode)", () => {
  const stack = workloads("default");
  const deployment = byName(stack, "kubernetes_deployment_v1", "registry");
  const [registry, proxy] = containers(deployment);
  const registryEnv = env(registry);
  const nginxConf = String(
    (byName(stack, "kubernetes_config_map_v1", "registry-auth-proxy").data as Json)["nginx.conf"],
  );

  it("configures two aliased kubernetes providers from the contracts with a Google token", () => {
    const providers = stack.provider?.kubernetes ?? [];
    expect(providers.map((p) => p.alias).sort()).toEqual(["app", "registry"]);
    for (const provider of providers) {
      expect(provider.host).toMatch(
        /^https:\/\/\$\{data\.terraform_remote_state\.\w+\.outputs\.cluster_endpoint\}$/,
      );
      expect(provider.cluster_ca_certificate).toMatch(/base64decode\(data\.terraform_remote_state/);
      expect(provider.token).toMatch(/data\.google_client_config\.[\w-]+\.access_token/);
    }
  });

  it("serves the API only on the pod's loopback, behind the auth proxy", () => {
    expect(registryEnv).toMatchObject({
      REGISTRY_HTTP_ADDR: "127.0.0.1:5080",
      REGISTRY_STORAGE_DELETE_ENABLED: "false",
      REGISTRY_HTTP_DEBUG_PROMETHEUS_ENABLED: "true",
    });
    // Distribution no longer does TLS or auth itself: the proxy does both.
    for (const name of Object.keys(registryEnv)) {
      expect(name).not.toMatch(/^REGISTRY_(AUTH|HTTP_TLS)/);
    }
    expect(registryEnv.REGISTRY_HTTP_SECRET).toEqual({
      secret_key_ref: {
        key: "http-secret",
        name: expect.stringContaining("kubernetes_secret_v1."),
      },
    });
    expect(registry.port).toEqual([{ name: "metrics", container_port: 5001 }]);
  });

  it("restarts the registry only when its process is gone, not when storage is unhealthy", () => {
    // /debug/health reports the storage check: readiness only.
    expect(registry.readiness_probe).toMatchObject({
      http_get: { path: "/debug/health", port: "5001", scheme: "HTTP" },
    });
    expect(registry.liveness_probe).toMatchObject({ tcp_socket: [{ port: "5001" }] });
    expect(JSON.stringify(registry.liveness_probe)).not.toContain("health");
  });

  it("stops without cutting transfers: endpoints first, then a drain the grace period covers", () => {
    for (const container of [registry, proxy]) {
      expect(container.lifecycle).toEqual({ pre_stop: [{ exec: { command: ["sleep", "5"] } }] });
    }
    expect(registryEnv.REGISTRY_HTTP_DRAINTIMEOUT).toBe("60s");
    const pod = podSpec(deployment);
    expect(pod.termination_grace_period_seconds).toBe(75);
  });

  it("terminates TLS in the auth proxy with the server certificate", () => {
    expect(proxy.name).toBe("auth-proxy");
    expect(proxy.image).toBe("nginx:1.28.0");
    expect(proxy.command).toEqual([
      "nginx",
      "-e",
      "stderr",
      "-c",
      "/etc/registry-auth-proxy/nginx.conf",
    ]);
    expect(proxy.port).toEqual([{ name: "https", container_port: 5000 }]);
    const tls = byName(stack, "kubernetes_secret_v1", "registry-tls");
    expect(tls.type).toBe("kubernetes.io/tls");
    expect(tls.data).toEqual({
      "tls.crt": expect.stringMatching(/outputs\.server_certificate_pem\}$/),
      "tls.key": "${data.google_secret_manager_secret_version.server-key.secret_data}",
    });
    expect(nginxConf).toContain("listen 5000 ssl;");
    expect(nginxConf).toContain("ssl_certificate /certs/tls.crt;");
    expect(nginxConf).toContain("ssl_certificate_key /certs/tls.key;");
    expect(nginxConf).toContain("proxy_pass http://127.0.0.1:5080;");
    expect(nginxConf).toContain('auth_basic "registry.onprem.internal";');
  });

  it("authorises by method: reads for every user, writes for pushers, deletes for nobody", () => {
    const mapBody =
      /map "\$registry_method_class:\$remote_user" \$registry_denied \{([^}]*)\}/.exec(
        nginxConf,
      )?.[1];
    const allowed = (mapBody ?? "")
      .split(";")
      .map((line) => line.trim())
      .filter((line) => line !== "");
    // The push user (config: pusher) may write; reads for everyone; the rest is refused.
    expect(allowed).toEqual(['"write:pusher" 0', '"~^read:" 0', "default 1"]);
    expect(nginxConf).toContain("auth_basic_user_file /auth/users.htpasswd;");
    // The init script hashes both users into the one file nginx authenticates with.
    const [init] = containers(deployment, "init_container");
    const script = (init.command as string[])[2];
    expect(script).toContain(
      "sed '/^$/d' /auth/push.entry /auth/pull.entry > /auth/users.htpasswd",
    );
  });

  it("refuses writes while the maintenance flag is on the data volume", () => {
    expect(nginxConf).toContain("if (-f /var/lib/registry/maintenance/garbage-collection)");
    expect(nginxConf).toMatch(/return 503 '\{"errors":\[\{"code":"UNAVAILABLE"/);
    const dataMount = (proxy.volume_mount as Json[]).find((mount) => mount.name === "data");
    expect(dataMount).toEqual({ name: "data", mount_path: "/var/lib/registry", read_only: true });
  });

  it("runs the registry non-root, read-only, without capabilities, with RuntimeDefault seccomp", () => {
    const hardened = {
      run_as_non_root: true,
      allow_privilege_escalation: false,
      read_only_root_filesystem: true,
      capabilities: { drop: ["ALL"] },
      seccomp_profile: { type: "RuntimeDefault" },
    };
    expect(registry.security_context).toEqual(hardened);
    expect(containers(deployment, "init_container")[0].security_context).toEqual(hardened);
    expect(podSpec(deployment).security_context).toMatchObject({
      run_as_non_root: true,
      run_as_user: "1000",
    });
  });

  it("hashes the htpasswd file in an init container from the generated passwords", () => {
    const [init] = containers(deployment, "init_container");
    const script = (init.command as string[])[2];
    expect(script).toContain("htpasswd -n -B -C 10 -i");
    expect(script).not.toMatch(/bcrypt|-b /);
    const credentials = byName(stack, "kubernetes_secret_v1", "registry-credentials");
    expect(credentials.data).toMatchObject({
      "push-username": "pusher",
      "push-password": expect.stringMatching(
        /^\$\{random_password\.credentials_push-password_\w+\.result\}$/,
      ),
      "pull-username": "puller",
      "pull-password": expect.stringMatching(
        /^\$\{random_password\.credentials_pull-password_\w+\.result\}$/,
      ),
    });
  });

  it("rolls the pods when a config or secret input changes", () => {
    const annotation = hashAnnotation(deployment);
    expect(annotation).toMatch(/^\$\{nonsensitive\(sha256\(jsonencode\(/);
    for (const input of [
      "outputs.server_certificate_pem",
      "data.google_secret_manager_secret_version.server-key.secret_data",
      "random_password.credentials_push-password",
      "random_password.credentials_pull-password",
      "random_password.credentials_http-secret",
    ]) {
      expect(annotation).toContain(input);
    }
    // Literal config (env, script) enters as a synth-time digest: a changed realm changes it.
    const renamed = stacksOf("renamedRegistry");
    const other = byName(renamed.workloads, "kubernetes_deployment_v1", "registry");
    expect(annotation).toMatch(/"literals" = "[0-9a-f]{64}"/);
    expect(hashAnnotation(other)).not.toBe(annotation);
    // No free text inside the expression: cdktf leaves quotes in it unescaped.
    expect(annotation).not.toContain("htpasswd");
  });

  it("keeps data in a PVC that does not wait to bind, on a Retain storage class", () => {
    const [[, claim]] = resourcesOf(stack, "kubernetes_persistent_volume_claim_v1");
    expect(claim.wait_until_bound).toBe(false);
    const [[, storageClass]] = resourcesOf(stack, "kubernetes_storage_class_v1");
    expect(storageClass).toMatchObject({
      reclaim_policy: "Retain",
      storage_provisioner: "pd.csi.storage.gke.io",
      volume_binding_mode: "WaitForFirstConsumer",
    });
    expect(claim.spec).toMatchObject({
      storage_class_name: expect.stringContaining("kubernetes_storage_class_v1."),
    });
  });

  it("exposes the registry on a GKE internal load balancer at the reserved IP", () => {
    const service = byName(stack, "kubernetes_service_v1", "registry");
    expect(service.metadata).toMatchObject({
      annotations: { [GKE_INTERNAL_LB_ANNOTATION]: "Internal" },
    });
    expect(service.spec).toMatchObject({
      type: "LoadBalancer",
      load_balancer_ip: expect.stringMatching(/outputs\.registry_ip\}$/),
      port: [{ port: 443, target_port: "5000" }],
    });
    expect(JSON.stringify(service)).not.toContain("0.0.0.0/0");
  });

  it("waits for the registry before seeding it, and silences Distribution 3's default tracing", () => {
    expect(deployment.wait_for_rollout).toBe(true);
    const [[, job]] = resourcesOf(stack, "kubernetes_job_v1");
    expect(job.depends_on).toEqual([
      expect.stringMatching(/^kubernetes_deployment_v1\.registry_deployment_/),
    ]);
    expect(registryEnv.OTEL_TRACES_EXPORTER).toBe("none");
  });

  it("has a PodDisruptionBudget for the registry", () => {
    expect(byName(stack, "kubernetes_pod_disruption_budget_v1", "registry").spec).toMatchObject({
      max_unavailable: "1",
    });
  });

  it("seeds nginx:stable into the registry with skopeo, trusting the CA and using the pushing user", () => {
    const [[, job]] = resourcesOf(stack, "kubernetes_job_v1");
    const [copy] = containers(job);
    expect(copy.image).toBe("quay.io/skopeo/stable:v1.17.0");
    expect((copy.command as string[])[2]).toContain(
      "docker://docker.io/library/nginx:stable docker://registry.onprem.internal/stack-labs/nginx:stable",
    );
    expect(job.spec).toMatchObject({ backoff_limit: 6 });
    // No TTL: a deleted Job would be planned again and re-copy mutable tags.
    expect(job.spec).not.toHaveProperty("ttl_seconds_after_finished");
    expect(podSpec(job).host_aliases).toEqual([
      {
        ip: expect.stringContaining("spec[0].cluster_ip"),
        hostnames: ["registry.onprem.internal"],
      },
    ]);
    const auth = byName(stack, "kubernetes_secret_v1", "registry-seed-auth");
    expect(auth.type).toBe("kubernetes.io/dockerconfigjson");
    expect(String((auth.data as Json)[".dockerconfigjson"])).toContain("credentials_push-password");
  });

  it("gives the application namespace a pull secret for the registry on its default service account", () => {
    const secret = byName(stack, "kubernetes_secret_v1", "registry-pull");
    expect(secret.type).toBe("kubernetes.io/dockerconfigjson");
    const config = String((secret.data as Json)[".dockerconfigjson"]);
    expect(config).toContain('"registry.onprem.internal"');
    expect(config).toContain("credentials_pull-password");
    const [[, account]] = resourcesOf(stack, "kubernetes_default_service_account_v1");
    expect(account.image_pull_secret).toEqual([
      { name: expect.stringContaining("pull-access_pull-secret") },
    ]);
  });

  it("runs the sample nginx from the registry FQDN", () => {
    const sample = byName(stack, "kubernetes_deployment_v1", "nginx-from-registry");
    expect(containers(sample)[0].image).toBe("registry.onprem.internal/stack-labs/nginx:stable");
  });

  it("starts the sample app after the registry serves and the seed Job has pushed its image", () => {
    // Otherwise its first pull fails and kubelet backs off for up to five minutes.
    const sample = byName(stack, "kubernetes_deployment_v1", "nginx-from-registry");
    expect(sample.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^kubernetes_deployment_v1\.registry_deployment_/),
        expect.stringMatching(/^kubernetes_job_v1\.seed_job_/),
      ]),
    );
  });

  it("has no privileged workload unless the CA DaemonSet is asked for", () => {
    expect(JSON.stringify(stack)).not.toContain('"privileged":true');
    expect(resourcesOf(stack, "kubernetes_daemon_set_v1")).toEqual([]);
  });
});

describe("no secret in any synthesized workloads stack", () => {
  const environments: EnvironmentName[] = [
    "default",
    "artifactRegistry",
    "externalPeer",
    "standalone",
    "standaloneNodePort",
    "standaloneNodeProxy",
  ];

  it.each(environments)(
    "%s: secret values are resource attributes or sensitive remote outputs",
    (name) => {
      const stack = workloads(name);
      const texts = allStrings(stack);
      expect(
        texts.filter((text) => /BEGIN [A-Z ]*PRIVATE KEY|BEGIN CERTIFICATE/.test(text)),
      ).toEqual([]);
      for (const [, secret] of resourcesOf(stack, "kubernetes_secret_v1")) {
        for (const [key, value] of Object.entries((secret.data as Json) ?? {})) {
          if (/username/.test(key)) continue;
          expect({ key, value }).toEqual({ key, value: expect.stringMatching(/^\$\{/) });
        }
      }
      for (const [name, output] of Object.entries(stack.output ?? {})) {
        if (/password|registries_yaml/.test(name)) expect(output.sensitive).toBe(true);
      }
    },
  );
});

describe("workloads with DNS-based control-plane endpoints", () => {
  it("trusts the endpoints' public certificates instead of pinning the cluster CA", () => {
    const providers = workloads("artifactRegistry").provider?.kubernetes ?? [];
    expect(providers).toHaveLength(2);
    for (const provider of providers) {
      expect(provider.host).toMatch(/outputs\.cluster_endpoint\}$/);
      expect(provider).not.toHaveProperty("cluster_ca_certificate");
    }
  });
});

describe("workloads with the pull-through cache", () => {
  const stack = workloads("artifactRegistry");
  const cache = byName(stack, "kubernetes_deployment_v1", "registry-cache");
  const cacheEnv = env(containers(cache)[0]);

  it("runs Distribution in proxy mode against the registry FQDN with the pulling user", () => {
    expect(cacheEnv).toMatchObject({
      REGISTRY_PROXY_REMOTEURL: "https://registry.onprem.internal",
      REGISTRY_PROXY_USERNAME: "puller",
      SSL_CERT_FILE: "/upstream-ca/ca.crt",
    });
    expect(containers(cache)[1].name).toBe("auth-proxy");
    expect(cacheEnv.REGISTRY_PROXY_PASSWORD).toEqual({
      secret_key_ref: { key: "upstream-password", name: expect.any(String) },
    });
  });

  it("keeps no blob descriptor cache: an expired repository's shared blob must not look present", () => {
    expect(cacheEnv.REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR).toBe("disabled");
    expect(cacheEnv.REGISTRY_STORAGE_DELETE_ENABLED).toBe("true");
  });

  it("is read-only through its API: no user may write or delete", () => {
    const script = (containers(cache, "init_container")[0].command as string[])[2];
    expect(script).toContain("sed '/^$/d' /auth/pull.entry > /auth/users.htpasswd");
    expect(script).not.toContain("push");
    const config = String(
      (byName(stack, "kubernetes_config_map_v1", "registry-cache-auth-proxy").data as Json)[
        "nginx.conf"
      ],
    );
    expect(config).not.toContain('"write:');
    expect(config).toContain('"~^read:" 0;');
  });

  it("serves its own certificate and sits on an internal load balancer at the reserved cache IP", () => {
    const tls = byName(stack, "kubernetes_secret_v1", "registry-cache-tls");
    expect(tls.data).toEqual({
      "tls.crt": expect.stringMatching(/outputs\.cache_certificate_pem\}$/),
      "tls.key": "${data.google_secret_manager_secret_version.cache-key.secret_data}",
    });
    const service = byName(stack, "kubernetes_service_v1", "registry-cache");
    expect(service.spec).toMatchObject({
      load_balancer_ip: expect.stringMatching(/outputs\.cache_ip\}$/),
    });
    expect(service.provider).toBe("kubernetes.app");
  });

  it("makes the sample app pull through the cache, with credentials for both hosts", () => {
    const sample = byName(stack, "kubernetes_deployment_v1", "nginx-from-registry");
    expect(sample.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^kubernetes_deployment_v1\.pull-through-cache_/),
      ]),
    );
    expect(containers(sample)[0].image).toBe(
      "registry-cache.onprem.internal/stack-labs/nginx:stable",
    );
    const config = String(
      (byName(stack, "kubernetes_secret_v1", "registry-pull").data as Json)[".dockerconfigjson"],
    );
    expect(config).toContain('"registry.onprem.internal"');
    expect(config).toContain('"registry-cache.onprem.internal"');
  });
});

describe("workloads with an external on-prem site", () => {
  const stack = workloads("externalPeer");

  it("reaches the registry cluster by kubeconfig and the app cluster through GKE", () => {
    const providers = stack.provider?.kubernetes ?? [];
    expect(providers.find((p) => p.alias === "registry")).toMatchObject({
      config_path: "~/.kube/onprem.yaml",
      config_context: "registry",
    });
    expect(providers.find((p) => p.alias === "app")?.host).toMatch(/^https:\/\//);
  });

  it("exposes the registry as a LoadBalancer on the configured on-prem IP (MetalLB annotations only)", () => {
    const service = byName(stack, "kubernetes_service_v1", "registry");
    expect(service).toMatchObject({
      metadata: {
        annotations: Object.fromEntries(
          METALLB_IPS_ANNOTATIONS.map((key) => [key, "192.168.10.20"]),
        ),
      },
      spec: { type: "LoadBalancer" },
    });
    // MetalLB refuses a Service with both the annotation and spec.loadBalancerIP.
    expect(service.spec).not.toHaveProperty("load_balancer_ip");
  });
});

describe("standalone mode", () => {
  const k3s = workloads("standalone");

  it("uses one kubernetes provider from the kubeconfig and creates its own PKI", () => {
    expect(k3s.provider?.kubernetes).toEqual([
      { config_path: "~/.kube/config", config_context: "default" },
    ]);
    expect(k3s.data?.terraform_remote_state).toBeUndefined();
    const [[, request]] = resourcesOf(k3s, "tls_cert_request");
    expect(request).toMatchObject({
      dns_names: ["registry.cube.internal"],
      ip_addresses: ["192.168.0.202"],
    });
  });

  it("k3s: Longhorn PVC of 15Gi in docker-registry, MetalLB IP 192.168.0.202", () => {
    const [[, claim]] = resourcesOf(k3s, "kubernetes_persistent_volume_claim_v1");
    expect(claim).toMatchObject({
      wait_until_bound: false,
      metadata: { namespace: expect.stringContaining("registry-namespace") },
      spec: {
        storage_class_name: expect.stringMatching(/^\$\{kubernetes_storage_class_v1\./),
        resources: { requests: { storage: "15Gi" } },
      },
    });
    // The configured class is copied with Retain, so the images survive a destroy.
    const [[sourceId, source]] = Object.entries(k3s.data?.kubernetes_storage_class_v1 ?? {});
    expect(source).toMatchObject({ metadata: { name: "longhorn" } });
    const [[, retain]] = resourcesOf(k3s, "kubernetes_storage_class_v1");
    expect(retain).toMatchObject({
      reclaim_policy: "Retain",
      storage_provisioner: `\${data.kubernetes_storage_class_v1.${sourceId}.storage_provisioner}`,
      parameters: `\${data.kubernetes_storage_class_v1.${sourceId}.parameters}`,
    });
    expect(byName(k3s, "kubernetes_namespace_v1", "docker-registry")).toBeDefined();
    const service = byName(k3s, "kubernetes_service_v1", "registry");
    expect(service).toMatchObject({
      metadata: { annotations: { "metallb.io/loadBalancerIPs": "192.168.0.202" } },
      spec: { type: "LoadBalancer" },
    });
    expect(service.spec).not.toHaveProperty("load_balancer_ip");
  });

  it("uses the configured class as it is when retainOnDestroy is false", () => {
    const stack = workloads("standaloneNoRetain");
    const [[, claim]] = resourcesOf(stack, "kubernetes_persistent_volume_claim_v1");
    expect(claim.spec).toMatchObject({ storage_class_name: "longhorn" });
    expect(resourcesOf(stack, "kubernetes_storage_class_v1")).toEqual([]);
  });

  it("k3s: outputs a ready registries.yaml, the containerd hosts.toml and the CA", () => {
    const outputs = k3s.output ?? {};
    expect(outputs.k3s_registries_yaml.sensitive).toBe(true);
    const registries = String(outputs.k3s_registries_yaml.value);
    expect(registries).toContain(
      '"registry.cube.internal" = {"endpoint" = ["https://192.168.0.202"]}',
    );
    expect(registries).toContain('"ca_file" = "/etc/rancher/k3s/registry-ca.crt"');
    expect(registries).toContain("credentials_pull-password");
    expect(outputs.containerd_hosts_toml.value).toBe(
      [
        'server = "https://192.168.0.202"',
        "",
        '[host."https://192.168.0.202"]',
        '  capabilities = ["pull", "resolve"]',
        '  ca = "/etc/containerd/certs.d/registry.cube.internal/ca.crt"',
        "",
      ].join("\n"),
    );
    expect(outputs.registry_ca_certificate_pem.value).toMatch(
      /tls_self_signed_cert\.[\w-]+\.cert_pem/,
    );
  });

  it("nodePort + hostPath: pinned to the node holding the data, CA installed by the only privileged pod", () => {
    const stack = workloads("standaloneNodePort");
    expect(byName(stack, "kubernetes_service_v1", "registry").spec).toMatchObject({
      type: "NodePort",
      port: [{ node_port: 30500, port: 443 }],
    });
    const registry = byName(stack, "kubernetes_deployment_v1", "registry");
    expect(podSpec(registry).node_selector).toEqual({ "kubernetes.io/hostname": "node-1" });
    expect(podSpec(registry).volume).toContainEqual({
      name: "data",
      host_path: { path: "/srv/registry", type: "Directory" },
    });
    expect(resourcesOf(stack, "kubernetes_persistent_volume_claim_v1")).toEqual([]);

    const trust = byName(stack, "kubernetes_daemon_set_v1", "registry-ca-trust");
    expect(hashAnnotation(trust)).toMatch(/^\$\{sha256\(jsonencode\(/);
    expect(hashAnnotation(trust)).toMatch(/kubernetes_config_map_v1\.ca-trust_files_\w+\.data/);
    expect(podSpec(trust).toleration).toEqual([{ operator: "Exists" }]);
    expect(containers(trust, "init_container")[0].security_context).toEqual({ privileged: true });
    expect(JSON.stringify(stack).match(/"privileged":true/g)).toHaveLength(1);
    const files = byName(stack, "kubernetes_config_map_v1", "registry-ca-trust").data as Json;
    expect(files["hosts-0.toml"]).toContain('[host."https://registry.lab.internal:30500"]');
    expect(String(containers(trust, "init_container")[0].command)).toContain(
      "/etc/containerd/certs.d/registry.lab.internal:30500/hosts.toml",
    );
    expect(
      String(containers(byName(stack, "kubernetes_deployment_v1", "nginx-from-registry"))[0].image),
    ).toBe("registry.lab.internal:30500/stack-labs/nginx:stable");
  });

  it("clusterIP + node proxy: haproxy on hostPort 5000, localhost in the certificate, emptyDir data", () => {
    const stack = workloads("standaloneNodeProxy");
    const proxy = byName(stack, "kubernetes_daemon_set_v1", "registry-node-proxy");
    expect(hashAnnotation(proxy)).toMatch(/kubernetes_config_map_v1\.node-proxy_config_\w+\.data/);
    expect(containers(proxy)[0].port).toEqual([
      { name: "registry", container_port: 5000, host_port: 5000, host_ip: "127.0.0.1" },
    ]);
    const config = byName(stack, "kubernetes_config_map_v1", "registry-node-proxy").data as Json;
    expect(config["haproxy.cfg"]).toMatch(
      /server registry registry\.\$\{kubernetes_namespace_v1\.registry-namespace\.metadata\[0\]\.name\}\.svc:443\n/,
    );
    // No cluster domain: the pod's DNS search list completes it, whatever the cluster's is.
    expect(config["haproxy.cfg"]).not.toContain("cluster.local");
    const [[, request]] = resourcesOf(stack, "tls_cert_request");
    expect(request).toMatchObject({
      dns_names: ["registry.lab.internal", "localhost"],
      ip_addresses: ["127.0.0.1"],
    });
    expect(byName(stack, "kubernetes_service_v1", "registry").spec).toMatchObject({
      type: "ClusterIP",
    });
    const registry = byName(stack, "kubernetes_deployment_v1", "registry");
    expect(podSpec(registry).volume).toContainEqual({ name: "data", empty_dir: {} });
    expect(
      String(containers(byName(stack, "kubernetes_deployment_v1", "nginx-from-registry"))[0].image),
    ).toBe("localhost:5000/stack-labs/nginx:stable");
    expect(JSON.stringify(stack)).not.toContain('"privileged":true');
  });
});
