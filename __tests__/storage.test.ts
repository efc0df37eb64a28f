/**
 * Registry storage: a bucket endpoint signed by a private CA, S3 secret keys Distribution would
 * read as YAML, and a claim restored from a Persistent Disk snapshot (zonal and regional).
 * The real registry and Terraform run these in __tests__/e2e/s3-storage.e2e.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../lib/config/load";
import { pemCertificateProblem } from "../lib/config/registry/pem-certificate";
import { parsePdVolumeHandle, replicaZonesProblem } from "../lib/gcp/pd-volume-handle";
import { PD_TOPOLOGY_ZONE_KEY } from "../lib/gcp/restored-disk-volume";
import { REGISTRY_PATHS } from "../lib/registry/registry-paths";
import { configFrom, merge, rawEnvironment } from "./helpers/config";
import { resourcesOf, type StackJson } from "./helpers/json";
import { synthesizedOnce } from "./helpers/synth-process";

/** Relative to the repository root, where jest (and synth) run. */
const CA_FILE = "__tests__/fixtures/storage-ca.pem";
const CA_PEM = readFileSync(CA_FILE, "utf8");
const scratch = mkdtempSync(join(tmpdir(), "storage-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A CA file with this text, in a scratch folder. */
function caFile(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

type Json = Record<string, unknown>;

/** The stack holding the registry's Deployment (its name differs between the modes). */
function registryStack(stacks: Record<string, StackJson>): StackJson {
  const found = Object.values(stacks).filter((stack) =>
    resourcesOf(stack, "kubernetes_deployment_v1").some(
      ([, body]) => (body.metadata as Json).name === "registry",
    ),
  );
  if (found.length !== 1) throw new Error(`expected one registry stack, found ${found.length}`);
  return found[0];
}

function only(stack: StackJson, type: string, filter: (id: string) => boolean = () => true) {
  const found = resourcesOf(stack, type).filter(([id]) => filter(id));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0][1];
}

function registryTemplate(stack: StackJson): Json {
  const [, deployment] = resourcesOf(stack, "kubernetes_deployment_v1").find(
    ([, body]) => (body.metadata as Json).name === "registry",
  ) ?? ["", {}];
  return (deployment.spec as Json).template as Json;
}

function registryPod(stack: StackJson): Json {
  return registryTemplate(stack).spec as Json;
}

function registryContainer(stack: StackJson): Json {
  const containers = registryPod(stack).container as Json[];
  const container = containers.find((entry) => entry.name === "registry");
  if (!container) throw new Error("no registry container");
  return container;
}

function envOf(stack: StackJson): Record<string, string | undefined> {
  return Object.fromEntries(
    (registryContainer(stack).env as Json[]).map((entry) => [
      String(entry.name),
      entry.value as string | undefined,
    ]),
  );
}

const s3Raw = (storage: Json = {}) =>
  merge(rawEnvironment("environments/standalone-k3s.yaml"), {
    registry: {
      storage: {
        type: "s3",
        bucket: "registry",
        endpoint: "https://objects.lab.internal:9000",
        accessKeyId: "registry",
        size: null,
        storageClass: null,
        ...storage,
      },
    },
  });

const hybrid = (pvc: Json) =>
  configFrom(
    merge(rawEnvironment("environments/example.yaml"), {
      registry: { storage: { type: "pvc", ...pvc } },
    }),
  );
const zonalHandle = "projects/onprem-project-123/zones/europe-west1-c/disks/registry-restored";
const regionalHandle = "projects/onprem-project-123/regions/europe-west1/disks/registry-restored";

/** Every config this file synthesizes, in one process. */
const synthesized = synthesizedOnce(() => ({
  s3Ca: configFrom(s3Raw({ caCertificateFile: CA_FILE })),
  s3OtherCa: configFrom(s3Raw({ caCertificateFile: caFile("two.pem", `${CA_PEM}${CA_PEM}`) })),
  s3: configFrom(s3Raw()),
  zonal: hybrid({ restoredDisk: { volumeHandle: zonalHandle } }),
  regional: hybrid({
    restoredDisk: {
      volumeHandle: regionalHandle,
      replicaZones: ["europe-west1-b", "europe-west1-c"],
    },
  }),
  regionalClass: hybrid({
    provisioner: {
      name: "pd.csi.storage.gke.io",
      parameters: { type: "pd-balanced", "replication-type": "regional-pd" },
    },
  }),
  pvc: hybrid({}),
}));
const registryStackOf = (name: keyof ReturnType<typeof synthesized>) =>
  registryStack(synthesized()[name]);

function rejection(input: Json): ConfigError {
  try {
    configFrom(input);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("accepted");
}

describe("an S3 endpoint signed by a private CA", () => {
  it("the registry trusts it through SSL_CERT_DIR, a folder beside the image's roots", () => {
    const stack = registryStackOf("s3Ca");
    const env = envOf(stack);
    expect(env.SSL_CERT_DIR).toBe(REGISTRY_PATHS.storageCa);
    // SSL_CERT_FILE would replace the image's public roots (crypto/x509 root_unix.go).
    expect(env.SSL_CERT_FILE).toBeUndefined();
    const mounts = registryContainer(stack).volume_mount as Json[];
    expect(mounts).toContainEqual(
      expect.objectContaining({ name: "storage-ca", mount_path: REGISTRY_PATHS.storageCa }),
    );
    const secret = only(stack, "kubernetes_secret_v1", (id) => id.includes("storage-ca"));
    expect(secret.data).toEqual({ "ca.crt": CA_PEM });
    const volumes = registryPod(stack).volume as Json[];
    const volume = volumes.find((entry) => entry.name === "storage-ca");
    expect((volume?.secret as Json).secret_name).toMatch(
      /^\$\{kubernetes_secret_v1\.\S*storage-ca\S*\.metadata\[0\]\.name\}$/,
    );
  });

  it("a new CA rolls the pods (the config hash follows it)", () => {
    const other = registryStackOf("s3OtherCa");
    const hash = (json: StackJson) => JSON.stringify(registryTemplate(json).metadata);
    expect(hash(other)).not.toBe(hash(registryStackOf("s3Ca")));
  });

  it("without the setting nothing changes: no folder, no Secret", () => {
    const plain = registryStackOf("s3");
    expect(envOf(plain).SSL_CERT_DIR).toBeUndefined();
    expect(resourcesOf(plain, "kubernetes_secret_v1").map(([id]) => id)).not.toContainEqual(
      expect.stringContaining("storage-ca"),
    );
  });

  it("refuses what is not a certificate, naming the field", () => {
    const cases: Array<[string, RegExp]> = [
      ["not a certificate", /is not a PEM certificate/],
      [
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        /is PRIVATE KEY, not a CERTIFICATE/,
      ],
      [CA_PEM.replace(/[A-Za-z]{4}\n/, "!!!!\n"), /is not a readable X\.509 certificate/],
      [`${CA_PEM}trailing words`, /has text outside its PEM blocks/],
    ];
    for (const [index, [pem, message]] of cases.entries()) {
      const error = rejection(s3Raw({ caCertificateFile: caFile(`bad-${index}.pem`, pem) }));
      expect(error.message).toContain("registry.storage.caCertificateFile");
      expect(error.message).toMatch(message);
    }
    const missing = rejection(s3Raw({ caCertificateFile: "no/such/ca.pem" }));
    expect(missing.message).toContain("no/such/ca.pem cannot be read from");
    const folder = rejection(s3Raw({ caCertificateFile: scratch }));
    expect(folder.message).toContain("is not a file");
    expect(pemCertificateProblem(CA_PEM)).toBeUndefined();
    expect(pemCertificateProblem(`${CA_PEM}${CA_PEM}`)).toBeUndefined();
  });

  it("refuses a CA without an https endpoint (it would be unused)", () => {
    for (const endpoint of ["http://objects.lab.internal:9000", null]) {
      const error = rejection(s3Raw({ caCertificateFile: CA_FILE, endpoint }));
      expect(error.message).toContain("registry.storage.caCertificateFile");
      expect(error.message).toContain("is only used with an https endpoint");
    }
  });
});

describe("the S3 secret key reaches Distribution verbatim", () => {
  it("the Secret holds the variable JSON-quoted: Distribution YAML-parses env values", () => {
    const stack = registryStackOf("s3");
    const credentials = only(stack, "kubernetes_secret_v1", (id) => id.includes("credentials"));
    expect((credentials.data as Json)["s3-secret-key"]).toBe(
      "${jsonencode(var.registry_s3_secret_key)}",
    );
    const secretKey = (registryContainer(stack).env as Json[]).find(
      (entry) => entry.name === "REGISTRY_STORAGE_S3_SECRETKEY",
    );
    expect((secretKey?.value_from as Json).secret_key_ref).toEqual({
      key: "s3-secret-key",
      name: expect.stringMatching(
        /^\$\{kubernetes_secret_v1\.\S*credentials\S*\.metadata\[0\]\.name\}$/,
      ),
    });
  });
});

describe("restoring the registry's claim from a disk snapshot", () => {
  function restoredVolume(stack: StackJson): Json {
    const volume = only(stack, "kubernetes_persistent_volume_v1");
    return (volume.spec as Json[])[0];
  }
  const zonesOf = (spec: Json) => {
    const required = (spec.node_affinity as Json).required as Json;
    const term = (required.node_selector_term as Json[])[0];
    return (term.match_expressions as Json[]).map((expression) => [
      expression.key,
      expression.operator,
      expression.values,
    ]);
  };

  it("a zonal disk: a volume reserved for the claim, attachable only in the disk's zone", () => {
    const stack = registryStackOf("zonal");
    const spec = restoredVolume(stack);
    expect(zonesOf(spec)).toEqual([[PD_TOPOLOGY_ZONE_KEY, "In", ["europe-west1-c"]]]);
    expect(spec.persistent_volume_source).toEqual({
      csi: { driver: "pd.csi.storage.gke.io", volume_handle: zonalHandle, fs_type: "ext4" },
    });
    const claim = only(stack, "kubernetes_persistent_volume_claim_v1");
    const claimSpec = claim.spec as Json;
    expect(spec.claim_ref).toEqual({
      namespace: (claim.metadata as Json).namespace,
      name: (claim.metadata as Json).name,
    });
    // A volume binds only a claim of its class and at least its size.
    expect(spec.storage_class_name).toBe(claimSpec.storage_class_name);
    expect(spec.capacity).toEqual({
      storage: ((claimSpec.resources as Json).requests as Json).storage,
    });
    expect(spec.persistent_volume_reclaim_policy).toBe("Retain");
    // The snapshot schedule attaches to a zonal disk, and checks the handle says so.
    const attachment = only(stack, "google_compute_disk_resource_policy_attachment");
    expect(resourcesOf(stack, "google_compute_region_disk_resource_policy_attachment")).toEqual([]);
    expect(JSON.stringify((attachment.lifecycle as Json).precondition)).toContain('== \\"zones\\"');
  });

  it("a regional disk: both replica zones, and a regional snapshot attachment", () => {
    const stack = registryStackOf("regional");
    expect(zonesOf(restoredVolume(stack))).toEqual([
      [PD_TOPOLOGY_ZONE_KEY, "In", ["europe-west1-b", "europe-west1-c"]],
    ]);
    expect(resourcesOf(stack, "google_compute_disk_resource_policy_attachment")).toEqual([]);
    const attachment = only(stack, "google_compute_region_disk_resource_policy_attachment");
    // Location and name are the 4th and 6th parts of either handle (PD CSI VolumeIDToKey).
    expect(String(attachment.region)).toMatch(
      /element\(split\("\/", try\(.*volume_handle, .*\.id\)\), 3\)/,
    );
    expect(String(attachment.disk)).toMatch(
      /element\(split\("\/", try\(.*volume_handle, .*\.id\)\), 5\)/,
    );
    expect(JSON.stringify((attachment.lifecycle as Json).precondition)).toContain(
      '== \\"regions\\"',
    );
  });

  it("a regional storage class gets the regional attachment too", () => {
    const stack = registryStackOf("regionalClass");
    only(stack, "google_compute_region_disk_resource_policy_attachment");
    expect(resourcesOf(stack, "kubernetes_persistent_volume_v1")).toEqual([]);
  });

  it("without a restored disk there is no volume and the attachment stays zonal", () => {
    const stack = registryStackOf("pvc");
    expect(resourcesOf(stack, "kubernetes_persistent_volume_v1")).toEqual([]);
    only(stack, "google_compute_disk_resource_policy_attachment");
  });

  it("reads both kinds of volume handle, and nothing else", () => {
    expect(parsePdVolumeHandle(zonalHandle)).toEqual({
      project: "onprem-project-123",
      scope: "zonal",
      location: "europe-west1-c",
      disk: "registry-restored",
    });
    expect(parsePdVolumeHandle(regionalHandle)).toEqual({
      project: "onprem-project-123",
      scope: "regional",
      location: "europe-west1",
      disk: "registry-restored",
    });
    for (const bad of [
      "projects/p1234/zones/europe-west1/disks/d",
      "projects/p1234/regions/europe-west1-b/disks/d",
      "projects/p1234/zones/europe-west1-b/instances/d",
      "zones/europe-west1-b/disks/d",
    ]) {
      expect(parsePdVolumeHandle(bad)).toBeUndefined();
    }
  });

  it("refuses a wrong handle or replica zones, naming the field", () => {
    const handleError = rejection(
      merge(rawEnvironment("environments/example.yaml"), {
        registry: { storage: { type: "pvc", restoredDisk: { volumeHandle: "registry-restored" } } },
      }),
    );
    expect(handleError.message).toContain("registry.storage.restoredDisk.volumeHandle");
    expect(handleError.message).toContain("must be a Persistent Disk handle");
    const cases: Array<[Json, string]> = [
      [{ volumeHandle: regionalHandle }, "must be the regional disk's two zones in europe-west1"],
      [
        { volumeHandle: regionalHandle, replicaZones: ["europe-west1-b", "us-east1-b"] },
        "must be the regional disk's two zones",
      ],
      [
        { volumeHandle: zonalHandle, replicaZones: ["europe-west1-b", "europe-west1-c"] },
        "are only for a regional disk",
      ],
    ];
    for (const [restoredDisk, message] of cases) {
      const error = rejection(
        merge(rawEnvironment("environments/example.yaml"), {
          registry: { storage: { type: "pvc", restoredDisk } },
        }),
      );
      expect(error.message).toContain("registry.storage.restoredDisk.replicaZones");
      expect(error.message).toContain(message);
    }
    const zonal = parsePdVolumeHandle(zonalHandle);
    expect(zonal && replicaZonesProblem(zonal, [])).toBeUndefined();
  });
});
