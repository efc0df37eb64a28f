/**
 * The alert rules against real software: every rule the alert policies carry passes
 * `promtool check rules` (Debian's prometheus package), and a real Prometheus scraping the
 * emitted registry's metrics port (labelled like the PodMonitoring/ServiceMonitor do:
 * namespace, job) finds the series the registry rules select, keeps "registry down" quiet
 * while the registry runs and fires it once the registry stops.
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
import { GO_DURATION_MAX_SECONDS } from "../../lib/config/go-duration";
import { renderPrometheusRules } from "../../lib/monitoring/prometheus-rules";
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
  });
});
