import type { App, TerraformStack } from "cdktf";
import { DEFAULT_CONFIG_PATH, loadEnvironmentOrReport } from "./lib/config/load";
import type { Config, HybridConfig } from "./lib/config/schema";
import { terraformLiterals } from "./lib/config/core/terraform-literal";
import { LOCAL_STATE_DIRECTORY_ENV, withLocalState } from "./lib/config/backend/local-state";
import { applicationSidesOf, hasManySides } from "./lib/config/sides/application-sides";
import {
  ONPREM_NETWORK_STACK,
  REGISTRY_STACK,
  TERRAFORM_CLOUD_STACK,
  WORKLOADS_STACK,
} from "./lib/contract/stack-names";
import { CloudNetworkStack } from "./stacks/cloud-network";
import { OnpremNetworkStack } from "./stacks/onprem-network";
import { RegistryStack } from "./stacks/registry";
import { SideWorkloadsStack } from "./stacks/side-workloads";
import { WorkloadsStack } from "./stacks/workloads";
import { TERRAFORM_CLOUD_STACK_VERSION, TerraformCloudStack } from "./stacks/terraform-cloud";
import {
  ensurePrivateStateDirectory,
  localStateFolder,
  misplacedStateNote,
} from "./lib/backend/state-directory";
import { unnamedStateProblem } from "./lib/backend/unnamed-state";
import { publishSynthesis } from "./lib/synth/publish-synthesis";
import { requireTerraformVersion } from "./lib/terraform/required-version";
import {
  summaryWanted,
  synthesisSummary,
  synthesizedEnvironmentNote,
} from "./lib/synth/synthesis-summary";

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
  stacks.forEach((stack) => requireTerraformVersion(stack));
  if (config.workspaceSetup) {
    const bootstrap = new TerraformCloudStack(app, TERRAFORM_CLOUD_STACK, {
      setup: config.workspaceSetup,
      environment: config.environment,
      stacks,
    });
    requireTerraformVersion(bootstrap, TERRAFORM_CLOUD_STACK_VERSION);
    // The others run in the workspaces it creates: `cdktf deploy '*'` applies it first.
    stacks.forEach((stack) => stack.addDependency(bootstrap));
  }
  return app;
}

/**
 * onprem-network, then per application side its network and workloads. The `cloud:` form
 * keeps one workloads stack for the registry and its side; with `sides`, the registry stack
 * holds the registry and each side's stacks only what is its own.
 */
function hybridStacks(app: App, config: HybridConfig): TerraformStack[] {
  const onpremStack = new OnpremNetworkStack(app, ONPREM_NETWORK_STACK, { config });
  const sides = applicationSidesOf(config);
  if (!hasManySides(config)) {
    const [side] = sides;
    const cloudStack = new CloudNetworkStack(app, side.networkStack, { config, side, onpremStack });
    return [
      onpremStack,
      cloudStack,
      new WorkloadsStack(app, side.workloadsStack, { config, side, onpremStack, cloudStack }),
    ];
  }
  const registryStack = new RegistryStack(app, REGISTRY_STACK, { config, onpremStack });
  // Simulated on-prem: every side's network stack adds interfaces and BGP peers to the one
  // on-prem Cloud Router, which the provider does by read-modify-write of the router's whole
  // lists with no fingerprint (google provider resource_compute_router_interface.go and
  // resource_compute_router_peer.go: GET, append, PATCH), and cdktf deploy runs stacks that
  // do not depend on each other in parallel: two sides at once can drop each other's entries.
  // Each side's network stack depends on the previous one, so deploy and destroy go one by one.
  const writesSharedRouter = config.onprem.mode === "simulated";
  let previousNetwork: CloudNetworkStack | undefined;
  return [
    onpremStack,
    registryStack,
    ...sides.flatMap((side) => {
      const cloudStack = new CloudNetworkStack(app, side.networkStack, {
        config,
        side,
        onpremStack,
      });
      if (writesSharedRouter && previousNetwork) cloudStack.addDependency(previousNetwork);
      previousNetwork = cloudStack;
      return [
        cloudStack,
        new SideWorkloadsStack(app, side.workloadsStack, {
          config,
          side,
          onpremStack,
          cloudStack,
          registryStack,
        }),
      ];
    }),
  ];
}

/** The names of the stacks `buildApp` adds for `config`, in deploy order. */
export function stackNamesOf(config: Config): string[] {
  // The bootstrap first: it creates the workspaces the others run in.
  const bootstrap = config.workspaceSetup ? [TERRAFORM_CLOUD_STACK] : [];
  if (config.mode === "standalone") return [...bootstrap, WORKLOADS_STACK];
  const sides = applicationSidesOf(config);
  return [
    ...bootstrap,
    ONPREM_NETWORK_STACK,
    ...(hasManySides(config) ? [REGISTRY_STACK] : []),
    ...sides.flatMap((side) => [side.networkStack, side.workloadsStack]),
  ];
}

/** Load the environment, synthesize it and say what was written; exit code 1 on a bad file. */
export function main(): void {
  const path = process.env.HYBRID_CONFIG ?? DEFAULT_CONFIG_PATH;
  // Nothing has been written to cdktf.out when the file is refused.
  const loaded = loadEnvironmentOrReport(path);
  if (!loaded) return;
  const localStateDirectory = process.env[LOCAL_STATE_DIRECTORY_ENV];
  const config = localStateDirectory ? withLocalState(loaded, localStateDirectory) : loaded;
  if (config.backend.type === "local") {
    const inTheWay = config.environmentNamed
      ? unnamedStateProblem({
          environment: config.environment,
          directory: config.backend.directory,
          stackNames: stackNamesOf(config),
          root: process.cwd(),
        })
      : undefined;
    if (inTheWay) {
      console.error(`${path}: not synthesized.\n${inTheWay}`);
      process.exitCode = 1;
      return;
    }
  }
  const outdir = process.env.CDKTF_OUTDIR ?? "cdktf.out";
  if (config.backend.type === "local") {
    // Where Terraform will write it, which is not the project's folder when outdir is elsewhere.
    ensurePrivateStateDirectory(localStateFolder(outdir, config.backend.directory));
    const note = misplacedStateNote(outdir, config.backend.directory, process.cwd());
    if (note) process.stderr.write(note);
  }
  // The cdktf CLI passes its context in this variable and removes orphaned stacks itself.
  const underCdktfCli = process.env.CDKTF_CONTEXT_JSON !== undefined;
  const deployOrder = stackNamesOf(config);
  const stacks = publishSynthesis({
    outdir,
    build: (app) => buildApp(app, config),
    removeOrphans: !underCdktfCli,
  }).sort((a, b) => deployOrder.indexOf(a.name) - deployOrder.indexOf(b.name));
  const summary = {
    environmentFile: path,
    environmentName: config.environment,
    isDefaultEnvironment: process.env.HYBRID_CONFIG === undefined,
    mode: config.mode === "hybrid" ? `hybrid (on-prem: ${config.onprem.mode})` : "standalone",
    outdir,
    stacks,
  };
  if (summaryWanted(process.argv, process.env)) {
    process.stdout.write(synthesisSummary(summary));
  } else if (underCdktfCli) {
    // The CLI prints its own summary, which does not say which environment file it was.
    process.stderr.write(synthesizedEnvironmentNote({ ...summary, stackCount: stacks.length }));
  }
}

if (require.main === module) main();
