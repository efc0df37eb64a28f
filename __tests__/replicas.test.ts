import { configFrom, merge, rawEnvironment } from "./helpers/config";
import { stacksOf, type SynthName } from "./helpers/environments";
import { podSpecOfWorkload, resourcesOf, type StackJson } from "./helpers/json";
import { synthesizeInProcess } from "./helpers/synth-process";

type Json = Record<string, unknown>;

function registryDeployment(stack: StackJson): Json {
  const found = resourcesOf(stack, "kubernetes_deployment_v1").find(
    ([, body]) => (body.metadata as Json).name === "registry",
  );
  if (!found) throw new Error("no registry Deployment");
  return found[1];
}

function envOf(name: SynthName): Record<string, unknown> {
  const [registry] = podSpecOfWorkload(registryDeployment(stacksOf(name).workloads))
    .container as Json[];
  return Object.fromEntries(
    (registry.env as Json[]).map((variable) => [
      variable.name,
      variable.value ?? variable.value_from,
    ]),
  );
}

function pdbOf(stack: StackJson): Json {
  const [[, pdb]] = resourcesOf(stack, "kubernetes_pod_disruption_budget_v1").filter(
    ([, body]) => (body.metadata as Json).name === "registry",
  );
  return pdb.spec as Json;
}

describe("a registry on S3 with replicas", () => {
  const stack = stacksOf("s3Replicas").workloads;
  const deployment = registryDeployment(stack);

  it("runs the replicas, rolling one in before one leaves", () => {
    expect(deployment.spec).toMatchObject({
      replicas: "3",
      strategy: { type: "RollingUpdate", rolling_update: { max_unavailable: "0", max_surge: "1" } },
    });
  });

  it("keeps one pod through a drain and spreads them over nodes and zones", () => {
    expect(pdbOf(stack)).toMatchObject({ min_available: "1" });
    const spread = podSpecOfWorkload(deployment).topology_spread_constraint as Json[];
    expect(spread.map((constraint) => constraint.topology_key)).toEqual([
      "kubernetes.io/hostname",
      "topology.kubernetes.io/zone",
    ]);
    for (const constraint of spread) {
      expect(constraint).toMatchObject({
        max_skew: 1,
        when_unsatisfiable: "ScheduleAnyway",
        label_selector: [{ match_labels: { "app.kubernetes.io/name": "registry" } }],
      });
    }
  });

  it("configures Distribution's s3 driver, the secret key from a sensitive variable", () => {
    expect(envOf("s3Replicas")).toMatchObject({
      REGISTRY_STORAGE: "s3",
      REGISTRY_STORAGE_S3_BUCKET: "registry-images",
      REGISTRY_STORAGE_S3_REGION: "us-east-1",
      REGISTRY_STORAGE_S3_REGIONENDPOINT: "https://minio.lab.internal:9000",
      REGISTRY_STORAGE_S3_SECURE: "true",
      REGISTRY_STORAGE_S3_FORCEPATHSTYLE: "true",
      REGISTRY_STORAGE_S3_ACCESSKEY: "registry",
      REGISTRY_STORAGE_S3_ROOTDIRECTORY: "/registry",
      // Nodes reach the registry, not the bucket: blobs are streamed, never redirected.
      REGISTRY_STORAGE_REDIRECT_DISABLE: "true",
      REGISTRY_STORAGE_S3_SECRETKEY: {
        secret_key_ref: { key: "s3-secret-key", name: expect.any(String) },
      },
    });
    expect(envOf("s3Replicas").REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY).toBeUndefined();
    expect(stack.variable?.registry_s3_secret_key).toMatchObject({
      sensitive: true,
      nullable: false,
    });
    const credentials = resourcesOf(stack, "kubernetes_secret_v1").find(
      ([, body]) => (body.metadata as Json).name === "registry-credentials",
    );
    // JSON-quoted: Distribution YAML-parses env values (storage.test.ts, s3-storage.e2e.ts).
    expect((credentials?.[1].data as Json)["s3-secret-key"]).toBe(
      "${jsonencode(var.registry_s3_secret_key)}",
    );
  });

  it("has no claim and no maintenance jobs (the bucket is shared; GC needs a volume)", () => {
    expect(resourcesOf(stack, "kubernetes_persistent_volume_claim_v1")).toEqual([]);
    expect(resourcesOf(stack, "kubernetes_cron_job_v1")).toEqual([]);
    const nginx = resourcesOf(stack, "kubernetes_config_map_v1").find(
      ([, body]) => (body.metadata as Json).name === "registry-auth-proxy",
    );
    expect(String((nginx?.[1].data as Json)["nginx.conf"])).not.toContain("maintenance");
  });
});

