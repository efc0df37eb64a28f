/**
 * The rehearsal's stand-in providers (schemas from the pinned bindings, replacements from the
 * cited table) catch what the real providers would refuse or replace, with Terraform's own
 * messages: an argument the provider does not have, a resource type it does not have, and a
 * ForceNew argument fed by a data source whose read is deferred to apply time (the attachment
 * is replaced on every apply that touches the data source's dependency).
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/rehearsal-stand-ins.e2e.ts`.
 * Needs Terraform on the PATH; downloads nothing.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { installStandIns } from "../../lib/rehearsal/stand-ins";
import { cleanupTempDirs, makeTempDir, requireTool, run, type RunResult } from "./support/tools";

const REQUIRED_PROVIDERS = {
  google: { source: "hashicorp/google", version: "6.50.0" },
  kubernetes: { source: "hashicorp/kubernetes", version: "2.38.0" },
};

describe("stand-in providers refuse and replace what the real ones would", () => {
  let tmp: string;
  let cliConfigFile: string;

  beforeAll(async () => {
    requireTool("terraform", "terraform (on the PATH)");
    tmp = makeTempDir("rehearsal-stand-ins");
    cliConfigFile = await installStandIns(join(tmp, "providers"));
  });

  afterAll(() => cleanupTempDirs());

  /** A stack folder with `config` as cdk.tf.json, initialized from the mirror. */
  const write = (dir: string, config: Record<string, unknown>) =>
    writeFileSync(
      join(dir, "cdk.tf.json"),
      JSON.stringify({
        terraform: { required_providers: REQUIRED_PROVIDERS },
        provider: { google: [{ project: "rehearsal" }], kubernetes: [{}] },
        ...config,
      }),
    );
  const stack = (name: string, config: Record<string, unknown>) => {
    const dir = join(tmp, name);
    mkdirSync(dir, { recursive: true });
    write(dir, config);
    const terraform = (...args: string[]): RunResult =>
      run("terraform", [`-chdir=${dir}`, ...args, "-no-color"], {
        env: {
          ...process.env,
          TF_CLI_CONFIG_FILE: cliConfigFile,
          TF_PLUGIN_CACHE_DIR: "",
          TF_IN_AUTOMATION: "1",
          TF_INPUT: "0",
          CHECKPOINT_DISABLE: "1",
        },
        timeoutMs: 180000,
      });
    const init = terraform("init", "-input=false");
    expect(init.stdout).toContain("Terraform has been successfully initialized");
    return terraform;
  };

  test("an argument the provider does not have fails validation", () => {
    const terraform = stack("unknown-argument", {
      resource: {
        google_compute_network: {
          vpc: { name: "vpc", auto_create_subnetworks: false, mtu_size: 1460 },
        },
      },
    });
    const result = terraform("validate");
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('No argument or block type is named "mtu_size"');
  }, 120000);

  test("a resource type the provider does not have fails validation", () => {
    const terraform = stack("unknown-type", {
      resource: { google_compute_networks: { vpc: { name: "vpc" } } },
    });
    const result = terraform("validate");
    expect(result.status).not.toBe(0);
    expect(result.output).toContain("The provider hashicorp/google does not support resource type");
  }, 120000);

  test("a ForceNew argument fed by a deferred data source replaces the resource", () => {
    const config = (version: string, deferred: boolean) => ({
      resource: {
        terraform_data: { deployment: { input: version } },
        google_compute_disk_resource_policy_attachment: {
          attachment: {
            name: "daily",
            zone: "europe-west1-b",
            disk: "${data.kubernetes_persistent_volume_claim_v1.claim.id}",
          },
        },
      },
      data: {
        kubernetes_persistent_volume_claim_v1: {
          claim: {
            metadata: [{ name: "data", namespace: "registry" }],
            ...(deferred ? { depends_on: ["terraform_data.deployment"] } : {}),
          },
        },
      },
    });
    for (const deferred of [true, false]) {
      const name = deferred ? "deferred-read" : "read-at-plan";
      const terraform = stack(name, config("image:1", deferred));
      expect(terraform("apply", "-auto-approve").status).toBe(0);
      write(join(tmp, name), config("image:2", deferred));
      const plan = terraform("plan");
      expect(plan.status).toBe(0);
      const replaced =
        /google_compute_disk_resource_policy_attachment\.attachment must be replaced/.test(
          plan.stdout,
        );
      console.log(
        `${name}: the image change ${replaced ? "replaces" : "does not touch"} the attachment`,
      );
      // Deferred: `disk` is unknown at plan, and a changed-or-unknown ForceNew argument forces
      // replacement (google v6.50.0 resource_compute_disk_resource_policy_attachment.go:60).
      expect(replaced).toBe(deferred);
      if (deferred) expect(plan.stdout).toContain("# forces replacement");
    }
  }, 240000);
});
