/**
 * `npm run estimate`: billable resources, a monthly list-price estimate and a typical deploy
 * time per stack of an environment (HYBRID_CONFIG, default environments/example.yaml), read
 * from its synthesized stacks.
 */
import { buildApp } from "../main";
import { startTool } from "../lib/cli/command-line";
import { DEFAULT_CONFIG_PATH, loadEnvironmentOrReport } from "../lib/config/load";
import { estimateOf, type EstimatedStackJson } from "../lib/estimate/cost-estimate";
import { renderEstimate } from "../lib/estimate/render-estimate";
import { synthesizedStacks } from "../lib/synth/synthesized-stacks";

const USAGE = `usage: [HYBRID_CONFIG=<file>] npm run estimate

Prints the billable resources of an environment (default ${DEFAULT_CONFIG_PATH}), a monthly
list-price estimate and a typical deploy time per stack, read from its synthesized stacks.
Writes nothing.`;

startTool({ command: "npm run estimate", usage: USAGE, flags: {} }, () => {
  const config = loadEnvironmentOrReport();
  if (!config) return 1;
  const stacks = synthesizedStacks<EstimatedStackJson>((app) => buildApp(app, config));
  process.stdout.write(renderEstimate(estimateOf(stacks)));
  return 0;
});
