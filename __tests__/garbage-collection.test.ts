import { ConfigError } from "../lib/config/load";
import { garbageCollectionScript } from "../lib/registry/garbage-collection";
import { configFrom, merge, rawEnvironment } from "./helpers/config";
import { stacksOf, type SynthName } from "./helpers/environments";
import { podSpecOfWorkload, resourcesOf, type StackJson } from "./helpers/json";

type Json = Record<string, unknown>;

function cronJobs(stack: StackJson): Json[] {
  return resourcesOf(stack, "kubernetes_cron_job_v1").map(([, body]) => body);
}

function gcJob(name: SynthName): Json {
  const jobs = cronJobs(stacksOf(name).workloads);
  expect(jobs).toHaveLength(1);
  return jobs[0];
}

function registryContainer(stack: StackJson): Json {
  const deployment = resourcesOf(stack, "kubernetes_deployment_v1").find(
    ([, body]) => (body.metadata as Json).name === "registry",
  );
  if (!deployment) throw new Error("no registry Deployment");
  return (podSpecOfWorkload(deployment[1]).container as Json[])[0];
}

const scriptOf = (job: Json) =>
  ((podSpecOfWorkload(job).container as Json[])[0].command as string[])[2];

describe("garbage collection", () => {
  it("runs weekly by default, one at a time, and is retried by the next schedule", () => {
    const job = gcJob("default");
    expect(job.metadata).toMatchObject({ name: "registry-garbage-collect" });
    const spec = job.spec as Json;
    expect(spec).toMatchObject({
      schedule: "30 3 * * 0",
      timezone: "Etc/UTC",
      concurrency_policy: "Forbid",
    });
    expect((spec.job_template as Json).spec).toMatchObject({
      backoff_limit: 0,
      active_deadline_seconds: 3600,
    });
  });

  it("makes the registry read-only, drains writes, collects, and always lifts read-only", () => {
    const lines = scriptOf(gcJob("default")).split("\n");
    const at = (text: string) => lines.findIndex((line) => line.includes(text));
    expect(
      at("trap 'rm -f /var/lib/registry/maintenance/garbage-collection' EXIT"),
    ).toBeGreaterThan(0);
    expect(at(": > /var/lib/registry/maintenance/garbage-collection")).toBeGreaterThan(
      at("trap 'rm"),
    );
    expect(at("sleep 30 &")).toBeGreaterThan(at(": > /var/lib/registry"));
    expect(lines).toContain("registry garbage-collect /etc/distribution/config.yml &");
    expect(at("registry garbage-collect")).toBeGreaterThan(at("sleep 30"));
    // Writes come back as soon as the collector is done, before the (slow) size measurement.
    const lifted = lines.indexOf("rm -f /var/lib/registry/maintenance/garbage-collection");
    expect(lifted).toBeGreaterThan(at("registry garbage-collect"));
    expect(lifted).toBeLessThan(at("after=$(du"));
    expect(lines[lines.length - 1]).toContain("reclaimed: $((before - after)) KiB");
    // No Terraform template sequence may reach the JSON.
    expect(scriptOf(gcJob("default"))).not.toMatch(/[$%]\{/);
  });

  it("passes --dry-run and --delete-untagged, and a dry run never turns writes away", () => {
    const script = scriptOf(gcJob("gcUntaggedDryRun"));
    expect(script).toContain("registry garbage-collect --dry-run --delete-untagged");
    expect(script).not.toContain("read-only");
    expect(gcJob("gcUntaggedDryRun").spec).toMatchObject({
      schedule: "@daily",
      timezone: "Europe/Berlin",
    });
    const wet = garbageCollectionScript({
      dataDir: "/data",
      readOnlyFlag: "/data/maintenance/read-only",
      drainSeconds: 5,
      deleteUntagged: true,
      dryRun: false,
    });
    expect(wet).toContain(
      "registry garbage-collect --delete-untagged /etc/distribution/config.yml",
    );
    expect(wet).toContain(": > /data/maintenance/read-only");
  });

  it("sees the registry's storage: same volume, same storage env, on the claim's node", () => {
    const stack = stacksOf("default").workloads;
    const pod = podSpecOfWorkload(gcJob("default"));
    const container = (pod.container as Json[])[0];
    const registry = registryContainer(stack);
    const storageEnv = (registry.env as Json[]).filter((variable) =>
      /^(REGISTRY_STORAGE_FILESYSTEM|REGISTRY_STORAGE_CACHE|REGISTRY_LOG|OTEL)/.test(
        String(variable.name),
      ),
    );
    expect(container.env).toEqual(storageEnv);
    expect(container.image).toBe(registry.image);
    expect(container.volume_mount).toEqual([{ name: "data", mount_path: "/var/lib/registry" }]);
    expect(pod.automount_service_account_token).toBe(false);
    expect(pod.affinity).toEqual({
      pod_affinity: {
        required_during_scheduling_ignored_during_execution: [
          {
            label_selector: [{ match_labels: { "app.kubernetes.io/name": "registry" } }],
            topology_key: "kubernetes.io/hostname",
          },
        ],
      },
    });
  });

  it("runs on the data's node with hostPath storage", () => {
    const pod = podSpecOfWorkload(gcJob("exampleHostPath"));
    expect(pod.node_name).toBe("node-1");
    expect(pod.affinity).toBeUndefined();
  });

  it("switches the registry's blob descriptor cache off only when collected", () => {
    const env = (name: SynthName) =>
      Object.fromEntries(
        (registryContainer(stacksOf(name).workloads).env as Json[]).map((v) => [v.name, v.value]),
      );
    expect(env("default").REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR).toBe("disabled");
    expect(env("gcOff").REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR).toBeUndefined();
    expect(cronJobs(stacksOf("gcOff").workloads)).toEqual([]);
  });

  it("is off by default for emptyDir storage, and refused there when asked for", () => {
    expect(cronJobs(stacksOf("emptyDirStorage").workloads)).toEqual([]);
    const asked = merge(rawEnvironment("environments/standalone-k3s.yaml"), {
      registry: {
        storage: { type: "emptyDir", size: null, storageClass: null },
        garbageCollection: { enabled: true },
      },
    });
    expect(() => configFrom(asked)).toThrow(ConfigError);
    expect(() => configFrom(asked)).toThrow(
      /registry\.garbageCollection\.enabled: needs storage a job can mount/,
    );
  });

  it("refuses a malformed schedule or an unknown time zone", () => {
    const base = rawEnvironment("environments/example.yaml");
    const withGc = (garbageCollection: Json) =>
      configFrom(merge(base, { registry: { garbageCollection } }));
    expect(() => withGc({ schedule: "every sunday" })).toThrow(
      /registry\.garbageCollection\.schedule: is not a schedule Kubernetes accepts: expected 5 fields/,
    );
    expect(() => withGc({ schedule: "TZ=UTC 0 3 * * 0" })).toThrow(/timeZone/);
    expect(() => withGc({ timeZone: "Mars/Olympus" })).toThrow(
      /registry\.garbageCollection\.timeZone: unknown time zone "Mars\/Olympus"/,
    );
    // Kubernetes parses schedules with robfig/cron and zones with Go's case-sensitive
    // time.LoadLocation: these passed a character-class check and Node's Intl before.
    for (const schedule of ["0 3 * * 7", "60 * * * *", "0 0 1-31/0 * *", "- - - - -"]) {
      expect(() => withGc({ schedule })).toThrow(/garbageCollection\.schedule: is not a schedule/);
    }
    expect(() => withGc({ timeZone: "europe/berlin" })).toThrow(
      /names are case-sensitive, did you mean Europe\/Berlin\?/,
    );
    expect(
      withGc({ schedule: "0 */6 * * 1-5", timeZone: "America/New_York" }).registry,
    ).toMatchObject({ garbageCollection: { schedule: "0 */6 * * 1-5" } });
  });
});
