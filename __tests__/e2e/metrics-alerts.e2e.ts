/**
 * The alert rules against real software: every rule the alert policies carry passes
 * `promtool check rules` (Debian's prometheus package), and a real Prometheus scraping the
 * emitted registry's metrics port (labelled like the PodMonitoring/ServiceMonitor do:
 * namespace, job) finds the series the registry rules select, keeps "registry down" (and
 * "cache down" for a scrape labelled as the cache's) quiet while the registry runs and fires
 * it once the registry stops. The maintenance-job and cache rules, whose series come from
 * kube-state-metrics and the kubelet, run as promtool rule unit tests on crafted series: each
 * fires where it should and stays quiet where it should not.
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/metrics-alerts.e2e.ts`.
 * Needs (Debian) `prometheus nginx docker-registry skopeo apache2-utils openssl`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import {
  certificateAlertRule,
  registryAlertRules,
  vpnAlertRules,
  type AlertRule,
} from "../../lib/monitoring/alert-rules";
import { GO_DURATION_MAX_SECONDS } from "../../lib/config/core/go-duration";
import { renderPrometheusRules } from "../../lib/monitoring/prometheus-rules";
import {
  CACHE_CLAIM,
  CACHE_NAME,
  cacheAlertRules,
  type CacheAlertRuleProps,
} from "../../lib/monitoring/cache-alert-rules";
import {
  maintenanceAlertRules,
  type MaintenanceJobWatch,
} from "../../lib/monitoring/maintenance-alert-rules";
import { BACKUP_JOB_NAME } from "../../lib/registry/backup-job";
import { GARBAGE_COLLECTION_JOB_NAME } from "../../lib/registry/garbage-collection";
import { MAINTENANCE_FLAGS } from "../../lib/registry/registry-paths";
import { configFrom, merge, rawEnvironment } from "../helpers/config";
import { REGISTRY_SCRAPE_JOB } from "../../lib/monitoring/scrape-targets";
import { DEFAULT_ENVIRONMENT, httpGet } from "./support/registry";
import { pushImage, startRegistryScenario, type RegistryScenario } from "./support/scenario";
import {
  cleanupTempDirs,
  freePorts,
  makeTempDir,
  REGISTRY_TOOLS,
  requireTools,
  run,
  startProcess,
  stopAll,
  stopProcess,
  waitFor,
  requireTool,
} from "./support/tools";

interface QueryResult {
  readonly status: string;
  readonly data: { readonly result: Array<{ metric: Record<string, string>; value: unknown }> };
}

describe("alert rules with Prometheus and the emitted registry", () => {
  let tmp: string;
  let scenario: RegistryScenario;
  let prometheusPort: number;
  let rules: AlertRule[];
  const namespace = "registry";
  /** The name patterns of a side's link, as VpnLink makes them (`app-to-onprem`). */
  const APP_LINK = {
    tunnels: "app-to-onprem-(reverse-)?[0-9]+",
    bgpPeers: "app-to-onprem-(reverse-)?[0-9]+-bgp",
  };

  const query = async (expr: string): Promise<QueryResult["data"]["result"]> => {
    const url = `http://127.0.0.1:${prometheusPort}/api/v1/query?query=${encodeURIComponent(expr)}`;
    const response = await httpGet(url);
    const body = JSON.parse(response.body) as QueryResult;
    if (response.status !== 200 || body.status !== "success") {
      throw new Error(`query ${expr} failed: ${response.status} ${response.body}`);
    }
    return body.data.result;
  };
  /** The two maintenance CronJobs, the backup with a longer deadline than collection's. */
  const MAINTENANCE_JOBS: MaintenanceJobWatch[] = [
    {
      cronJob: GARBAGE_COLLECTION_JOB_NAME,
      deadlineSeconds: 3600,
      readOnly: { flag: MAINTENANCE_FLAGS.garbageCollection },
    },
    {
      cronJob: BACKUP_JOB_NAME,
      deadlineSeconds: 7200,
      readOnly: { flag: MAINTENANCE_FLAGS.backup },
    },
  ];
  const CACHE_KUBELET: CacheAlertRuleProps = { storageUtilization: 0.8, volumeMetrics: "kubelet" };

  /** A label set in PromQL series notation. */
  const series = (name: string, labels: Record<string, string>) =>
    `${name}{${Object.entries(labels)
      .map(([key, value]) => `${key}="${value}"`)
      .join(",")}}`;
  const annotationsOf = (rules: readonly AlertRule[], id: string) => {
    const rule = rules.find((candidate) => candidate.id === id);
    return { summary: rule?.displayName, description: rule?.documentation };
  };
  /** `promtool test rules` of these rules on one test group; its output is returned. */
  const promtoolTest = (name: string, rules: readonly AlertRule[], group: object): string => {
    const file = join(tmp, `${name}-rules.yaml`);
    writeFileSync(file, renderPrometheusRules(rules));
    const tests = join(tmp, `${name}-rules.test.yaml`);
    writeFileSync(
      tests,
      stringify({ rule_files: [file], evaluation_interval: "1m", tests: [group] }),
    );
    const result = run("promtool", ["test", "rules", tests]);
    expect(result.output).toContain("SUCCESS");
    expect(result.status).toBe(0);
    return result.output;
  };

  const ruleQuery = (id: string) => {
    const rule = rules.find((candidate) => candidate.id === id);
    if (!rule) throw new Error(`no rule ${id}`);
    return rule.query;
  };

  beforeAll(async () => {
    requireTools([...REGISTRY_TOOLS, ["prometheus", "prometheus"], ["promtool", "prometheus"]]);
    tmp = makeTempDir("alerts");
    rules = [
      ...registryAlertRules({
        namespace,
        job: REGISTRY_SCRAPE_JOB,
        serverErrorRatio: 0.05,
        storageUtilization: 0.8,
      }),
      ...vpnAlertRules(APP_LINK),
      certificateAlertRule("1893456000", "registry server certificate", {
        issuedBy: "onprem-network",
        servedBy: "workloads",
        alertIn: "cloud-network",
      }),
      ...maintenanceAlertRules({ namespace, jobs: MAINTENANCE_JOBS }),
      // The Cloud Monitoring variant (GKE's system metric) has a test of its own below.
      ...cacheAlertRules(CACHE_KUBELET),
    ];
    scenario = await startRegistryScenario(DEFAULT_ENVIRONMENT, tmp);
    pushImage(scenario);
    [prometheusPort] = await freePorts(1);
    const dir = join(tmp, "prometheus");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "prometheus.yml"),
      stringify({
        global: { scrape_interval: "1s", evaluation_interval: "1s" },
        scrape_configs: [
          {
            // What the PodMonitoring/ServiceMonitor produce: job = REGISTRY_SCRAPE_JOB, the
            // pod's namespace as `namespace`.
            job_name: REGISTRY_SCRAPE_JOB,
            metrics_path: scenario.registry.env.REGISTRY_HTTP_DEBUG_PROMETHEUS_PATH,
            static_configs: [
              {
                targets: [`127.0.0.1:${scenario.registry.debugPort}`],
                labels: { namespace },
              },
            ],
          },
          {
            // The cache is Distribution too, scraped under its own job and namespace: the
            // same port stands in for it here.
            job_name: CACHE_NAME,
            metrics_path: scenario.registry.env.REGISTRY_HTTP_DEBUG_PROMETHEUS_PATH,
            static_configs: [
              {
                targets: [`127.0.0.1:${scenario.registry.debugPort}`],
                labels: { namespace: CACHE_NAME },
              },
            ],
          },
        ],
      }),
    );
    startProcess(
      "prometheus",
      requireTool("prometheus", "prometheus"),
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
      ],
      { env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, logDir: dir },
    );
    await waitFor(
      "Prometheus to scrape the registry",
      async () => ((await query(`up{job="${REGISTRY_SCRAPE_JOB}"}`)).length > 0 ? true : undefined),
      { timeoutMs: 30000 },
    );
  });

  afterAll(async () => {
    await stopAll();
    cleanupTempDirs();
  });

  test("every rule of the alert policies is valid PromQL (promtool check rules)", () => {
    const file = join(tmp, "rules.yaml");
    writeFileSync(file, renderPrometheusRules(rules));
    const result = run("promtool", ["check", "rules", file]);
    expect(result.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(result.status).toBe(0);
  });

  test("VPN alerts fire for this link's tunnels and sessions only, both ends (promtool test rules)", () => {
    // The on-prem project, holding every side's reverse tunnels, is in one side's metrics
    // scope: another side's tunnel going down must not page this side.
    const file = join(tmp, "vpn-rules.yaml");
    const vpnRules = vpnAlertRules(APP_LINK);
    writeFileSync(file, renderPrometheusRules(vpnRules));
    const tunnel = (name: string) =>
      `vpn_googleapis_com:tunnel_established{monitored_resource="vpn_gateway",tunnel_name="${name}"}`;
    const peer = (name: string) =>
      `router_googleapis_com:bgp_session_up{monitored_resource="gce_router",bgp_peer_name="${name}"}`;
    const annotations = (id: string) => {
      const rule = vpnRules.find((candidate) => candidate.id === id);
      return { summary: rule?.displayName, description: rule?.documentation };
    };
    const tests = join(tmp, "vpn-rules.test.yaml");
    writeFileSync(
      tests,
      stringify({
        rule_files: [file],
        evaluation_interval: "1m",
        tests: [
          {
            interval: "1m",
            input_series: [
              { series: tunnel("app-to-onprem-0"), values: "1x10" },
              { series: tunnel("app-to-onprem-reverse-1"), values: "0x10" },
              { series: tunnel("staging-to-onprem-reverse-1"), values: "0x10" },
              { series: tunnel("app-to-onprem-10x"), values: "0x10" },
              { series: peer("app-to-onprem-1-bgp"), values: "0x10" },
              { series: peer("staging-to-onprem-reverse-0-bgp"), values: "0x10" },
            ],
            alert_rule_test: [
              {
                eval_time: "6m",
                alertname: "vpn_tunnel_down",
                exp_alerts: [
                  {
                    exp_labels: { severity: "error", tunnel_name: "app-to-onprem-reverse-1" },
                    exp_annotations: annotations("vpn-tunnel-down"),
                  },
                ],
              },
              {
                eval_time: "6m",
                alertname: "bgp_session_down",
                exp_alerts: [
                  {
                    exp_labels: { severity: "error", bgp_peer_name: "app-to-onprem-1-bgp" },
                    exp_annotations: annotations("bgp-session-down"),
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const result = run("promtool", ["test", "rules", tests]);
    expect(result.output).toContain("SUCCESS");
    expect(result.status).toBe(0);
  });

  test("the largest scrape interval the config accepts is the largest Prometheus accepts (promtool)", () => {
    // lib/config/schema.ts refuses intervals past Go's largest duration; Prometheus parses
    // scrape_interval into a Go time.Duration and refuses the configuration past it.
    const largest = `${String(GO_DURATION_MAX_SECONDS)}s`;
    const beyond = `${String(GO_DURATION_MAX_SECONDS + 1n)}s`;
    const check = (interval: string) => {
      const file = join(tmp, `interval-${interval}.yml`);
      writeFileSync(
        file,
        stringify({
          scrape_configs: [
            { job_name: "r", scrape_interval: interval, static_configs: [{ targets: ["x:1"] }] },
          ],
        }),
      );
      return run("promtool", ["check", "config", file]);
    };
    expect(check(largest).status).toBe(0);
    const refused = check(beyond);
    expect(refused.status).not.toBe(0);
    console.log(
      `promtool on scrape_interval ${beyond}: ${refused.output.trim().split("\n").pop()}`,
    );
    expect(() =>
      configFrom(
        merge(rawEnvironment("environments/example.yaml"), {
          registry: { metrics: { interval: largest } },
        }),
      ),
    ).not.toThrow();
    expect(() =>
      configFrom(
        merge(rawEnvironment("environments/example.yaml"), {
          registry: { metrics: { interval: beyond } },
        }),
      ),
    ).toThrow(/registry\.metrics\.interval: is longer than the collector accepts/);
  });

  test("the registry's series carry what the rules select on", async () => {
    const requests = await query(
      `sum by (code) (registry_http_requests_total{namespace="${namespace}"})`,
    );
    expect(requests.length).toBeGreaterThan(0);
    const codes = requests.map((sample) => sample.metric.code).sort();
    console.log(`registry_http_requests_total by code, as scraped: ${codes.join(", ")}`);
    // The 5xx query evaluates (no server errors here: an empty result, not an error).
    expect(await query(ruleQuery("registry-server-errors"))).toEqual([]);
  });

  test('"registry down" stays quiet while the registry runs and fires once it stops', async () => {
    expect(await query(ruleQuery("registry-down"))).toEqual([]);
    await waitFor(
      "Prometheus to scrape the cache's job",
      async () => ((await query(`up{job="${CACHE_NAME}"} == 1`)).length > 0 ? true : undefined),
      { timeoutMs: 30000 },
    );
    expect(await query(ruleQuery("cache-down"))).toEqual([]);
    await stopProcess(scenario.registry.process);
    const fired = await waitFor(
      "the registry-down query to return a series",
      async () => {
        const result = await query(ruleQuery("registry-down"));
        return result.length > 0 ? result : undefined;
      },
      { timeoutMs: 20000 },
    );
    console.log(`after the registry stopped, registry-down returns ${JSON.stringify(fired)}`);
    const cacheFired = await waitFor(
      "the cache-down query to return a series",
      async () => {
        const result = await query(ruleQuery("cache-down"));
        return result.length > 0 ? result : undefined;
      },
      { timeoutMs: 20000 },
    );
    console.log(`and cache-down, for the job scraped as the cache, ${JSON.stringify(cacheFired)}`);
  });

  test("maintenance job failed: the newest run of a watched CronJob failed, no later success (promtool test rules)", () => {
    const rules = maintenanceAlertRules({ namespace, jobs: MAINTENANCE_JOBS });
    const job = (jobName: string, ns = namespace) => ({ namespace: ns, job_name: jobName });
    const owner = (jobName: string, cronJob: string, ns = namespace) =>
      series("kube_job_owner", {
        ...job(jobName, ns),
        owner_kind: "CronJob",
        owner_name: cronJob,
        owner_is_controller: "true",
      });
    /** One Job of a CronJob as kube-state-metrics shows it, finished `outcome`. */
    const jobRun = (
      jobName: string,
      cronJob: string,
      created: number,
      outcome: "failed" | "complete",
      options: { ns?: string; from?: number } = {},
    ) => {
      const ns = options.ns ?? namespace;
      // Absent (not yet created) until minute `from`, then there for the rest of the test.
      const values = (value: number) => `${"_ ".repeat(options.from ?? 0)}${String(value)}x20`;
      const condition = outcome === "failed" ? "kube_job_failed" : "kube_job_complete";
      return [
        { series: owner(jobName, cronJob, ns), values: values(1) },
        { series: series("kube_job_created", job(jobName, ns)), values: values(created) },
        ...["true", "false", "unknown"].map((state) => ({
          series: series(condition, { ...job(jobName, ns), condition: state }),
          values: values(state === "true" ? 1 : 0),
        })),
      ];
    };
    const gc = GARBAGE_COLLECTION_JOB_NAME;
    const backup = BACKUP_JOB_NAME;
    promtoolTest("maintenance-failed", rules, {
      interval: "1m",
      input_series: [
        // Collection: a success, then a failure (fires) until a later success at minute 5.
        ...jobRun(`${gc}-100`, gc, 100, "complete"),
        ...jobRun(`${gc}-200`, gc, 200, "failed"),
        ...jobRun(`${gc}-300`, gc, 300, "complete", { from: 5 }),
        // Backup: a failure followed by a success (quiet).
        ...jobRun(`${backup}-100`, backup, 100, "failed"),
        ...jobRun(`${backup}-200`, backup, 200, "complete"),
        // Another CronJob's failure, and a watched name's in another namespace (quiet).
        ...jobRun("other-cron-400", "other-cron", 400, "failed"),
        ...jobRun(`${gc}-500`, gc, 500, "failed", { ns: "elsewhere" }),
      ],
      alert_rule_test: [
        {
          eval_time: "2m",
          alertname: "maintenance_job_failed",
          exp_alerts: [
            {
              exp_labels: { severity: "error", namespace, owner_name: gc },
              exp_annotations: annotationsOf(rules, "maintenance-job-failed"),
            },
          ],
        },
        { eval_time: "8m", alertname: "maintenance_job_failed", exp_alerts: [] },
      ],
    });
  });

  test("maintenance job past its deadline: a Job still active 5 minutes after its own deadline (promtool test rules)", () => {
    const rules = maintenanceAlertRules({ namespace, jobs: MAINTENANCE_JOBS });
    const job = (jobName: string, cronJob: string, active: number, ns = namespace) => [
      {
        series: series("kube_job_owner", {
          namespace: ns,
          job_name: jobName,
          owner_kind: "CronJob",
          owner_name: cronJob,
          owner_is_controller: "true",
        }),
        values: "1x90",
      },
      // Started at the epoch: time() - start is the evaluation time.
      {
        series: series("kube_job_status_start_time", { namespace: ns, job_name: jobName }),
        values: "0x90",
      },
      {
        series: series("kube_job_status_active", { namespace: ns, job_name: jobName }),
        values: `${String(active)}x90`,
      },
    ];
    const gc = GARBAGE_COLLECTION_JOB_NAME;
    const output = promtoolTest("maintenance-overdue", rules, {
      interval: "1m",
      input_series: [
        // Collection (60 min deadline) still running: fires at 66 min.
        ...job(`${gc}-1`, gc, 1),
        // The backup (120 min deadline) running as long: quiet.
        ...job(`${BACKUP_JOB_NAME}-1`, BACKUP_JOB_NAME, 1),
        // A finished collection Job, and a running one in another namespace: quiet.
        ...job(`${gc}-2`, gc, 0),
        ...job(`${gc}-3`, gc, 1, "elsewhere"),
      ],
      alert_rule_test: [
        { eval_time: "64m", alertname: "maintenance_job_overdue", exp_alerts: [] },
        {
          eval_time: "70m",
          alertname: "maintenance_job_overdue",
          exp_alerts: [
            {
              exp_labels: { severity: "error", namespace, job_name: `${gc}-1`, owner_name: gc },
              exp_annotations: annotationsOf(rules, "maintenance-job-overdue"),
            },
          ],
        },
      ],
    });
    console.log(`promtool on the overdue rule: ${output.trim().split("\n").pop() ?? ""}`);
  });

  test("cache down and cache storage fire for the cache only (promtool test rules)", () => {
    const rules = cacheAlertRules(CACHE_KUBELET);
    const claim = (ns: string, name: string) => ({ namespace: ns, persistentvolumeclaim: name });
    promtoolTest("cache", rules, {
      interval: "1m",
      input_series: [
        // The cache answers for 10 minutes, then not; the registry's scrape is down throughout.
        { series: series("up", { namespace: CACHE_NAME, job: CACHE_NAME }), values: "1x10 0x30" },
        { series: series("up", { namespace, job: REGISTRY_SCRAPE_JOB }), values: "0x40" },
        // The cache's claim: half full, then 90% from minute 11.
        {
          series: series("kubelet_volume_stats_capacity_bytes", claim(CACHE_NAME, CACHE_CLAIM)),
          values: "100x40",
        },
        {
          series: series("kubelet_volume_stats_available_bytes", claim(CACHE_NAME, CACHE_CLAIM)),
          values: "50x10 10x30",
        },
        // The registry's own claim nearly full: not the cache's alert.
        {
          series: series("kubelet_volume_stats_capacity_bytes", claim(namespace, "registry-data")),
          values: "100x40",
        },
        {
          series: series("kubelet_volume_stats_available_bytes", claim(namespace, "registry-data")),
          values: "1x40",
        },
      ],
      alert_rule_test: [
        { eval_time: "10m", alertname: "cache_down", exp_alerts: [] },
        {
          eval_time: "20m",
          alertname: "cache_down",
          exp_alerts: [
            {
              exp_labels: { severity: "critical" },
              exp_annotations: annotationsOf(rules, "cache-down"),
            },
          ],
        },
        { eval_time: "24m", alertname: "cache_storage", exp_alerts: [] },
        {
          eval_time: "30m",
          alertname: "cache_storage",
          exp_alerts: [
            {
              exp_labels: { severity: "warning" },
              exp_annotations: annotationsOf(rules, "cache-storage"),
            },
          ],
        },
      ],
    });
    // No scrape of the cache at all (the PodMonitoring missing, the namespace gone): down too.
    promtoolTest("cache-absent", rules, {
      interval: "1m",
      input_series: [
        { series: series("up", { namespace, job: REGISTRY_SCRAPE_JOB }), values: "1x10" },
      ],
      alert_rule_test: [
        {
          eval_time: "6m",
          alertname: "cache_down",
          exp_alerts: [
            {
              exp_labels: { severity: "critical", namespace: CACHE_NAME, job: CACHE_NAME },
              exp_annotations: annotationsOf(rules, "cache-down"),
            },
          ],
        },
      ],
    });
  });

  test("the Cloud Monitoring variant watches its own cluster's cache only (promtool test rules)", () => {
    const rules = cacheAlertRules({
      storageUtilization: 0.8,
      volumeMetrics: "gke",
      cluster: "prod-cluster",
    });
    const target = (cluster: string) => ({ namespace: CACHE_NAME, job: CACHE_NAME, cluster });
    const volume = (cluster: string) =>
      series("kubernetes_io:pod_volume_utilization", {
        monitored_resource: "k8s_pod",
        cluster_name: cluster,
        namespace_name: CACHE_NAME,
        pod_name: `${CACHE_NAME}-abc`,
        volume_name: "data",
      });
    promtoolTest("cache-gke", rules, {
      interval: "1m",
      input_series: [
        // Another side's cache in the same metrics scope: down and full throughout.
        { series: series("up", target("dev-cluster")), values: "0x40" },
        { series: volume("dev-cluster"), values: "0.95x40" },
        // This side's: up throughout, its volume 90% full from minute 11.
        { series: series("up", target("prod-cluster")), values: "1x40" },
        { series: volume("prod-cluster"), values: "0.5x10 0.9x30" },
      ],
      alert_rule_test: [
        { eval_time: "30m", alertname: "cache_down", exp_alerts: [] },
        { eval_time: "24m", alertname: "cache_storage", exp_alerts: [] },
        {
          eval_time: "30m",
          alertname: "cache_storage",
          exp_alerts: [
            {
              exp_labels: { severity: "warning" },
              exp_annotations: annotationsOf(rules, "cache-storage"),
            },
          ],
        },
      ],
    });
  });
});
