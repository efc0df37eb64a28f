/**
 * Moving a `cloud:` environment to `sides`: construct ids are kept across the split of the
 * workloads stack, so every resource keeps its Terraform address and the states can be moved
 * instead of the resources being replaced.
 */
import {
  migrationCommands,
  resourceAddresses,
  sidesMigration,
} from "../lib/migrate/sides-migration";
import { stacksOf } from "./helpers/environments";

const before = stacksOf("default");
const after = stacksOf("defaultAsSides");
const side = { networkStack: "cloud-network-app", workloadsStack: "workloads-app" };
const moves = sidesMigration(before, after, side);
const moveTo = (stack: string) => {
  const found = moves.find((move) => move.to === stack);
  if (!found) throw new Error(`no move to ${stack}`);
  return found;
};

describe("migrating a cloud: environment to sides", () => {
  it("moves cloud-network's state whole: every resource keeps its address", () => {
    const network = moveTo("cloud-network-app");
    expect(network.from).toBe("cloud-network");
    // But the identity marker, which names cloud-network: the new stack records its own.
    expect(network.remove).toEqual(["terraform_data.state_identity"]);
    expect(network.created).toEqual(["terraform_data.state_identity"]);
    expect(resourceAddresses(after["cloud-network-app"]).sort()).toEqual(
      resourceAddresses(before["cloud-network"]).sort(),
    );
  });

  it("splits workloads between registry and the side, losing and duplicating nothing", () => {
    const registry = moveTo("registry");
    const workloads = moveTo("workloads-app");
    const old = resourceAddresses(before.workloads);
    const keptByRegistry = old.filter((address) => !registry.remove.includes(address));
    const keptBySide = old.filter((address) => !workloads.remove.includes(address));
    // Each copy forgets the old stack's identity marker and records its own.
    const marker = "terraform_data.state_identity";
    expect(registry.remove).toContain(marker);
    expect(workloads.remove).toContain(marker);
    expect([...new Set([...keptByRegistry, ...keptBySide, marker])].sort()).toEqual(old.sort());
    // Only what both stacks have (the on-prem remote-state guard) is in both copies.
    expect(keptByRegistry.filter((address) => keptBySide.includes(address))).toEqual([
      expect.stringMatching(/^terraform_data\.onprem_state-file_/),
    ]);
    // The side keeps the pull access and the sample app; the registry keeps its server.
    expect(keptBySide.some((address) => address.includes("pull-access"))).toBe(true);
    expect(keptBySide.some((address) => address.includes("sample-app"))).toBe(true);
    expect(
      keptByRegistry.some((address) => address.startsWith("kubernetes_deployment_v1.registry_")),
    ).toBe(true);
    expect(keptByRegistry.some((address) => address.includes("credentials"))).toBe(true);
    // Nothing of either is created anew but the side's guard on the registry's state.
    expect(registry.created).toEqual([marker]);
    expect([...workloads.created].sort()).toEqual([
      expect.stringMatching(/^terraform_data\.registry_state-file_/),
      marker,
    ]);
  });

  it("prints the commands: pull the old states, push them, forget what the other stack owns", () => {
    const text = migrationCommands(moves);
    // A fresh checkout has no initialized working directory: init comes before state pull.
    expect(text).toContain(
      "terraform -chdir=cdktf.out/stacks/workloads init\nterraform -chdir=cdktf.out/stacks/workloads state pull > migration/workloads.tfstate",
    );
    expect(text).toContain(
      "terraform -chdir=cdktf.out/stacks/cloud-network-app state push ../../../migration/cloud-network.tfstate",
    );
    for (const address of moveTo("registry").remove) expect(text).toContain(`'${address}'`);
    // The side's zone must let go of the on-prem VPC before onprem-network binds its own.
    expect(text).toContain(
      "# 4. Plan and apply in this order: cloud-network-app, onprem-network, registry, workloads-app.",
    );
  });

  it("refuses environments of the wrong form", () => {
    expect(() => sidesMigration(after, after, side)).toThrow(
      "the old environment has no cloud-network stack",
    );
  });
});
