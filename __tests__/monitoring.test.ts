import { readFileSync } from "node:fs";
import { join } from "node:path";
import { documentedPrometheusRules } from "../lib/monitoring/documented-rules";
import {
  certificateAlertRule,
  registryAlertRules,
  vpnAlertRules,
} from "../lib/monitoring/alert-rules";
import { CACHE_CLAIM, CACHE_NAME, cacheAlertRules } from "../lib/monitoring/cache-alert-rules";
import { maintenanceAlertRules } from "../lib/monitoring/maintenance-alert-rules";
import { maintenanceJobsOf } from "../stacks/cloud-network-alerts";
import { configFrom, merge, rawEnvironment, ROOT } from "./helpers/config";
import { configOf, stacksOf, type SynthName } from "./helpers/environments";
import { resourcesOf, type StackJson } from "./helpers/json";

type Json = Record<string, unknown>;

const cloud = (name: SynthName) => stacksOf(name)["cloud-network"];
const workloads = (name: SynthName) => stacksOf(name).workloads;

function policies(stack: StackJson): Json[] {
  return resourcesOf(stack, "google_monitoring_alert_policy").map(([, body]) => body);
}

function condition(policy: Json): Json {
  return ((policy.conditions as Json[])[0].condition_prometheus_query_language ?? {}) as Json;
}

function manifests(stack: StackJson, kind: string): Json[] {
  return resourcesOf(stack, "kubernetes_manifest")
    .map(([, body]) => body)
    .filter((body) => (body.manifest as Json).kind === kind);
}

describe("alert policies (Cloud Monitoring, opt-in)", () => {
  it("are off by default: no policy, channel or monitoring API", () => {
    expect(policies(cloud("default"))).toEqual([]);
    expect(resourcesOf(cloud("default"), "google_monitoring_notification_channel")).toEqual([]);
    expect(JSON.stringify(cloud("default"))).not.toContain("monitoring.googleapis.com");
  });

  it("watch the registry, its certificate, the tunnels and the BGP sessions", () => {
    const names = policies(cloud("alertsOn")).map((policy) => policy.display_name);
    expect(names.sort()).toEqual(
      [
        "BGP session down",
        "Registry 5xx rate",
        "Registry down",
        "Registry maintenance job failed",
        "Registry maintenance job past its deadline",
        "Registry storage filling up",
        "VPN tunnel down",
        "registry server certificate due for renewal",
      ].map((name) => `hybrid-registry: ${name}`),
    );
    for (const policy of policies(cloud("alertsOn"))) {
      expect(condition(policy)).toMatchObject({
        disable_metric_validation: true,
        evaluation_interval: "60s",
        rule_group: "hybrid_registry",
      });
    }
  });

  it("notify the email channels it creates and the channels given", () => {
    const stack = cloud("alertsOn");
    const emails = resourcesOf(stack, "google_monitoring_notification_channel");
    expect(emails).toHaveLength(1);
    expect(emails[0][1]).toMatchObject({
      type: "email",
      labels: { email_address: "platform@example.com" },
    });
    for (const policy of policies(stack)) {
      expect(policy.notification_channels).toEqual([
        `\${google_monitoring_notification_channel.${emails[0][0]}.name}`,
        "projects/app-project-123/notificationChannels/1234567890",
      ]);
    }
  });

  it("add the simulated on-prem project to the metrics scope of the application project", () => {
    const [scope] = resourcesOf(cloud("alertsOn"), "google_monitoring_monitored_project");
    expect(scope[1]).toMatchObject({
      metrics_scope: "locations/global/metricsScopes/app-project-123",
      name: expect.stringMatching(/outputs\.project_id\}$/),
    });
    expect(resourcesOf(cloud("alertsExternal"), "google_monitoring_monitored_project")).toEqual([]);
  });

  it("with a real site: only the certificate and the VPN (its registry is not on GKE)", () => {
    const names = policies(cloud("alertsExternal")).map((policy) => policy.display_name);
    expect(names.sort()).toEqual([
      "hybrid-registry: BGP session down",
      "hybrid-registry: VPN tunnel down",
      "hybrid-registry: registry server certificate due for renewal",
    ]);
  });

  it("alert on the certificate from the start of its renewal window", () => {
    const stack = cloud("alertsOn");
    const [notAfter] = resourcesOf(stack, "time_static");
    expect(notAfter[1].rfc3339).toMatch(/outputs\.server_certificate_not_after\}$/);
    const policy = policies(stack).find((p) => String(p.display_name).includes("certificate"));
    // 30 days of earlyRenewalDays before the end.
    expect(condition(policy ?? {}).query).toBe(
      `vector(time()) > \${(time_static.${notAfter[0]}.unix - 2592000)}`,
    );
  });

  it("publish the certificate's end from onprem-network", () => {
    expect(
      stacksOf("default")["onprem-network"].output?.server_certificate_not_after,
    ).toMatchObject({
      value: expect.stringMatching(/^\$\{tls_locally_signed_cert\.[\w-]+\.validity_end_time\}$/),
      description: expect.stringContaining("RFC 3339"),
    });
  });
});