describe("a registry on Cloud Storage (simulated on-prem)", () => {
  it("creates a private, versioned bucket and a keyless identity in onprem-network", () => {
    const onprem = stacksOf("gcsReplicas")["onprem-network"];
    const [[, bucket]] = resourcesOf(onprem, "google_storage_bucket");
    expect(bucket).toMatchObject({
      name: "onprem-project-123-registry",
      uniform_bucket_level_access: true,
      public_access_prevention: "enforced",
      versioning: { enabled: true },
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
    const [[, access]] = resourcesOf(onprem, "google_storage_bucket_iam_member");
    expect(access.role).toBe("roles/storage.objectAdmin");
    const [[identityId, identity]] = resourcesOf(onprem, "google_service_account_iam_member");
    // The pool from the cluster's attribute, not a string made from the project id: in a fresh
    // project the pool exists only once the cluster does ("Identity Pool does not exist").
    const [[clusterId]] = resourcesOf(onprem, "google_container_cluster");
    expect(identity).toMatchObject({
      role: "roles/iam.workloadIdentityUser",
      member: `serviceAccount:\${google_container_cluster.${clusterId}.workload_identity_config[0].workload_pool}[registry/registry]`,
    });
    // The apply ends only once the grant has had time to propagate (the registry uses it next).
    const [[, wait]] = resourcesOf(onprem, "time_sleep");
    expect(wait).toMatchObject({
      create_duration: "120s",
      depends_on: [`google_service_account_iam_member.${identityId}`],
    });
    expect(onprem.provider?.time).toBeDefined();
    expect(resourcesOf(onprem, "google_service_account_key")).toEqual([]);
    expect(onprem.output?.registry_bucket?.value).toMatch(/google_storage_bucket\.[\w-]+\.name/);
  });

  it("storage.preventDestroy: false lifts the bucket's prevent_destroy (to destroy onprem-network)", () => {
    // Found by the rehearsal: the bucket's prevent_destroy was fixed, so a gcs environment
    // could not be destroyed without editing code.
    const [onprem] = synthesizeInProcess([
      configFrom(
        merge(rawEnvironment("examples/hybrid-gcs-replicas.yaml"), {
          registry: { storage: { type: "gcs", preventDestroy: false } },
        }),
      ),
    ]).map((stacks) => stacks["onprem-network"]);
    const [[, bucket]] = resourcesOf(onprem, "google_storage_bucket");
    expect(bucket.lifecycle).toEqual({ prevent_destroy: false });
  });

  it("runs the registry as the Kubernetes account Workload Identity maps to it", () => {
    const stack = stacksOf("gcsReplicas").workloads;
    const [[, account]] = resourcesOf(stack, "kubernetes_service_account_v1");
    expect(account.metadata).toMatchObject({
      name: "registry",
      annotations: {
        "iam.gke.io/gcp-service-account": expect.stringMatching(
          /outputs\.registry_storage_service_account\}$/,
        ),
      },
    });
    expect(podSpecOfWorkload(registryDeployment(stack)).service_account_name).toMatch(
      /kubernetes_service_account_v1\./,
    );
    expect(envOf("gcsReplicas")).toMatchObject({
      REGISTRY_STORAGE: "gcs",
      REGISTRY_STORAGE_REDIRECT_DISABLE: "true",
      REGISTRY_STORAGE_GCS_BUCKET: expect.stringMatching(/outputs\.registry_bucket\}$/),
    });
    // Snapshots are for disks: none with a bucket.
    expect(resourcesOf(stack, "google_compute_resource_policy")).toEqual([]);
  });

  it("keeps a single replica on a volume as before", () => {
    const stack = stacksOf("default").workloads;
    expect(registryDeployment(stack).spec).toMatchObject({
      replicas: "1",
      strategy: { type: "Recreate" },
    });
    expect(pdbOf(stack)).toMatchObject({ max_unavailable: "1" });
  });
});

describe("replica and bucket rules", () => {
  const standalone = rawEnvironment("environments/standalone-k3s.yaml");

  it("refuses replicas on a volume, naming the fix", () => {
    expect(() => configFrom(merge(standalone, { registry: { replicas: 2 } }))).toThrow(
      /registry\.replicas: needs bucket storage shared by every replica; pvc storage has one writer/,
    );
  });

  it("refuses gcs storage outside the simulated on-prem, and GC or archives on a bucket", () => {
    const s3 = {
      type: "s3",
      bucket: "images",
      endpoint: "http://10.0.0.5:9000",
      size: null,
      storageClass: null,
    };
    expect(() =>
      configFrom(
        merge(standalone, {
          registry: { storage: { type: "gcs", size: null, storageClass: null } },
        }),
      ),
    ).toThrow(/registry\.storage\.type: is for the simulated on-prem on GKE/);
    // Collection on a bucket is offered (opt-in), archives stay refused.
    expect(
      configFrom(
        merge(standalone, { registry: { storage: s3, garbageCollection: { enabled: true } } }),
      ).registry.garbageCollection.enabled,
    ).toBe(true);
    expect(() =>
      configFrom(
        merge(standalone, {
          registry: {
            storage: s3,
            backup: { archive: { enabled: true, claimName: "registry-backup" } },
          },
        }),
      ),
    ).toThrow(/registry\.backup\.archive\.enabled: archives a volume; s3 storage is a bucket/);
    const plain = configFrom(merge(standalone, { registry: { storage: s3 } }));
    expect(plain.registry.storage).toMatchObject({ type: "s3", region: "us-east-1" });
  });

  it("refuses a malformed bucket or endpoint", () => {
    const withS3 = (storage: Json) =>
      configFrom(
        merge(standalone, {
          registry: { storage: { type: "s3", size: null, storageClass: null, ...storage } },
        }),
      );
    expect(() => withS3({ bucket: "Images_1" })).toThrow(
      /registry\.storage\.bucket: must be an S3 bucket name/,
    );
    expect(() => withS3({ bucket: "images", endpoint: "ftp://x" })).toThrow(
      /registry\.storage\.endpoint: must be an http\(s\) URL/,
    );
  });
});
