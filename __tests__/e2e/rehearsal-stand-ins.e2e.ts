/**
 * The rehearsal's stand-in providers (schemas from the pinned bindings, replacements from the
 * cited table) catch what the real providers would refuse or replace, with Terraform's own
 * messages: an argument the provider does not have, a resource type it does not have, a
 * ForceNew argument fed by a data source whose read is deferred to apply time (the attachment
 * is replaced on every apply that touches the data source's dependency), a Workload Identity
 * grant ordered by nothing but a string made from the project id (#18: fails on the first
 * apply in a fresh project), and two stacks that read each other's contract (no order
 * deploys them).
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/rehearsal-stand-ins.e2e.ts`.
 * Needs Terraform on the PATH; downloads nothing.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ComputeNetwork } from "@cdktf/provider-google/lib/compute-network";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { App, TerraformStack } from "cdktf";
import { configureStateBackend, type StateBackendSettings } from "../../lib/backend/state-backend";
import { ContractReader, defineContract, publishContract } from "../../lib/contract/contract";
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

  /** Terraform in `dir` with the stand-ins' mirror and this suite's simulated cloud. */
  const terraformIn =
    (dir: string) =>
    (...args: string[]): RunResult =>
      run("terraform", [`-chdir=${dir}`, ...args, "-no-color"], {
        env: {
          ...process.env,
          TF_CLI_CONFIG_FILE: cliConfigFile,
          TF_PLUGIN_CACHE_DIR: "",
          TF_IN_AUTOMATION: "1",
          TF_INPUT: "0",
          CHECKPOINT_DISABLE: "1",
          // The simulated cloud's shared objects (router lists, Workload Identity pools).
          HYBRID_REHEARSAL_CLOUD_DIR: join(tmp, "cloud"),
        },
        timeoutMs: 180000,
      });

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
    const terraform = terraformIn(dir);
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

  test("a Workload Identity grant before its cluster fails; ordered by the pool attribute it passes", () => {
    const config = (project: string, member: string) => ({
      resource: {
        google_container_cluster: {
          cluster: {
            name: "registry",
            project,
            location: "europe-west1-b",
            workload_identity_config: [{ workload_pool: `${project}.svc.id.goog` }],
          },
        },
        google_service_account_iam_member: {
          registry: {
            service_account_id: `projects/${project}/serviceAccounts/registry@${project}.iam.gserviceaccount.com`,
            role: "roles/iam.workloadIdentityUser",
            member,
          },
        },
      },
    });
    // The pre-#18 shape: the pool's name made from the project id, so nothing orders the grant.
    const byString = stack(
      "pool-by-string",
      config("fresh-one", "serviceAccount:fresh-one.svc.id.goog[registry/registry]"),
    );
    const failed = byString("apply", "-auto-approve");
    expect(failed.status).not.toBe(0);
    expect(failed.output).toContain("Identity Pool does not exist (fresh-one.svc.id.goog)");
    // Terraform created the cluster meanwhile: a second apply passes, as users report.
    expect(byString("apply", "-auto-approve").status).toBe(0);

    const byAttribute = stack(
      "pool-by-attribute",
      config(
        "fresh-two",
        "serviceAccount:${google_container_cluster.cluster.workload_identity_config[0].workload_pool}[registry/registry]",
      ),
    );
    expect(byAttribute("apply", "-auto-approve").status).toBe(0);
  }, 240000);

  test("a cluster with deletion protection is not destroyed until a deploy turns it off", () => {
    const config = (protection: boolean) => ({
      resource: {
        google_container_cluster: {
          cluster: {
            name: "registry",
            location: "europe-west1-b",
            deletion_protection: protection,
          },
        },
      },
    });
    const terraform = stack("deletion-protection", config(true));
    expect(terraform("apply", "-auto-approve").status).toBe(0);
    const refused = terraform("destroy", "-auto-approve");
    expect(refused.status).not.toBe(0);
    expect(refused.output).toContain(
      "Cannot destroy cluster because deletion_protection is set to true",
    );
    // The README's Destroying: set it false, deploy, then destroy.
    write(join(tmp, "deletion-protection"), config(false));
    expect(terraform("apply", "-auto-approve").status).toBe(0);
    expect(terraform("destroy", "-auto-approve").status).toBe(0);
  }, 240000);

  test("two stacks reading each other's contract fail whichever is deployed first", () => {
    // The broken construct: a network whose name comes from the other stack's network, both
    // ways, through the typed contracts (the only way values cross stacks here).
    const outdir = join(tmp, "cycle", "cdktf.out");
    const backend: StateBackendSettings = { type: "local", directory: "state" };
    mkdirSync(outdir, { recursive: true });
    const app = new App({ outdir, skipValidation: true });
    const contracts = {
      first: defineContract("first", {
        networkName: { type: "string", sensitive: false, description: "network" },
      }),
      second: defineContract("second", {
        networkName: { type: "string", sensitive: false, description: "network" },
      }),
    };
    const stacks: Partial<Record<"first" | "second", TerraformStack>> = {};
    for (const [name, other] of [
      ["first", "second"],
      ["second", "first"],
    ] as const) {
      const stack = new TerraformStack(app, name);
      configureStateBackend(stack, name, backend, "cycle");
      new GoogleProvider(stack, "google", { project: "rehearsal" });
      const reader = new ContractReader(stack, "reads", {
        contract: contracts[other],
        backend,
        environment: "cycle",
      });
      const network = new ComputeNetwork(stack, "network", {
        name: `${name}-after-${reader.remoteState.getString("network_name")}`,
        autoCreateSubnetworks: false,
      });
      publishContract(stack, contracts[name], { networkName: network.name });
      stacks[name] = stack;
    }
    app.synth();
    for (const [name, other] of [
      ["first", "second"],
      ["second", "first"],
    ] as const) {
      const dir = join(outdir, "stacks", name);
      const terraform = terraformIn(dir);
      expect(terraform("init", "-input=false").status).toBe(0);
      const plan = terraform("plan", "-input=false");
      console.log(
        `cycle: ${name} first: ${plan.output.split("\n").find((line) => line.includes("Error:")) ?? "(no error)"}`,
      );
      expect(plan.status).not.toBe(0);
      // Terraform's own error, and the contract reader's naming what to apply first.
      expect(plan.output).toContain("Error: Unable to find remote state");
      expect(plan.output).toContain(`Apply the ${other} stack first`);
    }
    // Declared as stack dependencies instead (the producerStack setting, as main.ts does for
    // stacks of one app), the cycle is refused before anything is written, by cdktf.
    const { first, second } = stacks;
    if (!first || !second) throw new Error("both stacks are built above");
    first.addDependency(second);
    expect(() => second.addDependency(first)).toThrow(/circular/i);
  }, 240000);

  /** A tfe-only stack: the workspaces stack's sensitive input written to a workspace. */
  const tfeVariable = (name: string, argument: "value" | "value_wo", ephemeral: boolean) =>
    stack(name, {
      terraform: {
        required_providers: { tfe: { source: "hashicorp/tfe", version: "0.71.0" } },
      },
      provider: { tfe: [{ organization: "platform" }] },
      variable: { secret: { type: "string", sensitive: true, nullable: false, ephemeral } },
      resource: {
        tfe_variable: {
          input: {
            key: "registry_s3_secret_key",
            category: "terraform",
            sensitive: true,
            workspace_id: "ws-AbCdEfGhIjKlMnOp",
            [argument]: "${var.secret}",
          },
        },
      },
    });

  test("an ephemeral input goes only to a write-only argument, and never into the state", () => {
    const secret = "rehearsal-secret-7f3a9c";
    // As a user passes it: TF_VAR_secret (Terraform reads it from the environment).
    process.env.TF_VAR_secret = secret;
    try {
      const writeOnly = tfeVariable("write-only", "value_wo", true);
      const applied = writeOnly("apply", "-auto-approve", "-input=false");
      expect(applied.output).toContain("Apply complete! Resources: 1 added");
      expect(readFileSync(join(tmp, "write-only", "terraform.tfstate"), "utf8")).not.toContain(
        secret,
      );
      expect(writeOnly("plan", "-input=false", "-detailed-exitcode").status).toBe(0);
      // The same input in the readable argument: Terraform refuses the ephemeral value.
      const readable = tfeVariable("readable-ephemeral", "value", true)("plan", "-input=false");
      expect(readable.status).not.toBe(0);
      expect(readable.output).toContain(
        'Ephemeral values are not valid for "value", because it is not a write-only',
      );
      // And a plain sensitive variable there lands in the state, which is what the check catches.
      const plain = tfeVariable("readable", "value", false);
      plain("apply", "-auto-approve", "-input=false");
      expect(readFileSync(join(tmp, "readable", "terraform.tfstate"), "utf8")).toContain(secret);
    } finally {
      delete process.env.TF_VAR_secret;
    }
  }, 240000);

  test("a workspace listed as its own remote-state consumer is refused, as by the tfe provider", () => {
    const terraform = stack("self-consumer", {
      terraform: {
        required_providers: { tfe: { source: "hashicorp/tfe", version: "0.71.0" } },
      },
      provider: { tfe: [{ organization: "platform" }] },
      resource: {
        tfe_workspace_settings: {
          settings: {
            workspace_id: "ws-AbCdEfGhIjKlMnOp",
            global_remote_state: false,
            remote_state_consumer_ids: ["ws-AbCdEfGhIjKlMnOp"],
          },
        },
      },
    });
    const plan = terraform("plan", "-input=false");
    expect(plan.status).not.toBe(0);
    expect(plan.output).toContain("workspace_id cannot be in the set of remote_state_consumer_ids");
  }, 120000);
});
