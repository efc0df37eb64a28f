/**
 * Every file in examples/ is a valid environment that synthesizes what its row in
 * examples/README.md promises. The global setup synthesizes them once (helpers/environments.ts).
 */
import { TERRAFORM_CLOUD_STACK } from "../lib/contract/stack-names";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./helpers/config";
import { ENVIRONMENTS, EXAMPLES, stacksOf, type SynthName } from "./helpers/environments";
import { resourcesOf, type StackJson } from "./helpers/json";

const stacks = (name: SynthName) => stacksOf(name);
const count = (stack: StackJson, type: string) => resourcesOf(stack, type).length;

describe("examples/", () => {
  it("every example file is in the test matrix and in examples/README.md", () => {
    const files = readdirSync(join(ROOT, "examples")).filter((file) => file.endsWith(".yaml"));
    // An example may also be a snapshotted environment (ENVIRONMENTS), synthesized once.
    const matrix = [...Object.values(EXAMPLES), ...Object.values(ENVIRONMENTS)];
    expect(files.map((file) => `examples/${file}`).sort()).toEqual(
      matrix.filter((path) => path.startsWith("examples/")).sort(),
    );
    const readme = readFileSync(join(ROOT, "examples", "README.md"), "utf8");
    for (const file of files) expect(readme).toContain(`\`${file}\``);
  });

  it("hybrid with a GCS backend: state and remote-state reads in the bucket", () => {
    const { workloads } = stacks("exampleGcsBackend");
    expect(workloads.terraform.backend).toEqual({
      gcs: {
        bucket: "acme-hybrid-registry-state",
        prefix: "hybrid-registry/hybrid-gcs-backend/workloads",
      },
    });
  });

  it("Terraform Cloud: one workspace per stack; the bootstrap's own state is local", () => {
    const { [TERRAFORM_CLOUD_STACK]: bootstrap, ...others } = stacks("exampleTerraformCloud");
    expect(Object.keys(others).length).toBeGreaterThan(0);
    for (const [name, stack] of Object.entries(others)) {
      expect(JSON.stringify(stack.terraform)).toContain(`platform-registry-prod-${name}`);
    }
    expect(bootstrap.terraform.backend).toEqual({
      local: { path: "../../../state/prod/terraform-cloud.tfstate" },
    });
  });

  it.each([
    ["exampleExternalOne", 2],
    ["exampleExternalTwo", 2],
    ["exampleExternalFour", 4],
  ] as const)("%s: %i tunnels to the device", (name, tunnels) => {
    expect(count(stacks(name)["cloud-network"], "google_compute_vpn_tunnel")).toBe(tunnels);
  });

  it("Artifact Registry with the pull-through cache", () => {
    const example = stacks("exampleArtifactRegistry");
    expect(count(example["cloud-network"], "google_artifact_registry_repository")).toBe(1);
    expect(JSON.stringify(example.workloads)).toContain('"REGISTRY_PROXY_TTL","value":"336h"');
  });

  it("standalone k3s with MetalLB and hostPath: one workloads stack each", () => {
    expect(Object.keys(stacks("exampleK3sMetallb"))).toEqual(["workloads"]);
    expect(stacks("exampleK3sMetallb").workloads.output).toHaveProperty("k3s_registries_yaml");
    expect(JSON.stringify(stacks("exampleHostPath").workloads)).toContain('"path":"/srv/registry"');
  });
});
