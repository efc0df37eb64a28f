import { STATE_IDENTITY_ADDRESS } from "../backend/state-identity";
import {
  CLOUD_NETWORK_STACK,
  ONPREM_NETWORK_STACK,
  REGISTRY_STACK,
  WORKLOADS_STACK,
} from "../contract/stack-names";

/** A synthesized stack's managed resources, by type and logical id. */
export interface StackResources {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** Copy the state of `from` into the new stack `to`, then forget `remove` there. */
export interface StateMove {
  readonly from: string;
  readonly to: string;
  /** Resource addresses the copy must forget: another new stack owns them. */
  readonly remove: readonly string[];
  /** Addresses in the new stack that the old state does not hold (the plan creates them). */
  readonly created: readonly string[];
}

/** Terraform addresses (`type.logical_id`) of a stack's managed resources. */
export function resourceAddresses(stack: StackResources | undefined): string[] {
  return Object.entries(stack?.resource ?? {}).flatMap(([type, resources]) =>
    Object.keys(resources).map((id) => `${type}.${id}`),
  );
}

/**
 * How the states of a `cloud:` environment become those of the same environment with its
 * side declared under `sides` as `side`. Construct ids are kept across the split, so every
 * resource keeps its address: cloud-network's state moves whole to cloud-network-<side>;
 * workloads' state is copied to both registry and workloads-<side>, and each copy forgets
 * what only the other owns (a resource neither has stays with registry, whose plan deletes
 * it once).
 */
export function sidesMigration(
  before: Readonly<Record<string, StackResources>>,
  after: Readonly<Record<string, StackResources>>,
  side: { readonly networkStack: string; readonly workloadsStack: string },
): StateMove[] {
  for (const name of [CLOUD_NETWORK_STACK, WORKLOADS_STACK]) {
    if (!(name in before)) throw new Error(`the old environment has no ${name} stack`);
  }
  for (const name of [side.networkStack, side.workloadsStack, REGISTRY_STACK]) {
    if (!(name in after)) throw new Error(`the new environment has no ${name} stack`);
  }
  const sideOwned = new Set(resourceAddresses(after[side.workloadsStack]));
  const registryOwned = new Set(resourceAddresses(after[REGISTRY_STACK]));
  const move = (from: string, to: string, owned: (address: string) => boolean): StateMove => {
    // The identity marker names the old stack: each new stack records its own.
    const remove = (address: string) => address === STATE_IDENTITY_ADDRESS || owned(address);
    const held = resourceAddresses(before[from]);
    const kept = new Set(held.filter((address) => !remove(address)));
    return {
      from,
      to,
      remove: held.filter(remove),
      created: resourceAddresses(after[to]).filter((address) => !kept.has(address)),
    };
  };
  return [
    move(CLOUD_NETWORK_STACK, side.networkStack, () => false),
    // Both have some (their remote-state guards): each copy keeps those.
    move(
      WORKLOADS_STACK,
      REGISTRY_STACK,
      (address) => sideOwned.has(address) && !registryOwned.has(address),
    ),
    move(WORKLOADS_STACK, side.workloadsStack, (address) => !sideOwned.has(address)),
  ];
}

/** Shell commands carrying out the moves, for the stacks synthesized under cdktf.out. */
export function migrationCommands(moves: readonly StateMove[]): string {
  const chdir = (stack: string) => `terraform -chdir=cdktf.out/stacks/${stack}`;
  const sources = [...new Set(moves.map((move) => move.from))];
  const targets = moves.map((move) => move.to);
  // The side's network, then the stacks it no longer shares the on-prem zone with.
  const order = [
    ...targets.filter((stack) => stack.startsWith(`${CLOUD_NETWORK_STACK}-`)),
    ONPREM_NETWORK_STACK,
    ...targets.filter((stack) => !stack.startsWith(`${CLOUD_NETWORK_STACK}-`)),
  ];
  const lines = [
    "# 1. With the cloud: environment synthesized (its stacks in cdktf.out), save the states:",
    "mkdir -p migration",
    ...sources.flatMap((stack) => [
      // state pull needs an initialized working directory (a fresh checkout has none).
      `${chdir(stack)} init`,
      `${chdir(stack)} state pull > migration/${stack}.tfstate`,
    ]),
    "",
    "# 2. Select the sides environment and synthesize it (HYBRID_CONFIG=<file> npm run synth).",
    "",
    "# 3. Give each new stack its state:",
  ];
  for (const move of moves) {
    lines.push(
      `${chdir(move.to)} init`,
      `${chdir(move.to)} state push ../../../migration/${move.from}.tfstate`,
    );
    if (move.remove.length > 0) {
      lines.push(
        `${chdir(move.to)} state rm \\`,
        ...move.remove.map(
          (address, i) => `  '${address}'${i === move.remove.length - 1 ? "" : " \\"}`,
        ),
      );
    }
  }
  lines.push(
    "",
    `# 4. Plan and apply in this order: ${order.join(", ")}. The side's network goes first:`,
    "#    its private zone stops binding the on-prem VPC, which onprem-network's own zone then",
    "#    binds (a VPC takes one private zone per domain). No plan may destroy anything of the",
    "#    registry, a cluster or the VPN. Created by the plans besides that:",
    ...moves.flatMap((move) => move.created.map((address) => `#    ${move.to}: ${address}`)),
    "#    Then delete the old states of cloud-network and workloads.",
  );
  return `${lines.join("\n")}\n`;
}