describe("alert policies with several sides", () => {
  const queryOf = (stack: StackJson, name: string): string => {
    const policy = policies(stack).find((body) => body.display_name === `hybrid-registry: ${name}`);
    const [condition] = (policy?.conditions ?? []) as Array<Record<string, Record<string, string>>>;
    return condition?.condition_prometheus_query_language?.query ?? "";
  };

  it("watch only this side's tunnels and sessions, both ends, not every link in the scope", () => {
    // The on-prem project (every side's reverse tunnels) joins one side's metrics scope.
    for (const side of ["dev", "staging", "prod"]) {
      const stack = stacksOf("threeSides")[`cloud-network-${side}`];
      expect(queryOf(stack, "VPN tunnel down")).toContain(
        `tunnel_name=~"${side}-to-onprem-(reverse-)?[0-9]+"`,
      );
      expect(queryOf(stack, "BGP session down")).toContain(
        `bgp_peer_name=~"${side}-to-onprem-(reverse-)?[0-9]+-bgp"`,
      );
    }
  });

  it("tell the operator which applies move the certificate alert's threshold", () => {
    const stack = stacksOf("threeSides")["cloud-network-prod"];
    const policy = policies(stack).find((body) =>
      String(body.display_name).includes("due for renewal"),
    );
    expect(String((policy?.documentation as Record<string, string>).content)).toContain(
      "plan and apply onprem-network (issues the new certificate), then registry (serves it), then cloud-network-prod (moves this alert's threshold: the alert stays until then)",
    );
  });
});

describe("alert rules", () => {
  const rules = registryAlertRules({
    namespace: "registry",
    job: "registry",
    serverErrorRatio: 0.05,
    storageUtilization: 0.8,
  });

  it("select the registry's scrape job and namespace", () => {
    expect(rules.map((rule) => rule.query)).toEqual([
      'max(up{namespace="registry",job="registry"}) < 1 or absent(up{namespace="registry",job="registry"})',
      'sum(rate(registry_http_requests_total{namespace="registry",code=~"5.."}[5m])) / sum(rate(registry_http_requests_total{namespace="registry"}[5m])) > 0.05',
      'max(kubernetes_io:pod_volume_utilization{monitored_resource="k8s_pod",namespace_name="registry",volume_name="data"}) > 0.8',
    ]);
  });

  it("have unique ids usable as Prometheus alert names", () => {
    const all = [
      ...rules,
      ...vpnAlertRules({ tunnels: "a-[0-9]+", bgpPeers: "a-[0-9]+-bgp" }),
      certificateAlertRule("1", "x", { issuedBy: "a", servedBy: "b", alertIn: "c" }),
      ...maintenanceAlertRules({ namespace: "registry", jobs: maintenanceJobsOf(archived) }),
      ...cacheAlertRules({ storageUtilization: 0.8, volumeMetrics: "gke" }),
    ];
    const ids = all.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id.replace(/-/g, "_")).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
  });
});

/** The default registry with archive backups as well as garbage collection. */
const archived = configFrom(
  merge(rawEnvironment("environments/example.yaml"), {
    registry: { backup: { archive: { enabled: true, claimName: "registry-backup" } } },
  }),
).registry;

const policyNamed = (stack: StackJson, name: string): Json | undefined =>
  policies(stack).find((body) => body.display_name === `hybrid-registry: ${name}`);
const documentationOf = (policy: Json | undefined): string =>
  String(((policy?.documentation ?? {}) as Json).content);

