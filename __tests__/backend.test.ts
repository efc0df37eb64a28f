import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensurePrivateStateDirectory } from "../lib/backend/state-directory";
import { stacksOf } from "./helpers/environments";
import type { StackJson } from "./helpers/json";

function remoteStates(stack: StackJson): Array<Record<string, unknown>> {
  // Where each read goes; its postconditions are tested in contract.test.ts.
  return Object.values(stack.data?.terraform_remote_state ?? {}).map(({ backend, config }) => ({
    backend,
    config,
  }));
}

describe("state backends: the consumer reads exactly where the producer writes", () => {
  it("local: relative per-stack paths", () => {
    const stacks = stacksOf("default");
    expect(stacks["onprem-network"].terraform.backend).toEqual({
      local: { path: "../../../state/onprem-network.tfstate" },
    });
    expect(stacks["cloud-network"].terraform.backend).toEqual({
      local: { path: "../../../state/cloud-network.tfstate" },
    });
    const reads = remoteStates(stacks.workloads);
    expect(reads).toEqual(
      expect.arrayContaining([
        { backend: "local", config: { path: "../../../state/onprem-network.tfstate" } },
        { backend: "local", config: { path: "../../../state/cloud-network.tfstate" } },
      ]),
    );
    expect(remoteStates(stacks["cloud-network"])).toEqual([
      { backend: "local", config: { path: "../../../state/onprem-network.tfstate" } },
    ]);
  });

  it("gcs: one bucket, a prefix per stack", () => {
    const stacks = stacksOf("backendGcs");
    expect(stacks["onprem-network"].terraform.backend).toEqual({
      gcs: { bucket: "tf-state", prefix: "hybrid/onprem-network" },
    });
    expect(remoteStates(stacks.workloads)).toEqual(
      expect.arrayContaining([
        { backend: "gcs", config: { bucket: "tf-state", prefix: "hybrid/onprem-network" } },
        { backend: "gcs", config: { bucket: "tf-state", prefix: "hybrid/cloud-network" } },
      ]),
    );
  });

  it("cloud: one named workspace per stack, read through the remote backend", () => {
    const stacks = stacksOf("backendCloud");
    expect(stacks["cloud-network"].terraform.cloud).toEqual({
      hostname: "tfe.example.com",
      organization: "platform",
      workspaces: { name: "hybrid-cloud-network" },
    });
    expect(remoteStates(stacks["cloud-network"])).toEqual([
      {
        backend: "remote",
        config: {
          hostname: "tfe.example.com",
          organization: "platform",
          workspaces: { name: "hybrid-onprem-network" },
        },
      },
    ]);
  });
});

describe("state at rest", () => {
  it("gcs: a customer-managed key encrypts every stack's state", () => {
    for (const stack of Object.values(stacksOf("backendGcsKms"))) {
      expect(stack.terraform.backend).toMatchObject({
        gcs: {
          kms_encryption_key:
            "projects/platform-kms/locations/europe/keyRings/state/cryptoKeys/terraform",
        },
      });
    }
  });

  it("local: the state directory is made owner-only, also when it exists", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "hybrid-state-")), "state");
    try {
      mkdirSync(dir, { mode: 0o755 });
      ensurePrivateStateDirectory(dir);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    } finally {
      rmSync(join(dir, ".."), { recursive: true, force: true });
    }
  });
});
