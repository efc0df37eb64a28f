import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../main";
import { publishSynthesis } from "../lib/synth/publish-synthesis";
import { summaryWanted, synthesisSummary } from "../lib/synth/synthesis-summary";
import { loadEnvironment, ROOT } from "./helpers/config";

/** One real run of the app, without CI (which CI itself sets) or HYBRID_CONFIG unless given. */
function synth(env: Record<string, string | undefined>) {
  const dir = mkdtempSync(join(tmpdir(), "hybrid-summary-"));
  const outdir = join(dir, "out");
  const base = { ...process.env };
  delete base.CI;
  delete base.HYBRID_CONFIG;
  const result = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], {
    cwd: ROOT,
    env: { ...base, CDKTF_OUTDIR: outdir, ...env },
    encoding: "utf8",
  });
  rmSync(dir, { recursive: true, force: true });
  return { ...result, outdir };
}

describe("synthesis tells what it did", () => {
  it("names the default environment as such, the mode, each stack in deploy order and the next command", () => {
    const run = synth({});
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(
      "Environment: environments/example.yaml (the default, because HYBRID_CONFIG is not set: its project ids are placeholders)",
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
      "Next: npx cdktf diff onprem-network, then npx cdktf deploy onprem-network cloud-network workloads (in this order)",
    );
  });

  it("counts the resources of each stack", () => {
    const dir = mkdtempSync(join(tmpdir(), "hybrid-summary-"));
    try {
      const outdir = join(dir, "cdktf.out");
      const config = loadEnvironment("environments/standalone-k3s.yaml");
      const stacks = publishSynthesis({ outdir, build: (app) => buildApp(app, config) });
      const summary = synthesisSummary({
        environmentFile: "environments/standalone-k3s.yaml",
        isDefaultEnvironment: false,
        mode: "standalone",
        outdir,
        stacks,
      });
      const resources = JSON.parse(
        readFileSync(join(outdir, "stacks", "workloads", "cdk.tf.json"), "utf8"),
      ) as { resource: Record<string, object> };
      const count = Object.values(resources.resource).flatMap((byName) =>
        Object.keys(byName),
      ).length;
      expect(summary).toContain("Environment: environments/standalone-k3s.yaml\n");
      expect(summary).toContain(`  workloads  ${String(count).padStart(3)} resources  `);
      expect(summary).toContain("Next: npx cdktf diff workloads, then npx cdktf deploy workloads");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stays quiet with --quiet, in CI and under the cdktf CLI (which prints its own)", () => {
    expect(summaryWanted(["node", "main.ts"], {})).toBe(true);
    expect(summaryWanted(["node", "main.ts", "--quiet"], {})).toBe(false);
    expect(summaryWanted(["node", "main.ts"], { CI: "true" })).toBe(false);
    expect(summaryWanted(["node", "main.ts"], { CDKTF_CONTEXT_JSON: "{}" })).toBe(false);
  });
});
