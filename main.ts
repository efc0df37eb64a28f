import type { App, TerraformStack } from "cdktf";
import { DEFAULT_CONFIG_PATH, loadEnvironmentOrReport } from "./lib/config/load";
import type { Config, HybridConfig } from "./lib/config/schema";
import { terraformLiterals } from "./lib/config/terraform-literal";
import {
  CLOUD_NETWORK_STACK,
  ONPREM_NETWORK_STACK,
  WORKLOADS_STACK,
} from "./lib/contract/stack-names";
import { CloudNetworkStack } from "./stacks/cloud-network";
import { OnpremNetworkStack } from "./stacks/onprem-network";
import { WorkloadsStack } from "./stacks/workloads";
import { ensurePrivateStateDirectory } from "./lib/backend/state-directory";
import { publishSynthesis } from "./lib/synth/publish-synthesis";
import { requireTerraformVersion } from "./lib/terraform/required-version";
import { summaryWanted, synthesisSummary } from "./lib/synth/synthesis-summary";

/**
 * Add the stacks the config asks for: all three in hybrid mode, only workloads standalone.
 * Every config string reaches Terraform as a literal: a `${...}` in it is never evaluated.
 */
export function buildApp(app: App, validConfig: Config): App {
  const config = terraformLiterals(validConfig);
  const stacks =
    config.mode === "standalone"
      ? [new WorkloadsStack(app, WORKLOADS_STACK, { config })]
      : hybridStacks(app, config);
  stacks.forEach(requireTerraformVersion);
  return app;
}

function hybridStacks(app: App, config: HybridConfig): TerraformStack[] {
  const onpremStack = new OnpremNetworkStack(app, ONPREM_NETWORK_STACK, { config });
  const cloudStack = new CloudNetworkStack(app, CLOUD_NETWORK_STACK, { config, onpremStack });
  return [
    onpremStack,
    cloudStack,
    new WorkloadsStack(app, WORKLOADS_STACK, { config, onpremStack, cloudStack }),
  ];
}

/** Load the environment, synthesize it and say what was written; exit code 1 on a bad file. */
export function main(): void {
  const path = process.env.HYBRID_CONFIG ?? DEFAULT_CONFIG_PATH;
  // Nothing has been written to cdktf.out when the file is refused.
  const config = loadEnvironmentOrReport(path);
  if (!config) return;
  if (config.backend.type === "local") ensurePrivateStateDirectory(config.backend.directory);
  const outdir = process.env.CDKTF_OUTDIR ?? "cdktf.out";
  // The cdktf CLI passes its context in this variable and removes orphaned stacks itself.
  const underCdktfCli = process.env.CDKTF_CONTEXT_JSON !== undefined;
  const stacks = publishSynthesis({
    outdir,
    build: (app) => buildApp(app, config),
    removeOrphans: !underCdktfCli,
  });
  if (summaryWanted(process.argv, process.env)) {
    process.stdout.write(
      synthesisSummary({
        environmentFile: path,
        isDefaultEnvironment: process.env.HYBRID_CONFIG === undefined,
        mode: config.mode === "hybrid" ? `hybrid (on-prem: ${config.onprem.mode})` : "standalone",
        outdir,
        stacks,
      }),
    );
  }
}

if (require.main === module) main();
