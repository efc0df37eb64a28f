import { rmSync } from "node:fs";
import { join } from "node:path";
import { App } from "cdktf";
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfig } from "./lib/config/load";
import type { Config } from "./lib/config/schema";
import {
  CLOUD_NETWORK_STACK,
  ONPREM_NETWORK_STACK,
  WORKLOADS_STACK,
} from "./lib/contract/stack-names";
import { CloudNetworkStack } from "./stacks/cloud-network";
import { OnpremNetworkStack } from "./stacks/onprem-network";
import { WorkloadsStack } from "./stacks/workloads";

/** Add the stacks the config asks for: all three in hybrid mode, only workloads standalone. */
export function buildApp(app: App, config: Config): App {
  if (config.mode === "standalone") {
    new WorkloadsStack(app, WORKLOADS_STACK, { config });
    return app;
  }
  const onpremStack = new OnpremNetworkStack(app, ONPREM_NETWORK_STACK, { config });
  const cloudStack = new CloudNetworkStack(app, CLOUD_NETWORK_STACK, { config, onpremStack });
  new WorkloadsStack(app, WORKLOADS_STACK, { config, onpremStack, cloudStack });
  return app;
}

function main(): void {
  const path = process.env.HYBRID_CONFIG ?? DEFAULT_CONFIG_PATH;
  let config: Config;
  try {
    config = loadConfig(path);
  } catch (error) {
    if (error instanceof ConfigError) {
      // A clear report and no stack trace; nothing has been written to cdktf.out yet.
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  // Like `cdktf synth`, start from an empty stacks folder so a mode switch leaves no stale
  // stack. The App creates the folder as soon as it is constructed, so clear it first.
  const outdir = process.env.CDKTF_OUTDIR ?? "cdktf.out";
  rmSync(join(outdir, "stacks"), { recursive: true, force: true });
  buildApp(new App({ outdir }), config).synth();
}

if (require.main === module) main();
