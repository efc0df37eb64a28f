import { ConfigError } from "../lib/config/load";
import { garbageCollectionScript } from "../lib/registry/garbage-collection";
import { READ_ONLY_ENV } from "../lib/registry/read-only-rollout";
import { configFrom, merge, rawEnvironment } from "./helpers/config";
import { stacksOf, type SynthName } from "./helpers/environments";
import { podSpecOfWorkload, resourcesOf, type StackJson } from "./helpers/json";
import { synthesizeInProcess } from "./helpers/synth-process";

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
      readOnly: {
        kind: "volume-flag",
        dataDir: "/data",
        readOnlyFlag: "/data/maintenance/read-only",
        drainSeconds: 5,
      },
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
      /registry\.garbageCollection\.enabled: needs storage a job can reach/,
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

  describe("on bucket storage (gcs, two replicas)", () => {
    const stack = () => stacksOf("gcOnGcs").workloads;
    const job = () => gcJob("gcOnGcs");
    const pod = () => podSpecOfWorkload(job());

    it("is allowed on buckets and stays opt-in there", () => {
      expect(cronJobs(stacksOf("gcsReplicas").workloads)).toEqual([]);
      expect(job().metadata).toMatchObject({ name: "registry-garbage-collect" });
    });

    it("runs the registry's own collector, copied out of its image, beside curl", () => {
      const init = (pod().init_container as Json[])[0];
      expect(init.image).toBe("registry:3.1.1");
      expect((init.command as string[])[2]).toBe(
        'cp "$(command -v registry)" /tools/registry && cp /etc/distribution/config.yml /tools/config.yml',
      );
      const container = (pod().container as Json[])[0];
      expect(container.image).toBe("curlimages/curl:8.14.1");
      expect(container.volume_mount).toEqual([{ name: "tools", mount_path: "/tools" }]);
      expect(pod().volume).toEqual([{ name: "tools", empty_dir: {} }]);
      // Same store as the registry: the gcs driver env, no volume, no node pinning.
      const env = Object.fromEntries(
        (container.env as Json[]).map((variable) => [variable.name, variable.value]),
      );
      expect(env.REGISTRY_STORAGE).toBe("gcs");
      expect(pod().affinity).toBeUndefined();
    });

    it("may only read and patch the registry's Deployment, as its own service account", () => {
      expect(pod()).toMatchObject({
        service_account_name: expect.stringMatching(
          /^\$\{kubernetes_service_account_v1\.garbage-collection_service-account_\w+\.metadata\[0\]\.name\}$/,
        ) as unknown,
        automount_service_account_token: true,
      });
      const [[, role]] = resourcesOf(stack(), "kubernetes_role_v1").filter(
        ([, body]) => (body.metadata as Json).name === "registry-garbage-collect",
      );
      expect(role.rule).toEqual([
        {
          api_groups: ["apps"],
          resources: ["deployments"],
          resource_names: ["registry"],
          verbs: ["get", "patch"],
        },
      ]);
      const accounts = resourcesOf(stack(), "kubernetes_service_account_v1").map(
        ([, body]) => body.metadata as Json,
      );
      const collector = accounts.find((account) => account.name === "registry-garbage-collect");
      expect(collector?.annotations).toEqual({
        "iam.gke.io/gcp-service-account":
          "${data.terraform_remote_state.onprem_state_B8ECE498.outputs.registry_storage_service_account}",
      });
    });

    it("lets the collector act as the bucket's Google service account; aborts stale multipart uploads", () => {
      const onprem = stacksOf("gcOnGcs")["onprem-network"];
      const members = resourcesOf(onprem, "google_service_account_iam_member").map(
        ([, body]) => body.member,
      );
      expect(members.map((member) => String(member).replace(/^.*\[/, "[")).sort()).toEqual([
        "[registry/registry-garbage-collect]",
        "[registry/registry]",
      ]);
      const [[, bucket]] = resourcesOf(onprem, "google_storage_bucket");
      expect(bucket.lifecycle_rule).toContainEqual({
        condition: { age: 7 },
        action: { type: "AbortIncompleteMultipartUpload" },
      });
      // Without collection the registry's grant is the only one.
      expect(
        resourcesOf(stacksOf("gcsReplicas")["onprem-network"], "google_service_account_iam_member"),
      ).toHaveLength(1);
    });

    it("rolls every replica into Distribution's read-only mode, collects, and always rolls back", () => {
      const lines = scriptOf(job()).split("\n");
      const at = (text: string) =>
        text.endsWith("'") || text.endsWith("{")
          ? lines.findIndex((line) => line.startsWith(text))
          : lines.indexOf(text);
      const patchOn = lines.find((line) => line.startsWith("read_only() {"));
      expect(patchOn).toContain(
        JSON.stringify({ name: READ_ONLY_ENV.name, value: READ_ONLY_ENV.value }),
      );
      expect(lines.find((line) => line.startsWith("writable() {"))).toContain(
        '{"$patch":"delete","name":"REGISTRY_STORAGE_MAINTENANCE_READONLY"}',
      );
      expect(lines.findIndex((line) => line.startsWith("trap 'writable"))).toBeGreaterThan(0);
      expect(at("read_only")).toBeGreaterThan(
        lines.findIndex((line) => line.startsWith("trap 'writable")),
      );
      expect(at("wait_rolled_out")).toBeGreaterThan(at("read_only"));
      // Replaced pods may still finish uploads for their termination grace period (75 s).
      expect(at("sleep 75 &")).toBeGreaterThan(at("wait_rolled_out"));
      const collect = at("/tools/registry garbage-collect /tools/config.yml &");
      expect(collect).toBeGreaterThan(at("sleep 75 &"));
      expect(lines.slice(collect + 1)).toEqual(
        expect.arrayContaining(["trap - EXIT", "writable", "wait_rolled_out"]),
      );
      expect(lines.join("\n")).not.toMatch(/du -sk/);
      // No Terraform template sequence may reach the JSON.
      expect(scriptOf(job())).not.toMatch(/[$%]\{/);
    });
  });

  it("on s3 behind a private CA, mounts the CA the storage env's SSL_CERT_DIR names", () => {
    const config = configFrom(
      merge(rawEnvironment("environments/standalone-k3s.yaml"), {
        registry: {
          storage: {
            type: "s3",
            bucket: "registry",
            endpoint: "https://objects.lab.internal:9000",
            accessKeyId: "registry",
            caCertificateFile: "__tests__/fixtures/storage-ca.pem",
            size: null,
            storageClass: null,
          },
          garbageCollection: { enabled: true },
        },
      }),
    );
    const [stacks] = synthesizeInProcess([config]);
    const stack = Object.values(stacks).find((candidate) => cronJobs(candidate).length > 0);
    if (!stack) throw new Error("no garbage-collection CronJob");
    const pod = podSpecOfWorkload(cronJobs(stack)[0]);
    const container = (pod.container as Json[])[0];
    const env = Object.fromEntries(
      (container.env as Json[]).map((variable) => [variable.name, variable.value]),
    );
    expect(env.SSL_CERT_DIR).toBe("/storage-ca");
    expect(container.volume_mount).toContainEqual({
      name: "secret-0",
      mount_path: "/storage-ca",
      read_only: true,
    });
    expect(pod.volume).toContainEqual({
      name: "secret-0",
      secret: { secret_name: expect.stringMatching(/storage-ca/) as unknown },
    });
  });
});
