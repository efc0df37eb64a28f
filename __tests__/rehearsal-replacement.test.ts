import {
  REPLACEMENT_TABLE,
  requiresReplace,
  type ResourceReplacement,
} from "../lib/rehearsal/replacement-table";
import { SYNTH_NAMES, stacksOf } from "./helpers/environments";

/** Every resource type any shipped environment, example or test variant synthesizes. */
function emittedTypes(): string[] {
  const types = new Set<string>();
  for (const name of SYNTH_NAMES)
    for (const stack of Object.values(stacksOf(name)))
      for (const type of Object.keys(stack.resource ?? {})) types.add(type);
  return [...types].sort();
}

function entry(type: string): ResourceReplacement {
  const found = REPLACEMENT_TABLE[type];
  if (!found) throw new Error(`${type} missing`);
  return found;
}

/** The unconditional, attribute-level rule paths of a type, joined with dots. */
function plainPaths(type: string): string[] {
  return entry(type)
    .forcesReplacement.filter((r) => !r.conditional && !r.blockPresenceOnly)
    .map((r) => r.path.join("."));
}

describe("replacement table", () => {
  const types = emittedTypes();

  test("synthesis emits the expected families of types", () => {
    expect(types.length).toBeGreaterThanOrEqual(50);
    for (const prefix of ["google_", "kubernetes_", "tls_", "random_", "time_"])
      expect(types.some((t) => t.startsWith(prefix))).toBe(true);
    expect(types).toContain("terraform_data");
  });

  test.each(emittedTypes())("%s has an entry with at least one cited rule", (type) => {
    const found = REPLACEMENT_TABLE[type];
    expect(found).toBeDefined();
    expect(found?.forcesReplacement.length).toBeGreaterThan(0);
  });

  test("every rule cites a repository, the pinned tag and a file:line", () => {
    const pinned: Record<string, string> = {
      "hashicorp/terraform-provider-google": "v6.50.0",
      "hashicorp/terraform-provider-kubernetes": "v2.38.0",
      "hashicorp/terraform-provider-tls": "v4.1.0",
      "hashicorp/terraform-provider-random": "v3.7.2",
      "hashicorp/terraform-provider-time": "v0.13.1",
      "hashicorp/terraform-provider-tfe": "v0.71.0",
      "hashicorp/terraform": "v1.11.4",
    };
    for (const [type, { forcesReplacement }] of Object.entries(REPLACEMENT_TABLE))
      for (const { path, source } of forcesReplacement) {
        const match = /^(\S+) (v\d+\.\d+\.\d+) (\S+\.go):(\d+)$/.exec(source);
        expect({ type, path, source, ok: match !== null }).toEqual({
          type,
          path,
          source,
          ok: true,
        });
        if (match) expect(pinned[match[1] ?? ""]).toBe(match[2]);
        expect(path.length).toBeGreaterThan(0);
      }
  });

  test("the table has no entries for types nothing emits (it stays in step with synthesis)", () => {
    expect(Object.keys(REPLACEMENT_TABLE).sort()).toEqual([...types].sort());
  });

  // Facts read in the provider sources at the pinned tags (the citations in the table).
  test("google_container_cluster: name, location, network and datapath_provider force replacement", () => {
    expect(plainPaths("google_container_cluster")).toEqual(
      expect.arrayContaining(["name", "location", "network", "datapath_provider"]),
    );
    expect(requiresReplace("google_container_cluster", [["datapath_provider"]])).toEqual([
      ["datapath_provider"],
    ]);
  });

  test("google_compute_disk_resource_policy_attachment: disk and name force replacement", () => {
    expect(plainPaths("google_compute_disk_resource_policy_attachment")).toEqual(
      expect.arrayContaining(["disk", "name"]),
    );
  });

  test("kubernetes_persistent_volume_claim_v1: storage class and metadata name/namespace replace", () => {
    expect(plainPaths("kubernetes_persistent_volume_claim_v1")).toEqual(
      expect.arrayContaining(["spec.storage_class_name", "metadata.name", "metadata.namespace"]),
    );
    expect(
      requiresReplace("kubernetes_persistent_volume_claim_v1", [
        ["spec", "0", "storage_class_name"],
      ]),
    ).toEqual([["spec", "storage_class_name"]]);
  });

  test("kubernetes_persistent_volume_claim_v1: a storage request replaces only conditionally (shrinking)", () => {
    const change = [["spec", "0", "resources", "0", "requests", "storage"]];
    expect(requiresReplace("kubernetes_persistent_volume_claim_v1", change)).toEqual([
      ["spec", "resources", "requests"],
    ]);
    expect(
      requiresReplace("kubernetes_persistent_volume_claim_v1", change, {
        includeConditional: false,
      }),
    ).toEqual([]);
  });

  test("tls_private_key algorithm, random_password length and time_sleep triggers replace", () => {
    expect(plainPaths("tls_private_key")).toContain("algorithm");
    expect(plainPaths("random_password")).toContain("length");
    expect(plainPaths("time_sleep")).toEqual(["triggers"]);
    // A map attribute: a changed key below it triggers the rule.
    expect(requiresReplace("time_sleep", [["triggers", "image"]])).toEqual([["triggers"]]);
    expect(requiresReplace("time_sleep", [["create_duration"]])).toEqual([]);
  });

  test("tls certificates: renewal-window replacement is a conditional rule on ready_for_renewal", () => {
    for (const type of ["tls_locally_signed_cert", "tls_self_signed_cert"]) {
      const renewal = entry(type).forcesReplacement.find(
        (r) => r.path.join(".") === "ready_for_renewal",
      );
      expect(renewal?.conditional).toBe(true);
      expect(renewal?.source).toMatch(/common_cert\.go:299$/);
    }
  });

  test("google_container_node_pool: node_config.machine_type updates in place in 6.50", () => {
    // node_config.go:360 has no ForceNew; node_config.go:2562 updates it through UpdateNodePool.
    expect(
      requiresReplace("google_container_node_pool", [["node_config", "0", "machine_type"]]),
    ).toEqual([]);
    expect(
      requiresReplace("google_container_node_pool", [["node_count"], ["autoscaling"]]),
    ).toEqual([]);
    // node_config itself is ForceNew, which in SDKv2 only replaces when the block is added or removed.
    const nodeConfig = entry("google_container_node_pool").forcesReplacement.find(
      (r) => r.path.join(".") === "node_config",
    );
    expect(nodeConfig?.blockPresenceOnly).toBe(true);
    expect(requiresReplace("google_container_node_pool", [["node_config"]])).toEqual([
      ["node_config"],
    ]);
    // A nested ForceNew attribute still replaces.
    expect(
      requiresReplace("google_container_node_pool", [["node_config", "0", "service_account"]]),
    ).toEqual([["node_config", "service_account"]]);
  });

  test("kubernetes_job_v1: the pod template is immutable, a deployment's is not", () => {
    const image = ["spec", "0", "template", "0", "spec", "0", "container", "0", "image"];
    expect(requiresReplace("kubernetes_job_v1", [image])).toEqual([
      ["spec", "template", "spec", "container", "image"],
    ]);
    expect(requiresReplace("kubernetes_deployment_v1", [image])).toEqual([]);
    expect(requiresReplace("kubernetes_cron_job_v1", [image])).toEqual([]);
  });

  test("kubernetes_manifest: kind, apiVersion and name replace; spec changes do not", () => {
    expect(plainPaths("kubernetes_manifest")).toEqual(
      expect.arrayContaining(["manifest.apiVersion", "manifest.kind", "manifest.metadata.name"]),
    );
    expect(
      requiresReplace("kubernetes_manifest", [["manifest", "spec", "endpoints"]], {
        includeConditional: false,
      }),
    ).toEqual([]);
  });

  test("stateful types follow issue 21's list", () => {
    for (const type of [
      "google_container_cluster",
      "google_container_node_pool",
      "google_storage_bucket",
      "google_compute_vpn_tunnel",
      "google_compute_ha_vpn_gateway",
      "google_compute_router",
      "google_secret_manager_secret",
      "google_service_account",
      "kubernetes_persistent_volume_claim_v1",
    ])
      expect({ type, stateful: entry(type).stateful }).toEqual({ type, stateful: true });
    for (const type of ["google_compute_firewall", "kubernetes_deployment_v1", "time_sleep"])
      expect({ type, stateful: entry(type).stateful }).toEqual({ type, stateful: false });
  });

  test("terraform-cloud stack types: what replaces at tfe v0.71.0 and google v6.50.0", () => {
    // tfe_workspace: only organization is ForceNew; name, project_id and terraform_version update in place.
    expect(plainPaths("tfe_workspace")).toEqual(["organization"]);
    expect(
      requiresReplace("tfe_workspace", [["name"], ["project_id"], ["terraform_version"]]),
    ).toEqual([]);
    expect(plainPaths("tfe_run_trigger").sort()).toEqual(["sourceable_id", "workspace_id"]);
    expect(plainPaths("tfe_workspace_settings")).toEqual(["workspace_id"]);
    // tfe_variable: a changed write-only value replaces (hash in private state), conditionally.
    const valueWo = entry("tfe_variable").forcesReplacement.find(
      (r) => r.path.join(".") === "value_wo",
    );
    expect(valueWo?.conditional).toBe(true);
    expect(requiresReplace("tfe_variable", [["value"], ["description"]])).toEqual([]);
    expect(requiresReplace("tfe_variable", [["key"]], { includeConditional: false })).toEqual([]);
    expect(plainPaths("google_iam_workload_identity_pool_provider").sort()).toEqual([
      "project",
      "workload_identity_pool_id",
      "workload_identity_pool_provider_id",
    ]);
    expect(
      requiresReplace("google_iam_workload_identity_pool_provider", [
        ["oidc", "0", "allowed_audiences"],
        ["attribute_condition"],
        ["attribute_mapping", "google.subject"],
      ]),
    ).toEqual([]);
    for (const type of [
      "tfe_workspace",
      "tfe_project",
      "google_iam_workload_identity_pool",
      "google_iam_workload_identity_pool_provider",
    ])
      expect({ type, stateful: entry(type).stateful }).toEqual({ type, stateful: true });
    for (const type of ["tfe_workspace_settings", "tfe_run_trigger", "tfe_variable"])
      expect({ type, stateful: entry(type).stateful }).toEqual({ type, stateful: false });
  });

  test("an unknown resource type is an error naming the table", () => {
    expect(() => requiresReplace("google_compute_instance", [["name"]])).toThrow(
      /replacement-table\.ts/,
    );
  });
});