describe("maintenance job alerts", () => {
  const failed = policyNamed(cloud("alertsOn"), "Registry maintenance job failed");
  const overdue = policyNamed(cloud("alertsOn"), "Registry maintenance job past its deadline");

  it("fire when the newest run of a maintenance CronJob failed and no later run succeeded", () => {
    const owners =
      'kube_job_owner{namespace="registry",owner_kind="CronJob",owner_name=~"registry-garbage-collect"}';
    const newest = (condition: string) =>
      `max by (namespace, owner_name) (kube_job_created{namespace="registry"} * on (namespace, job_name) group_left (owner_name) ${owners} and on (namespace, job_name) ${condition}{namespace="registry",condition="true"} == 1)`;
    expect(condition(failed ?? {})).toMatchObject({
      query: `${newest("kube_job_failed")} unless on (namespace, owner_name) (${newest("kube_job_complete")} > ${newest("kube_job_failed")})`,
      duration: "0s",
    });
    expect(failed?.severity).toBe("ERROR");
  });

  it("say the registry may be read-only, how to check and how to lift the flag", () => {
    const runbook = documentationOf(failed);
    expect(runbook).toContain("may still be read-only");
    expect(runbook).toContain("`npm run verify`");
    expect(runbook).toContain(
      "`kubectl -n registry exec deploy/registry -c registry -- ls /var/lib/registry/maintenance`",
    );
    expect(runbook).toContain(
      "`kubectl -n registry exec deploy/registry -c registry -- rm -f <flag>`, flags `/var/lib/registry/maintenance/garbage-collection` (registry-garbage-collect).",
    );
    // No archive backups here: the backup's flag is not offered.
    expect(runbook).not.toContain("maintenance/backup");
    expect(documentationOf(overdue)).toContain("rm -f <flag>");
  });

  it("on bucket storage say how to lift Distribution's read-only setting, not a flag", () => {
    const [failedRule] = maintenanceAlertRules({
      namespace: "registry",
      jobs: maintenanceJobsOf(configOf("gcOnGcs").registry),
    });
    expect(failedRule.documentation).toContain(
      "lift it with `kubectl -n registry set env deploy/registry -c registry REGISTRY_STORAGE_MAINTENANCE_READONLY-` or by applying the workloads stack.",
    );
    expect(failedRule.documentation).toContain("405 on bucket storage");
    expect(failedRule.documentation).not.toContain("rm -f");
  });

  it("fire when a Job still runs 5 minutes past its deadline", () => {
    expect(condition(overdue ?? {})).toMatchObject({
      query:
        '(time() - kube_job_status_start_time{namespace="registry"}) * on (namespace, job_name) group_left (owner_name) kube_job_owner{namespace="registry",owner_kind="CronJob",owner_name="registry-garbage-collect"} > 3600 and on (namespace, job_name) kube_job_status_active{namespace="registry"} > 0',
      duration: "300s",
    });
  });

  it("take each CronJob's deadline as given", () => {
    const [overdueRule] = maintenanceAlertRules({
      namespace: "registry",
      jobs: maintenanceJobsOf(archived).map((job) =>
        job.cronJob === "registry-backup" ? { ...job, deadlineSeconds: 10800 } : job,
      ),
    }).filter((rule) => rule.id === "maintenance-job-overdue");
    expect(overdueRule.query).toContain('owner_name="registry-garbage-collect"} > 3600 and');
    expect(overdueRule.query).toContain('owner_name="registry-backup"} > 10800 and');
    expect(overdueRule.documentation).toContain(
      "(registry-garbage-collect 60 min, registry-backup 180 min)",
    );
  });

  it("exist only for the CronJobs the environment has", () => {
    const cronJobs = (registry: Parameters<typeof maintenanceJobsOf>[0]) =>
      maintenanceJobsOf(registry).map((job) => job.cronJob);
    expect(cronJobs(configOf("default").registry)).toEqual(["registry-garbage-collect"]);
    expect(cronJobs(archived)).toEqual(["registry-garbage-collect", "registry-backup"]);
    expect(cronJobs(configOf("gcOff").registry)).toEqual([]);
    // Bucket storage: collection is opt-in, no archive.
    expect(cronJobs(configOf("gcsReplicas").registry)).toEqual([]);
    expect(cronJobs(configOf("gcOnGcs").registry)).toEqual(["registry-garbage-collect"]);
    expect(maintenanceAlertRules({ namespace: "registry", jobs: [] })).toEqual([]);
    const [failedRule] = maintenanceAlertRules({
      namespace: "registry",
      jobs: maintenanceJobsOf(archived),
    });
    expect(failedRule.query).toContain('owner_name=~"registry-garbage-collect|registry-backup"');
    expect(failedRule.documentation).toContain(
      "`/var/lib/registry/maintenance/backup` (registry-backup)",
    );
  });

  it("follow the archive's configured deadline", () => {
    const slow = configFrom(
      merge(rawEnvironment("environments/example.yaml"), {
        registry: {
          backup: {
            archive: { enabled: true, claimName: "registry-backup", deadlineMinutes: 180 },
          },
        },
      }),
    ).registry;
    expect(maintenanceJobsOf(slow).map((job) => [job.cronJob, job.deadlineSeconds])).toEqual([
      ["registry-garbage-collect", 3600],
      ["registry-backup", 10800],
    ]);
  });

  it("use the deadlines the CronJobs are created with", () => {
    const deadlines = (name: SynthName) =>
      Object.fromEntries(
        resourcesOf(workloads(name), "kubernetes_cron_job_v1").map(([, body]) => [
          String((body.metadata as Json).name),
          (((body.spec as Json).job_template as Json).spec as Json).active_deadline_seconds,
        ]),
      );
    for (const name of ["default", "backupArchive"] as const) {
      const watched = Object.fromEntries(
        maintenanceJobsOf(configOf(name).registry).map((job) => [job.cronJob, job.deadlineSeconds]),
      );
      expect(Object.keys(watched).length).toBeGreaterThan(0);
      expect(deadlines(name)).toMatchObject(watched);
    }
  });
});

