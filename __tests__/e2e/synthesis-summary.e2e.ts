/**
 * The synthesis summary of real runs of the app (scripts/synth.cjs in a child process): what
 * a user sees after `npm run synth` and under the cdktf CLI. The summary's text from a built
 * app is unit-tested in __tests__/synthesis-summary.test.ts.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/config";

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

describe("synthesis tells what it did, in a real run", () => {
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
});
