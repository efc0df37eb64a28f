import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensurePrivateStateDirectory } from "../lib/backend/state-directory";
import { STATE_IDENTITY_ADDRESS } from "../lib/backend/state-identity";
import { configFrom, merge, rawEnvironment } from "./helpers/config";
import { stacksOf } from "./helpers/environments";
import type { StackJson } from "./helpers/json";
import { synthesizedOnce } from "./helpers/synth-process";

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
      local: { path: "../../../state/example/onprem-network.tfstate" },
    });
    expect(stacks["cloud-network"].terraform.backend).toEqual({
      local: { path: "../../../state/example/cloud-network.tfstate" },
    });
    const reads = remoteStates(stacks.workloads);
    expect(reads).toEqual(
      expect.arrayContaining([
        { backend: "local", config: { path: "../../../state/example/onprem-network.tfstate" } },
        { backend: "local", config: { path: "../../../state/example/cloud-network.tfstate" } },
      ]),
    );
    expect(remoteStates(stacks["cloud-network"])).toEqual([
      { backend: "local", config: { path: "../../../state/example/onprem-network.tfstate" } },
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

/** The example with its `environment:` line removed, or set to `name`. */
function exampleNamed(name: string | undefined, patch: Record<string, unknown> = {}) {
  const raw = merge(rawEnvironment("environments/example.yaml"), patch);
  delete raw.environment;
  return name === undefined ? raw : { ...raw, environment: name };
}

/** The example without its `environment:` line, on a bucket and on Terraform Cloud. */
const UNNAMED_GCS = exampleNamed(undefined, { backend: { type: "gcs", bucket: "tf-state" } });
const UNNAMED_CLOUD = exampleNamed(undefined, { backend: { type: "cloud", organization: "acme" } });

/** Copies of the example under other names, synthesized in one process. */
const synthesized = synthesizedOnce(() => ({
  dev: configFrom(exampleNamed("dev"), "dev.yaml"),
  prod: configFrom(exampleNamed("prod"), "prod.yaml"),
  unnamed: configFrom(exampleNamed(undefined), "my-env.yaml"),
  unnamedGcs: configFrom(UNNAMED_GCS, "my-env.yaml"),
  unnamedCloud: configFrom(UNNAMED_CLOUD, "my-env.yaml"),
}));

describe("environments never share state", () => {
  const backendOf = (input: Record<string, unknown>, source = "prod.yaml") =>
    configFrom(input, source).backend;

  it("a named environment's state has locations of its own on every backend", () => {
    expect(backendOf(exampleNamed("prod"))).toEqual({ type: "local", directory: "state/prod" });
    const gcs = exampleNamed("prod", { backend: { type: "gcs", bucket: "tf-state" } });
    expect(backendOf(gcs)).toEqual({
      type: "gcs",
      bucket: "tf-state",
      prefix: "hybrid-registry/prod",
    });
    const cloud = exampleNamed("prod", { backend: { type: "cloud", organization: "acme" } });
    expect(backendOf(cloud)).toMatchObject({ workspacePrefix: "hybrid-registry-prod" });
    // Two files copied from the example and named differently never meet.
    const { dev, prod } = synthesized();
    expect(dev["onprem-network"].terraform.backend).toEqual({
      local: { path: "../../../state/dev/onprem-network.tfstate" },
    });
    expect(prod["onprem-network"].terraform.backend).toEqual({
      local: { path: "../../../state/prod/onprem-network.tfstate" },
    });
  });

  it("a location the file sets is used as it is", () => {
    const set = exampleNamed("prod", { backend: { type: "local", directory: "shared-state" } });
    expect(backendOf(set)).toEqual({ type: "local", directory: "shared-state" });
  });

  it("a file that does not name itself keeps today's locations (pinned)", () => {
    expect(backendOf(exampleNamed(undefined))).toEqual({ type: "local", directory: "state" });
    expect(backendOf(UNNAMED_GCS)).toMatchObject({ prefix: "hybrid-registry" });
    expect(backendOf(UNNAMED_CLOUD)).toMatchObject({ workspacePrefix: "hybrid-registry" });
    const stacks = synthesized().unnamed;
    expect(stacks["onprem-network"].terraform.backend).toEqual({
      local: { path: "../../../state/onprem-network.tfstate" },
    });
    const gcsStacks = synthesized().unnamedGcs;
    expect(gcsStacks["cloud-network"].terraform.backend).toEqual({
      gcs: { bucket: "tf-state", prefix: "hybrid-registry/cloud-network" },
    });
    const cloudStacks = synthesized().unnamedCloud;
    expect(cloudStacks.workloads.terraform.cloud).toMatchObject({
      workspaces: { name: "hybrid-registry-workloads" },
    });
    // Its identity is its file's name: a copy under another name still refuses the state.
    expect(configFrom(exampleNamed(undefined), "environments/Prod EU.yaml").environment).toBe(
      "prod-eu",
    );
  });

  it("every stack records its environment in its state and refuses another's at plan time", () => {
    for (const [name, stack] of Object.entries(stacksOf("default"))) {
      const [type, id] = STATE_IDENTITY_ADDRESS.split(".");
      const marker = stack.resource?.[type]?.[id];
      expect(marker).toMatchObject({
        input: { environment: "example", stack: name },
        lifecycle: { ignore_changes: ["input"] },
      });
      const [check] = (marker?.lifecycle as { postcondition: Array<Record<string, string>> })
        .postcondition;
      expect(check.condition).toBe(
        `\${self.output.environment == "example" && self.output.stack == "${name}"}`,
      );
      expect(check.error_message).toContain(
        "This state belongs to environment ${self.output.environment}",
      );
      expect(check.error_message).toContain(
        `but this synthesis is environment example (stack ${name})`,
      );
      expect(stack.output?.environment?.value).toBe("example");
    }
  });

  it("every reader checks the producer's environment before anything else", () => {
    const reads = Object.values(stacksOf("default").workloads.data?.terraform_remote_state ?? {});
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) {
      const [first] = (read.lifecycle as { postcondition: Array<Record<string, string>> })
        .postcondition;
      expect(first.condition).toBe('${try(self.outputs["environment"], "") == "example"}');
      expect(first.error_message).toContain("not to example, which this synthesis is");
    }
  });

  it("refuses a name that cannot be part of a state location", () => {
    for (const bad of ["Prod", "1dev", "dev_eu", "a-very-long-environment-name-1"]) {
      expect(() => configFrom(exampleNamed(bad))).toThrow(/environment: must be a short name/);
    }
    const prefix = exampleNamed("prod", {
      backend: { type: "cloud", organization: "acme", workspacePrefix: "team:é" },
    });
    expect(() => configFrom(prefix)).toThrow(/backend\.workspacePrefix: may hold only letters/);
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
