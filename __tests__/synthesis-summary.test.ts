import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TerraformResource, TerraformStack, TerraformVariable, type App } from "cdktf";
import { publishSynthesis } from "../lib/synth/publish-synthesis";
import { cdktfCommand, summaryWanted, synthesisSummary } from "../lib/synth/synthesis-summary";
import { ROOT } from "./helpers/config";

/** One real run of the app, without CI (which CI itself sets) or HYBRID_CONFIG unless given. */
function synth(env: Record<string, string | undefined>) {
  const dir = mkdtempSync(join(tmpdir(), "hybrid-summary-"));
  const outdir = join(dir, "out");
  const base = { ...process.env };
  delete base.CI;
  delete base.HYBRID_CONFIG;
  const result = spawnSync(process.execPath, ["scripts/synth.cjs"], {
    cwd: ROOT,
    env: { ...base, CDKTF_OUTDIR: outdir, ...env },
    encoding: "utf8",
  });
  rmSync(dir, { recursive: true, force: true });
  return { ...result, outdir };
}

/** The summary of an app built by `build`, published into a temporary folder (removed after). */
function summaryOf(build: (app: App) => void): { summary: string; outdir: string } {
  const dir = mkdtempSync(join(tmpdir(), "hybrid-summary-"));
  try {
    const outdir = join(dir, "cdktf.out");
    const stacks = publishSynthesis({ outdir, build });
    const summary = synthesisSummary({
      environmentFile: "environments/mine.yaml",
      environmentName: "mine",
      isDefaultEnvironment: false,
      mode: "standalone",
      outdir,
      stacks,
    });
    return { summary, outdir };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("synthesis tells what it did", () => {
  it("names the default environment as such, the mode, each stack in deploy order and the next command", () => {
    const run = synth({});
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(
      "Environment: example (environments/example.yaml, the default because HYBRID_CONFIG is not set: its project ids are placeholders)",
    );
    expect(lines[1]).toBe("Mode: hybrid (on-prem: simulated)");
    expect(lines.slice(2, 5).map((line) => line.trim().split(/\s+/)[0])).toEqual([
      "onprem-network",
      "cloud-network",
      "workloads",
    ]);
    for (const line of lines.slice(2, 5)) {
      expect(line).toMatch(/^ {2}[a-z-]+ +\d+ resources {2}\S+\/stacks\/[a-z-]+\/cdk\.tf\.json$/);
    }
    expect(lines[5]).toBe(
      "Next: npm run cdktf -- diff onprem-network, then npm run cdktf -- deploy onprem-network cloud-network workloads (cdktf runs them in dependency order)",
    );
  });

  it("prints next commands that keep the chosen environment (cdktf synthesizes again)", () => {
    const run = synth({ HYBRID_CONFIG: "examples/hybrid-three-sides.yaml" });
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("Environment: hybrid-three-sides (examples/hybrid-three-sides.yaml)");
    expect(lines[lines.length - 1]).toBe(
      "Next: HYBRID_CONFIG=examples/hybrid-three-sides.yaml npm run cdktf -- diff onprem-network, then HYBRID_CONFIG=examples/hybrid-three-sides.yaml npm run cdktf -- deploy onprem-network registry cloud-network-dev workloads-dev cloud-network-staging workloads-staging cloud-network-prod workloads-prod (cdktf runs them in dependency order)",
    );
  });

  it("quotes an environment file name the shell would split", () => {
    const props = {
      environmentFile: "envs/it's prod.yaml",
      environmentName: "it-s-prod",
      isDefaultEnvironment: false,
      mode: "standalone",
      outdir: "cdktf.out",
      stacks: [],
    };
    expect(cdktfCommand(props, "diff workloads")).toBe(
      "HYBRID_CONFIG='envs/it'\\''s prod.yaml' npm run cdktf -- diff workloads",
    );
  });

  it("under the cdktf CLI, says on stderr which environment it synthesized", () => {
    const run = synth({
      HYBRID_CONFIG: "environments/standalone-k3s.yaml",
      CDKTF_CONTEXT_JSON: "{}",
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe("");
    // The note says where the local state goes with the stacks in a temporary folder.
    expect(run.stderr.split("\n").slice(-2)).toEqual([
      "hybrid-registry: synthesized environment standalone-k3s from environments/standalone-k3s.yaml (1 stacks)",
      "",
    ]);
    expect(run.stderr).toMatch(/^note: the stacks are synthesized into /);
  });

  it("counts the resources of each stack and lists them in the app's order", () => {
    const { summary, outdir } = summaryOf((app) => {
      for (const [name, count] of [
        ["producer", 3],
        ["consumer", 1],
      ] as const) {
        const stack = new TerraformStack(app, name);
        for (let i = 0; i < count; i++) {
          new TerraformResource(stack, `r${i}`, { terraformResourceType: "terraform_data" });
        }
      }
    });
    expect(summary.split("\n")).toEqual([
      "Environment: mine (environments/mine.yaml)",
      "Mode: standalone",
      `  producer    3 resources  ${join(outdir, "stacks", "producer", "cdk.tf.json")}`,
      `  consumer    1 resources  ${join(outdir, "stacks", "consumer", "cdk.tf.json")}`,
      "Next: HYBRID_CONFIG=environments/mine.yaml npm run cdktf -- diff producer, then HYBRID_CONFIG=environments/mine.yaml npm run cdktf -- deploy producer consumer (cdktf runs them in dependency order)",
      "",
    ]);
  });

  it("names the Terraform variables to set before a plan (those without a default)", () => {
    const { summary } = summaryOf((app) => {
      const stack = new TerraformStack(app, "workloads");
      new TerraformVariable(stack, "registry_s3_secret_key", { type: "string", sensitive: true });
      new TerraformVariable(stack, "with_default", { type: "string", default: "x" });
    });
    expect(summary).toContain(
      "Set first: TF_VAR_registry_s3_secret_key (a Terraform variable of workloads, never in the config)\n",
    );
    expect(summary).not.toContain("with_default");
  });

  it("stays quiet with --quiet, in CI and under the cdktf CLI (which prints its own)", () => {
    expect(summaryWanted(["node", "main.ts"], {})).toBe(true);
    expect(summaryWanted(["node", "main.ts", "--quiet"], {})).toBe(false);
    expect(summaryWanted(["node", "main.ts"], { CI: "true" })).toBe(false);
    expect(summaryWanted(["node", "main.ts"], { CDKTF_CONTEXT_JSON: "{}" })).toBe(false);
  });
});
