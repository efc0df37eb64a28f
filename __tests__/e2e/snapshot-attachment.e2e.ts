/**
 * The snapshot schedule's attachment across applies, with real Terraform (offline).
 *
 * The registry's Deployment, its claim, the `terraform_data` between them and the claim's data
 * source are taken from the synthesized workloads stack of the default environment, with their
 * `depends_on` exactly as synthesized. The provider-backed pieces become stand-ins Terraform
 * runs without a download: the Deployment and the claim are `terraform_data` (the claim's uid
 * is the stand-in's id, new when it is replaced), the claim's data source is a
 * `terraform_remote_state` read (a data source honours `depends_on` the same way whatever its
 * provider), and the attachment is a `terraform_data` whose `triggers_replace` is the disk the
 * read returns (`zone` and `disk` force a new attachment in the google provider).
 *
 * Shown: a change to the Deployment (a new image) plans no change to the attachment; a new
 * claim replaces it; and, as a control, the previous shape (the data source depending on the
 * Deployment directly) replaces the attachment on the image change.
 */
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { configOf } from "../helpers/environments";
import { synthAll } from "../helpers/synth";
import type { StackJson } from "../helpers/json";
import { cleanupTempDirs, makeTempDir, run, runOk } from "./support/tools";

const TF_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  TF_IN_AUTOMATION: "1",
  TF_INPUT: "0",
  CHECKPOINT_DISABLE: "1",
  TF_CLI_CONFIG_FILE: "/dev/null",
};

type Json = Record<string, unknown>;

function only(byName: Record<string, Json> | undefined, what: string): [string, Json] {
  const entries = Object.entries(byName ?? {});
  if (entries.length !== 1) throw new Error(`expected one ${what}, found ${entries.length}`);
  return entries[0];
}

/** The pieces of the synthesized workloads stack that decide when the attachment changes. */
function snapshotWiring(stack: StackJson) {
  const [claimInUseId, claimInUse] = only(
    Object.fromEntries(
      Object.entries(stack.resource?.terraform_data ?? {}).filter(([id]) =>
        id.includes("claim-in-use"),
      ),
    ),
    "claim-in-use marker",
  );
  const [, claimRead] = only(stack.data?.kubernetes_persistent_volume_claim_v1, "claim read");
  const deployment = /^kubernetes_deployment_v1\.(\w+)$/.exec(String(claimInUse.depends_on));
  const claim = /kubernetes_persistent_volume_claim_v1\.(\w+)\.metadata\[0\]\.uid/.exec(
    JSON.stringify(claimInUse.input),
  );
  if (!deployment || !claim) throw new Error("the claim-in-use marker lost its references");
  return {
    deploymentId: deployment[1],
    claimId: claim[1],
    claimInUseId,
    claimInUse,
    claimRead,
  };
}

/** Rewrite provider-backed addresses in a synthesized expression to their stand-ins. */
function toStandIns(text: string): string {
  return text
    .replace(/kubernetes_deployment_v1\./g, "terraform_data.")
    .replace(
      /kubernetes_persistent_volume_claim_v1\.(\w+)\.metadata\[0\]\.uid/g,
      "terraform_data.$1.id",
    );
}

describe("the snapshot attachment across applies (real Terraform, stand-in resources)", () => {
  afterAll(() => cleanupTempDirs());
  const wiring = snapshotWiring(synthAll(configOf("default")).workloads);

  /** A working directory: a disk "published" in a local state, and the wiring around it. */
  function workspace(claimReadDependsOn: readonly string[]): string {
    const dir = makeTempDir("snapshot-attachment-");
    const disk = join(dir, "disk");
    mkdirSync(disk);
    writeFileSync(
      join(disk, "main.tf.json"),
      JSON.stringify({
        output: { handle: { value: "projects/p/zones/europe-west1-b/disks/pvc-1" } },
      }),
    );
    runOk("terraform", ["init"], { cwd: disk, env: TF_ENV });
    runOk("terraform", ["apply", "-auto-approve"], { cwd: disk, env: TF_ENV });
    const main = {
      variable: { image: { type: "string", default: "registry:3.0.0" } },
      resource: {
        terraform_data: {
          [wiring.deploymentId]: { input: "${var.image}" },
          [wiring.claimId]: { input: "claim" },
          [wiring.claimInUseId]: JSON.parse(toStandIns(JSON.stringify(wiring.claimInUse))),
          attachment: {
            triggers_replace: "${data.terraform_remote_state.claim.outputs.handle}",
          },
        },
      },
      data: {
        terraform_remote_state: {
          claim: {
            backend: "local",
            config: { path: "disk/terraform.tfstate" },
            depends_on: claimReadDependsOn.map(toStandIns),
          },
        },
      },
    };
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(main, null, 1));
    runOk("terraform", ["init"], { cwd: dir, env: TF_ENV });
    runOk("terraform", ["apply", "-auto-approve"], { cwd: dir, env: TF_ENV });
    return dir;
  }

  /** Actions a plan would take on the attachment stand-in. */
  function attachmentActions(dir: string, args: readonly string[]): string[] {
    runOk("terraform", ["plan", "-out=plan.bin", ...args], { cwd: dir, env: TF_ENV });
    const shown = run("terraform", ["show", "-json", "plan.bin"], { cwd: dir, env: TF_ENV });
    const plan = JSON.parse(shown.stdout) as {
      resource_changes?: Array<{ address: string; change: { actions: string[] } }>;
    };
    const change = (plan.resource_changes ?? []).find(
      (entry) => entry.address === "terraform_data.attachment",
    );
    return change?.change.actions ?? [];
  }

  it("the claim is read after the claim-in-use marker, which follows the Deployment", () => {
    expect(wiring.claimRead.depends_on).toEqual([`terraform_data.${wiring.claimInUseId}`]);
    expect(wiring.claimInUse.depends_on).toEqual([
      `kubernetes_deployment_v1.${wiring.deploymentId}`,
    ]);
  });

  it("a new registry image leaves the attachment alone; a new claim replaces it", () => {
    const dir = workspace(wiring.claimRead.depends_on as string[]);
    expect(attachmentActions(dir, ["-var", "image=registry:3.1.1"])).toEqual(["no-op"]);
    expect(attachmentActions(dir, [`-replace=terraform_data.${wiring.claimId}`])).toEqual([
      "delete",
      "create",
    ]);
  });

  it("control: reading the claim after the Deployment itself replaced it on every image change", () => {
    const dir = workspace([`kubernetes_deployment_v1.${wiring.deploymentId}`]);
    expect(attachmentActions(dir, ["-var", "image=registry:3.1.1"])).toEqual(["delete", "create"]);
  });
});
