import { seedJobName } from "../lib/registry/seed-job";
import { clusterChecks, runCommandChecks } from "../lib/verify/cluster-checks";
import { SEED_JOB_ADDRESS, seedJobCheck } from "../lib/verify/seed-check";
import { configOf, stacksOf } from "./helpers/environments";
import { resourcesOf } from "./helpers/json";

type Json = Record<string, unknown>;

describe("npm run verify: the cluster checks it runs", () => {
  const checks = clusterChecks({
    routers: [
      { name: "app-router", region: "europe-west1", project: "app-project-123" },
      { name: "on-prem-router", region: "europe-west1", project: "onprem-project-123" },
    ],
    appContext: "gke_app",
    appNamespace: "apps",
    registryFqdn: "registry.onprem.internal",
    sampleImage: "registry.onprem.internal/stack-labs/nginx:stable",
    toolImage: "busybox:1.37.0",
  });

  it("prints exact commands: routers by name and region, pods in the app namespace", () => {
    expect(checks.map((c) => c.command.join(" "))).toEqual([
      "gcloud compute routers get-status app-router --region europe-west1 --project app-project-123 --format=json",
      "gcloud compute routers get-status on-prem-router --region europe-west1 --project onprem-project-123 --format=json",
      "kubectl --context gke_app -n apps run verify-dns --rm -i --restart=Never --quiet --image=busybox:1.37.0 -- nslookup registry.onprem.internal",
      "kubectl --context gke_app -n apps run verify-pull --rm -i --restart=Never --quiet --image=registry.onprem.internal/stack-labs/nginx:stable --command -- true",
      "kubectl --context gke_app -n apps rollout status deployment/nginx-from-registry --timeout=120s",
    ]);
  });

  it("reads BGP session states from gcloud's JSON", () => {
    const [bgp] = checks;
    const status = (states: string[]) =>
      JSON.stringify({
        result: { bgpPeerStatus: states.map((s, i) => ({ name: `peer-${i}`, status: s })) },
      });
    expect(bgp.evaluate(status(["UP", "UP"]), 0)).toMatchObject({
      ok: true,
      detail: "2 sessions UP",
    });
    expect(bgp.evaluate(status(["UP", "DOWN"]), 0)).toMatchObject({
      ok: false,
      detail: "down: peer-1",
    });
    expect(bgp.evaluate(status([]), 0)).toMatchObject({ ok: false, detail: "no BGP peers" });
    expect(bgp.evaluate("", 1)).toMatchObject({ ok: false });
  });

  it("fails a pull whose pod did not run", () => {
    const pull = checks.find((c) => c.check === "pod pulls from the registry");
    expect(pull?.evaluate("", 1).ok).toBe(false);
    expect(pull?.evaluate("", 0).ok).toBe(true);
  });
});

describe("npm run verify: the seeding Job's state", () => {
  const check = seedJobCheck({
    context: "registry-ctx",
    namespace: "registry",
    jobName: "registry-seed-c3cae85c",
    stack: "workloads",
  });
  const jobs = (...items: Json[]) => JSON.stringify({ items });
  const job = (name: string, status: Json) => ({ metadata: { name }, status });
  const failedJob = job("registry-seed-c3cae85c", {
    failed: 7,
    conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded" }],
  });

  it("reads the Jobs by label in the registry's cluster, then a failed Job's last log line", () => {
    expect(check.command.join(" ")).toBe(
      "kubectl --context registry-ctx -n registry get jobs -l app.kubernetes.io/name=registry-seed -o json",
    );
    const outcome = check.evaluate(jobs(failedJob), 0);
    expect(outcome.ok).toBe(false);
    expect(outcome.next?.command.join(" ")).toBe(
      "kubectl --context registry-ctx -n registry logs job/registry-seed-c3cae85c --tail=1",
    );
  });

  it("reports success, a run in progress, a missing Job and a kubectl failure", () => {
    const complete = job("registry-seed-c3cae85c", {
      succeeded: 1,
      completionTime: "2025-01-01T10:00:00Z",
      conditions: [{ type: "Complete", status: "True" }],
    });
    expect(check.evaluate(jobs(complete), 0)).toEqual({
      ok: true,
      check: "seed Job",
      detail: "registry-seed-c3cae85c succeeded at 2025-01-01T10:00:00Z",
    });
    const running = check.evaluate(
      jobs(job("registry-seed-c3cae85c", { active: 1, failed: 2 })),
      0,
    );
    expect(running).toMatchObject({
      ok: false,
      detail: expect.stringContaining("still running (2 failed"),
    });
    expect(running.next).toBeUndefined();
    const missing = check.evaluate(jobs(job("registry-seed-0ld0ld00", { succeeded: 1 })), 0);
    expect(missing).toMatchObject({
      ok: false,
      detail: expect.stringMatching(
        /registry-seed-c3cae85c not found in registry \(found registry-seed-0ld0ld00: another image list\); apply the stack that seeds \(workloads\)/,
      ),
    });
    expect(check.evaluate(jobs(), 0)).toMatchObject({
      ok: false,
      detail: expect.stringContaining("not found"),
    });
    expect(check.evaluate("", 1)).toMatchObject({
      ok: false,
      detail: expect.stringContaining("kubectl failed"),
    });
  });

  it("runs the log command for a failed Job and says how to run it again", () => {
    const ran: string[] = [];
    const printed: string[] = [];
    const outputs: Record<string, string> = {
      get: jobs(failedJob),
      logs: 'time=... level=fatal msg="reading manifest stable in docker.io/library/nginx: toomanyrequests"\n',
    };
    const [result] = runCommandChecks(
      [check],
      (command) => {
        ran.push(command.join(" "));
        return { stdout: outputs[command[5]] ?? "", status: 0 };
      },
      {
        command: (command) => printed.push(command.join(" ")),
        result: (r) => printed.push(r.detail),
      },
    );
    expect(ran).toHaveLength(2);
    expect(printed).toHaveLength(3);
    expect(result.ok).toBe(false);
    expect(result.detail).toContain("registry-seed-c3cae85c failed after 7 attempt(s)");
    expect(result.detail).toContain("toomanyrequests");
    expect(result.detail).toContain(
      `run it again: terraform -chdir=cdktf.out/stacks/workloads apply -replace=${SEED_JOB_ADDRESS}`,
    );
    expect(result).not.toHaveProperty("next");
  });

  it("expects the Job name and address the stacks emit, in the stack verify names", () => {
    for (const [name, stack] of [
      ["default", "workloads"],
      ["standalone", "workloads"],
      ["threeSides", "registry"],
    ] as const) {
      const config = configOf(name);
      const jobsOf = resourcesOf(stacksOf(name)[stack], "kubernetes_job_v1");
      expect(jobsOf.map(([id]) => `kubernetes_job_v1.${id}`)).toEqual([SEED_JOB_ADDRESS]);
      const [[, emitted]] = jobsOf;
      expect((emitted.metadata as Json).name).toBe(
        seedJobName({
          images: config.registry.seedImages,
          registryHost: config.registry.fqdn,
          copyToolImage: config.registry.copyToolImage,
          platform: config.registry.seedPlatform,
          sourceLogin: config.registry.seedSource !== undefined,
        }),
      );
    }
  });

  it("makes the apply wait for the copy and fail when the Job fails", () => {
    const [[, emitted]] = resourcesOf(stacksOf("default").workloads, "kubernetes_job_v1");
    expect(emitted.wait_for_completion).toBe(true);
    expect(emitted.timeouts).toEqual({ create: "30m", update: "30m" });
  });
});