describe("pull-through cache alerts", () => {
  it("are on the sides with a cache, selecting that side's cluster", () => {
    const prod = stacksOf("threeSides")["cloud-network-prod"];
    expect(condition(policyNamed(prod, "Pull-through cache down") ?? {})).toMatchObject({
      query:
        'max(up{namespace="registry-cache",job="registry-cache",cluster="prod-cluster"}) < 1 or absent(up{namespace="registry-cache",job="registry-cache",cluster="prod-cluster"})',
      duration: "300s",
    });
    expect(
      condition(policyNamed(prod, "Pull-through cache storage filling up") ?? {}),
    ).toMatchObject({
      query:
        'max(kubernetes_io:pod_volume_utilization{monitored_resource="k8s_pod",cluster_name="prod-cluster",namespace_name="registry-cache",volume_name="data"}) > 0.8',
      duration: "900s",
    });
    for (const side of ["dev", "staging"]) {
      const names = policies(stacksOf("threeSides")[`cloud-network-${side}`]).map((policy) =>
        String(policy.display_name),
      );
      expect(names.filter((name) => name.includes("cache"))).toEqual([]);
    }
  });

  it("leave out 'cache down' where the cache is not scraped", () => {
    const ids = (scraped: boolean) =>
      cacheAlertRules({ storageUtilization: 0.8, volumeMetrics: "gke", scraped }).map(
        (rule) => rule.id,
      );
    expect(ids(true)).toEqual(["cache-down", "cache-storage"]);
    expect(ids(false)).toEqual(["cache-storage"]);
  });

  it("read the claim's kubelet volume stats for a Prometheus of your own", () => {
    const [, storage] = cacheAlertRules({ storageUtilization: 0.9, volumeMetrics: "kubelet" });
    expect(storage.query).toBe(
      'max(1 - kubelet_volume_stats_available_bytes{namespace="registry-cache",persistentvolumeclaim="registry-cache-data"} / kubelet_volume_stats_capacity_bytes{namespace="registry-cache",persistentvolumeclaim="registry-cache-data"}) > 0.9',
    );
    expect(storage.documentation).toContain("more than 90% full");
  });

  it("name the cache's namespace, scrape job and claim as the application workloads create them", () => {
    const stack = workloads("artifactRegistry");
    const monitoring = manifests(stack, "PodMonitoring")
      .map((body) => (body.manifest as Json).metadata as Json)
      .find((metadata) => metadata.name === CACHE_NAME);
    expect(monitoring?.namespace).toEqual(expect.stringContaining("cache-namespace"));
    const [[namespaceId, namespace]] = resourcesOf(stack, "kubernetes_namespace_v1").filter(
      ([id]) => id.includes("cache-namespace"),
    );
    expect((namespace.metadata as Json).name).toBe(CACHE_NAME);
    expect(monitoring?.namespace).toBe(
      `\${kubernetes_namespace_v1.${namespaceId}.metadata[0].name}`,
    );
    const claims = resourcesOf(stack, "kubernetes_persistent_volume_claim_v1").map(
      ([, body]) => body.metadata as Json,
    );
    expect(claims).toContainEqual(expect.objectContaining({ name: CACHE_CLAIM }));
  });
});

