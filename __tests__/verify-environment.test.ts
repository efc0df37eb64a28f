/**
 * `npm run verify` on a deployed environment: which stack's outputs it reads and what it says
 * before a deploy, and which checks the environment's config gives it.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ToolError } from "../lib/cli/command-line";
import {
  commandChecksOf,
  registryCheckTarget,
  registryOutputsStack,
  routersOf,
  seedCheckOf,
} from "../lib/verify/environment-checks";
import { registryOutputs, type RunTerraform } from "../lib/verify/registry-outputs";
import { configOf, stacksOf } from "./helpers/environments";
import { resourcesOf } from "./helpers/json";

describe("npm run verify: the checks an environment gives", () => {
  it("reads the registry's outputs from workloads, or from registry with several sides", () => {
    expect(registryOutputsStack(configOf("default"))).toBe("workloads");
    expect(registryOutputsStack(configOf("standalone"))).toBe("workloads");
    expect(registryOutputsStack(configOf("threeSides"))).toBe("registry");
  });

  it("checks the registry by name, through another address when asked", () => {
    const config = configOf("default");
    const outputs = {
      registry_ca_certificate_pem: { value: "PEM" },
      registry_pull_username: { value: "puller" },
      registry_pull_password: { value: "secret" },
    };
    expect(registryCheckTarget(config, outputs, {})).toEqual({
      fqdn: config.registry.fqdn,
      address: `${config.registry.fqdn}:443`,
      caPem: "PEM",
      user: "puller",
      password: "secret",
    });
    expect(
      registryCheckTarget(config, outputs, { registryAddress: "localhost:5443" }).address,
    ).toBe("localhost:5443");
  });

  it("checks every side's router and a simulated on-prem's, none without sides", () => {
    expect(routersOf(configOf("threeSides")).map((router) => router.name)).toEqual([
      "dev-router",
      "staging-router",
      "prod-router",
      "on-prem-router",
    ]);
    expect(routersOf(configOf("default")).map((router) => router.name)).toEqual([
      "app-router",
      "on-prem-router",
    ]);
    expect(routersOf(configOf("standalone"))).toEqual([]);
  });

  it("checks the chosen side's cluster, the first by default, and refuses an unknown side", () => {
    const config = configOf("threeSides");
    const commands = (side?: string) =>
      commandChecksOf(config, { side, appContext: "ctx" }).map((check) => check.command.join(" "));
    expect(commands()).toEqual(commands("dev"));
    expect(commands("prod")).not.toEqual(commands("dev"));
    expect(() => commandChecksOf(config, { side: "nowhere" })).toThrow(
      new ToolError("--side nowhere names no side; the sides are dev, staging, prod"),
    );
  });

  it("expects the seeding Job the stacks emit, in the registry's cluster", () => {
    for (const [name, stack] of [
      ["default", "workloads"],
      ["threeSides", "registry"],
    ] as const) {
      const [[, emitted]] = resourcesOf(stacksOf(name)[stack], "kubernetes_job_v1");
      const check = seedCheckOf(configOf(name), "registry-ctx");
      expect(check.command.slice(0, 3)).toEqual(["kubectl", "--context", "registry-ctx"]);
      const jobName = (emitted.metadata as { name: string }).name;
      expect(check.evaluate(JSON.stringify({ items: [] }), 0).detail).toContain(
        `${jobName} not found`,
      );
      expect(commandChecksOf(configOf(name), {}).at(-1)?.check).toBe(check.check);
    }
  });
});

describe("npm run verify: the deployed registry's outputs", () => {
  const outdir = mkdtempSync(join(tmpdir(), "hybrid-verify-outputs-"));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));
  const answer =
    (status: number, stdout: string, stderr = ""): RunTerraform =>
    () => ({ status, stdout, stderr });
  const hint =
    "deploy it first (npm run cdktf -- deploy workloads, HYBRID_CONFIG=the default environment), then verify";

  it("says that nothing is deployed before a synthesis", () => {
    expect(() => registryOutputs({ stack: "workloads", outdir }, answer(0, "{}"))).toThrow(
      new ToolError(
        `nothing is deployed from this checkout: ${join(outdir, "stacks", "workloads")} does not exist; ${hint}`,
      ),
    );
  });

  it("says that a stack is not deployed when Terraform was never initialized or has no outputs", () => {
    mkdirSync(join(outdir, "stacks", "workloads"), { recursive: true });
    const ran: Array<readonly string[]> = [];
    const uninitialized: RunTerraform = (args) => {
      ran.push(args);
      return { status: 1, stdout: "", stderr: 'Error: please run "terraform init"' };
    };
    expect(() => registryOutputs({ stack: "workloads", outdir }, uninitialized)).toThrow(
      new ToolError(`workloads is not deployed from this checkout (never initialized); ${hint}`),
    );
    expect(ran).toEqual([[`-chdir=${join(outdir, "stacks", "workloads")}`, "output", "-json"]]);
    expect(() =>
      registryOutputs(
        { stack: "workloads", outdir, environment: "examples/x.yaml" },
        answer(0, "{}"),
      ),
    ).toThrow(
      "workloads is not deployed (its state has no outputs); deploy it first (npm run cdktf -- deploy workloads, HYBRID_CONFIG=examples/x.yaml), then verify",
    );
    expect(() =>
      registryOutputs({ stack: "workloads", outdir }, answer(1, "", "Error: locked\nmore")),
    ).toThrow(new ToolError("terraform output of workloads failed: Error: locked"));
  });

  it("reads the outputs of a deployed stack", () => {
    const outputs = { registry_ca_certificate_pem: { value: "PEM" } };
    expect(
      registryOutputs({ stack: "workloads", outdir }, answer(0, JSON.stringify(outputs))),
    ).toEqual(outputs);
  });
});
