import {
  cloudNetworkStackOf,
  sideWorkloadsStackOf,
  CLOUD_NETWORK_STACK,
  WORKLOADS_STACK,
} from "../../contract/stack-names";
import type { AppSection, CloudSection, HybridConfig } from "../schema";

/** One application side with everything its stacks need, whichever form declared it. */
export interface ApplicationSide {
  /** `cloud` for the single `cloud:` form, else its key under `sides`. */
  readonly name: string;
  /** Where the file has it, for messages: `cloud` or `sides.<name>`. */
  readonly path: string;
  /** Whether it is the one side of the `cloud:` form (today's stack names and layout). */
  readonly single: boolean;
  readonly cloud: CloudSection;
  /** The side's own app section, or the top-level one. */
  readonly app: AppSection;
  /** Its network stack: cloud-network, or cloud-network-<name>. */
  readonly networkStack: string;
  /** The stack giving its cluster pull access: workloads, or workloads-<name>. */
  readonly workloadsStack: string;
}

/** The application sides of a hybrid config, in file order. */
export function applicationSidesOf(config: HybridConfig): ApplicationSide[] {
  if (config.cloud) {
    return [
      {
        name: "cloud",
        path: "cloud",
        single: true,
        cloud: config.cloud,
        app: config.app,
        networkStack: CLOUD_NETWORK_STACK,
        workloadsStack: WORKLOADS_STACK,
      },
    ];
  }
  return Object.entries(config.sides ?? {}).map(([name, { app, ...cloud }]) => ({
    name,
    path: `sides.${name}`,
    single: false,
    cloud,
    app: app ?? config.app,
    networkStack: cloudNetworkStackOf(name),
    workloadsStack: sideWorkloadsStackOf(name),
  }));
}

/** Whether the config declares `sides` (a registry stack plus stacks per side). */
export function hasManySides(config: HybridConfig): boolean {
  return config.cloud === undefined;
}
