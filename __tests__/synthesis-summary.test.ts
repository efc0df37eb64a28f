import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TerraformResource, TerraformStack, TerraformVariable, type App } from "cdktf";
import { publishSynthesis } from "../lib/synth/publish-synthesis";
import { cdktfCommand, summaryWanted, synthesisSummary } from "../lib/synth/synthesis-summary";

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