describe("metrics scraping", () => {
  it("scrapes the registry where Managed Service for Prometheus is installed", () => {
    const stack = workloads("default");
    const [pod] = manifests(stack, "PodMonitoring");
    expect(pod.manifest).toEqual({
      apiVersion: "monitoring.googleapis.com/v1",
      kind: "PodMonitoring",
      metadata: expect.objectContaining({ name: "registry", namespace: expect.any(String) }),
      spec: {
        selector: { matchLabels: { "app.kubernetes.io/name": "registry" } },
        endpoints: [{ port: "metrics", path: "/metrics", interval: "30s" }],
      },
    });
    const lookups = Object.entries(stack.data?.kubernetes_resources ?? {});
    const lookup = lookups.find(
      ([, body]) =>
        body.field_selector === "metadata.name=podmonitorings.monitoring.googleapis.com",
    );
    expect(lookup?.[1]).toMatchObject({
      api_version: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
    });
    // Planned only when the CRD exists: a manifest of an unknown kind fails the plan.
    expect(pod.count).toBe(`\${length(data.kubernetes_resources.${lookup?.[0] ?? ""}.objects)}`);
  });

  it("offers a ServiceMonitor and its Service for the Prometheus operator, with extra labels", () => {
    const stack = workloads("default");
    const [monitor] = manifests(stack, "ServiceMonitor");
    expect(monitor.count).toMatch(/^\$\{length\(data\.kubernetes_resources\.[\w-]+\.objects\)\}$/);
    const service = resourcesOf(stack, "kubernetes_service_v1").find(
      ([, body]) => (body.metadata as Json).name === "registry-metrics",
    );
    expect(service?.[1].spec).toMatchObject({
      type: "ClusterIP",
      port: [{ name: "metrics", port: 5001, target_port: "metrics" }],
    });
    const serviceLabels = (service?.[1].metadata as Json).labels as Json;
    expect(serviceLabels["hybrid-registry/scrape-job"]).toBe("registry");
    const spec = (monitor.manifest as Json).spec as Json;
    // The job label is "registry" for both collectors, as the alert rules expect.
    expect(spec.jobLabel).toBe("hybrid-registry/scrape-job");
    const selected = (spec.selector as Json).matchLabels as Json;
    for (const [key, value] of Object.entries(selected)) expect(serviceLabels[key]).toBe(value);
  });

  it("scrapes the pull-through cache in the application cluster too", () => {
    const pods = manifests(workloads("artifactRegistry"), "PodMonitoring");
    expect(pods.map((pod) => ((pod.manifest as Json).metadata as Json).name).sort()).toEqual([
      "registry",
      "registry-cache",
    ]);
    const cache = pods.find(
      (pod) => ((pod.manifest as Json).metadata as Json).name === "registry-cache",
    );
    expect(cache?.provider).toBe("kubernetes.app");
  });

  it("can be switched off", () => {
    expect(resourcesOf(workloads("metricsOff"), "kubernetes_manifest")).toEqual([]);
    expect(workloads("metricsOff").data?.kubernetes_resources).toBeUndefined();
  });

  it("enables Managed Service for Prometheus on the clusters this project creates", () => {
    for (const stack of [cloud("default"), stacksOf("default")["onprem-network"]]) {
      const [[, cluster]] = resourcesOf(stack, "google_container_cluster");
      expect(cluster.monitoring_config).toEqual({ managed_prometheus: { enabled: true } });
    }
  });
});

describe("docs/prometheus-rules.yaml", () => {
  it("is current (npm run alert-rules)", () => {
    const committed = readFileSync(join(ROOT, "docs", "prometheus-rules.yaml"), "utf8");
    expect(committed).toBe(documentedPrometheusRules());
  });

  it("holds the maintenance and cache rules, the cache's volume from kubelet stats", () => {
    const committed = readFileSync(join(ROOT, "docs", "prometheus-rules.yaml"), "utf8");
    for (const alert of ["maintenance_job_failed", "maintenance_job_overdue", "cache_down"]) {
      expect(committed).toContain(`- alert: ${alert}\n`);
    }
    expect(committed).toContain('owner_name=~"registry-garbage-collect|registry-backup"');
    expect(committed).toContain('kubelet_volume_stats_available_bytes{namespace="registry-cache"');
    expect(committed).not.toContain("kubernetes_io:");
  });
});
