/**
 * `npm run estimate`: billable resources, a monthly list-price estimate and a typical deploy
 * time per stack of an environment (HYBRID_CONFIG, default environments/example.yaml), read
 * from its synthesized stacks.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../main";
import { loadEnvironmentOrReport } from "../lib/config/load";
import { estimateOf, type EstimatedStackJson } from "../lib/estimate/cost-estimate";
import { renderEstimate } from "../lib/estimate/render-estimate";
import { publishSynthesis } from "../lib/synth/publish-synthesis";

function run(): void {
  const config = loadEnvironmentOrReport();
  if (!config) return;
  const outdir = mkdtempSync(join(tmpdir(), "hybrid-estimate-"));
  try {
    const stacks = Object.fromEntries(
      publishSynthesis({ outdir, build: (app) => buildApp(app, config) }).map((stack) => [
        stack.name,
        JSON.parse(
          readFileSync(join(outdir, stack.workingDirectory, "cdk.tf.json"), "utf8"),
        ) as EstimatedStackJson,
      ]),
    );
    process.stdout.write(renderEstimate(estimateOf(stacks)));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

run();
