/**
 * The deployed registry's outputs (its CA and users), read with `terraform output -json` from
 * the stack's folder under cdktf.out. Before a deploy Terraform's own answers ("please run
 * terraform init", an empty output list) do not say what is wrong: these say that nothing is
 * deployed, and how to deploy it.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ToolError } from "../cli/command-line";

/** A stack's outputs, as `terraform output -json` prints them. */
export type StackOutputs = Record<string, { value: unknown }>;

/** Runs Terraform with `args`: its exit status and what it printed. */
export type RunTerraform = (args: readonly string[]) => {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
};

const terraform: RunTerraform = (args) => spawnSync("terraform", args, { encoding: "utf8" });

export interface DeployedStack {
  readonly stack: string;
  /** The environment file named by HYBRID_CONFIG, for the hint how to deploy. */
  readonly environment?: string;
  /** Where cdktf synthesized the stacks. @default "cdktf.out" */
  readonly outdir?: string;
}

/** The outputs of the stack publishing the registry's CA and users, deployed from here. */
export function registryOutputs(
  { stack, environment, outdir = "cdktf.out" }: DeployedStack,
  run: RunTerraform = terraform,
): StackOutputs {
  const deployIt = `deploy it first (npm run cdktf -- deploy ${stack}, HYBRID_CONFIG=${environment ?? "the default environment"}), then verify`;
  const dir = join(outdir, "stacks", stack);
  if (!existsSync(dir)) {
    throw new ToolError(
      `nothing is deployed from this checkout: ${dir} does not exist; ${deployIt}`,
    );
  }
  const result = run([`-chdir=${dir}`, "output", "-json"]);
  if (result.status !== 0 && /terraform init/.test(result.stderr)) {
    throw new ToolError(
      `${stack} is not deployed from this checkout (never initialized); ${deployIt}`,
    );
  }
  if (result.status !== 0) {
    throw new ToolError(
      `terraform output of ${stack} failed: ${result.stderr.trim().split("\n")[0] ?? ""}`,
    );
  }
  const outputs = JSON.parse(result.stdout) as StackOutputs;
  if (!("registry_ca_certificate_pem" in outputs)) {
    throw new ToolError(`${stack} is not deployed (its state has no outputs); ${deployIt}`);
  }
  return outputs;
}
