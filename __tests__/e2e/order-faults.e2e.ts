/**
 * A consumer stack planned before its producer, or against a broken producer state, fails
 * with a message naming the producer stack to apply first: the cloud-network stack's own
 * remote-state read and state-file guard, exactly as synthesized, planned by real Terraform
 * (both are built in: no provider is downloaded) next to a hand-written producer state.
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/order-faults.e2e.ts`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { configOf } from "../helpers/environments";
import type { StackJson } from "../helpers/json";
import { synthAll } from "../helpers/synth";
import { onpremNetworkContract } from "../../lib/contract/onprem-network";
import { outputName } from "../../lib/contract/contract";
import { cleanupTempDirs, makeTempDir, requireTool, run, runOk } from "./support/tools";

type Json = Record<string, unknown>;

describe("a consumer planned before its producer names the producer", () => {
  const terraform = requireTool("terraform", "terraform (on the PATH of the development image)");
  const env = { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1" };
  afterAll(() => cleanupTempDirs());

  const cloud = synthAll(configOf("default"))["cloud-network"] as StackJson;
  const [readId, read] = Object.entries(cloud.data?.terraform_remote_state ?? {})[0];
  const guards = Object.entries(
    (cloud.resource?.terraform_data ?? {}) as Record<string, Json>,
  ).filter(([id]) => id.startsWith("onprem_state-file"));

  /** A full, valid producer state; `patch` changes its outputs. */
  function producerState(patch: (outputs: Record<string, Json>) => void): string {
    const outputs: Record<string, Json> = {};
    for (const [key, spec] of Object.entries(onpremNetworkContract.outputs)) {
      const value = spec.type === "number" ? 64512 : spec.type === "list" ? ["10.0.0.0/24"] : "x";
      outputs[outputName(key)] = {
        value,
        type: spec.type === "list" ? ["list", "string"] : spec.type,
        sensitive: spec.sensitive,
      };
    }
    outputs.environment = { value: "example", type: "string" };
    patch(outputs);
    return JSON.stringify({
      version: 4,
      terraform_version: "1.11.0",
      serial: 1,
      lineage: "e2e",
      outputs,
      resources: [],
    });
  }

  /** Plans the consumer's read and guard; `state` is the producer's file, or absent. */
  function plan(state: string | undefined): { status: number | null; output: string } {
    const root = makeTempDir("order-");
    const stackDir = join(root, "cdktf.out", "stacks", "cloud-network");
    mkdirSync(stackDir, { recursive: true });
    // The example names itself: its state is in state/example/.
    mkdirSync(join(root, "state", "example"), { recursive: true });
    if (state !== undefined) {
      writeFileSync(join(root, "state", "example", "onprem-network.tfstate"), state);
    }
    const config = {
      data: { terraform_remote_state: { [readId]: read } },
      resource: { terraform_data: Object.fromEntries(guards) },
      output: { asn: { value: `\${data.terraform_remote_state.${readId}.outputs.asn}` } },
    };
    writeFileSync(join(stackDir, "main.tf.json"), JSON.stringify(config, null, 1));
    runOk(terraform, ["init", "-input=false"], { cwd: stackDir, env });
    const result = run(terraform, ["plan", "-input=false", "-no-color"], { cwd: stackDir, env });
    return { status: result.status, output: result.output.replace(/\s+/g, " ") };
  }

  it("reads and guards exactly the synthesized way", () => {
    expect(read.backend).toBe("local");
    expect(guards).toHaveLength(1);
  });

  it("no producer state: names the stack to apply first", () => {
    const result = plan(undefined);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(
      "No state of onprem-network at state/example/onprem-network.tfstate. Apply the onprem-network stack first",
    );
    console.log(
      result.output.slice(
        result.output.indexOf("No state of"),
        result.output.indexOf("No state of") + 200,
      ),
    );
  });

  it("a corrupt producer state: names the file and the stack", () => {
    const result = plan("not a state {");
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(
      "The state file of onprem-network (state/example/onprem-network.tfstate) is not a Terraform state",
    );
  });

  it("a producer state without some outputs: names them and the stack", () => {
    const result = plan(producerState((outputs) => delete outputs.registry_ip));
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(
      "The state of onprem-network (state/example/onprem-network.tfstate) has no output registry_ip. Apply the onprem-network stack first",
    );
  });

  it("an asn published as a string: refused, not planned", () => {
    const result = plan(
      producerState((outputs) => {
        outputs.asn = { value: "64512", type: "string" };
      }),
    );
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(
      "publishes an output with another type than this version expects",
    );
  });

  it("a producer state of another environment: names both", () => {
    const result = plan(producerState((outputs) => (outputs.environment.value = "prod")));
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(
      "The state of onprem-network (state/example/onprem-network.tfstate) belongs to environment prod, not to example",
    );
  });

  it("a producer state from before environment names: says to re-apply it", () => {
    const result = plan(producerState((outputs) => delete outputs.environment));
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(
      "belongs to environment (none recorded: applied before environment names; re-apply onprem-network with this version), not to example",
    );
  });

  it("a complete producer state plans", () => {
    const result = plan(producerState(() => undefined));
    expect(result.output).not.toContain("Error");
    expect(result.status).toBe(0);
  });
});
