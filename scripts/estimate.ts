/**
 * `npm run estimate`: billable resources, a monthly list-price estimate and a typical deploy
 * time per stack of an environment (HYBRID_CONFIG, default environments/example.yaml), read
 * from its synthesized stacks.
 */
import { buildApp } from "../main";
import { loadEnvironmentOrReport } from "../lib/config/load";
import { estimateOf, type EstimatedStackJson } from "../lib/estimate/cost-estimate";
import { renderEstimate } from "../lib/estimate/render-estimate";
import { synthesizedStacks } from "../lib/synth/synthesized-stacks";

function run(): void {
  const config = loadEnvironmentOrReport();
  if (!config) return;
  const stacks = synthesizedStacks<EstimatedStackJson>((app) => buildApp(app, config));
  process.stdout.write(renderEstimate(estimateOf(stacks)));
}

run();
