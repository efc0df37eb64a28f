/**
 * The shared Cloud Router model of the rehearsal (lib/rehearsal/stand-ins/shared-router.ts):
 * read-modify-write of a router's whole interface or peer list with no fingerprint, serialized
 * inside one provider process (the real provider's MutexStore) and not across processes.
 * The e2e proof with real Terraform is __tests__/e2e/rehearsal-router.e2e.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environmentOf } from "../lib/rehearsal/commands";
import type { ObjectValue } from "../lib/rehearsal/plugin/cty";
import { emptyObject, resourceSchema } from "../lib/rehearsal/plugin/provider";
import {
  CLOUD_DIR_ENV,
  DEFAULT_ROUTER_ROUND_TRIP_MS,
  readRouterList,
  ROUTER_ROUND_TRIP_ENV,
  RouterEntryExists,
  SharedRouterLists,
  sharedRouterSettingsFrom,
  type RouterAddress,
} from "../lib/rehearsal/stand-ins/shared-router";
import {
  poolOfMember,
  WorkloadIdentityPools,
} from "../lib/rehearsal/stand-ins/workload-identity-pools";

const onprem: RouterAddress = {
  project: "onprem-project-123",
  region: "europe-west1",
  router: "on-prem-router",
};
const names = (dir: string, list: "interfaces" | "bgpPeers" = "interfaces") =>
  readRouterList(dir, onprem, list).map((entry) => entry.name);

describe("shared Cloud Router lists", () => {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hr-router-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const lists = (roundTripMs = 40) => new SharedRouterLists({ dir, roundTripMs });

  it("loses an entry when two provider processes add to one router at once", async () => {
    // Two Terraform runs: two provider processes, two MutexStores.
    await Promise.all([
      lists().add(onprem, "interfaces", { name: "dev-if" }),
      lists().add(onprem, "interfaces", { name: "staging-if" }),
    ]);
    // Both read the empty list; the second PATCH replaced the first.
    expect(names(dir)).toHaveLength(1);
  });

  it("keeps every entry when one process adds concurrently (its lock serializes)", async () => {
    const one = lists();
    await Promise.all([
      one.add(onprem, "interfaces", { name: "dev-if-0" }),
      one.add(onprem, "interfaces", { name: "dev-if-1" }),
      one.add(onprem, "bgpPeers", { name: "dev-bgp-0" }),
    ]);
    expect(names(dir).sort()).toEqual(["dev-if-0", "dev-if-1"]);
    expect(names(dir, "bgpPeers")).toEqual(["dev-bgp-0"]);
  });

  it("keeps every entry when two processes write one after the other", async () => {
    await lists().add(onprem, "interfaces", { name: "dev-if" });
    await lists().add(onprem, "interfaces", { name: "staging-if" });
    expect(names(dir)).toEqual(["dev-if", "staging-if"]);
  });

  it("resurrects a removed entry when a remove and an add race", async () => {
    await lists().add(onprem, "interfaces", { name: "dev-if" });
    await Promise.all([
      lists(300).remove(onprem, "interfaces", "dev-if"),
      // GETs while the remove waits for its PATCH, and PATCHes after it: its list has dev-if.
      new Promise((resolve) => setTimeout(resolve, 20)).then(() =>
        lists(300).add(onprem, "interfaces", { name: "staging-if" }),
      ),
    ]);
    expect(names(dir)).toEqual(["dev-if", "staging-if"]);
  });

  it("writes one list without touching the other, as a PATCH of one field", async () => {
    await Promise.all([
      lists().add(onprem, "interfaces", { name: "dev-if" }),
      lists().add(onprem, "bgpPeers", { name: "staging-bgp" }),
    ]);
    expect(names(dir)).toEqual(["dev-if"]);
    expect(names(dir, "bgpPeers")).toEqual(["staging-bgp"]);
  });

  it("refuses a duplicate name with the provider's message; removing a missing one is a no-op", async () => {
    const one = lists(0);
    await one.add(onprem, "interfaces", { name: "dev-if" });
    await expect(one.add(onprem, "interfaces", { name: "dev-if" })).rejects.toThrow(
      new RouterEntryExists("Router on-prem-router has interface dev-if already"),
    );
    await one.add(onprem, "bgpPeers", { name: "dev-bgp" });
    await expect(one.add(onprem, "bgpPeers", { name: "dev-bgp" })).rejects.toThrow(
      "Unable to create RouterBgpPeer, existing object already found: dev-bgp",
    );
    await one.remove(onprem, "interfaces", "gone-if");
    expect(names(dir)).toEqual(["dev-if"]);
    await one.remove(onprem, "interfaces", "dev-if");
    expect(names(dir)).toEqual([]);
    expect(one.has(onprem, "bgpPeers", "dev-bgp")).toBe(true);
    one.reset(onprem);
    expect(one.has(onprem, "bgpPeers", "dev-bgp")).toBe(false);
  });

  it("is configured from the environment the rehearsal sets, and off without it", () => {
    expect(sharedRouterSettingsFrom({})).toBeUndefined();
    expect(sharedRouterSettingsFrom({ [CLOUD_DIR_ENV]: dir })).toEqual({
      dir,
      roundTripMs: DEFAULT_ROUTER_ROUND_TRIP_MS,
    });
    expect(
      sharedRouterSettingsFrom({ [CLOUD_DIR_ENV]: dir, [ROUTER_ROUND_TRIP_ENV]: "2000" }),
    ).toEqual({ dir, roundTripMs: 2000 });
    const env = environmentOf({
      projectRoot: "/project",
      workspace: {
        dir: "/rehearsal/workspace",
        environmentFile: "/rehearsal/workspace/environment.yaml",
        outdir: "/rehearsal/workspace/cdktf.out",
      },
      cliConfigFile: "/rehearsal/providers/terraform.rc",
      clockOffsetHours: 0,
    });
    expect(env[CLOUD_DIR_ENV]).toBe("/rehearsal/workspace/cloud");
  });
});

describe("the google stand-in's interfaces and peers", () => {
  let dir = "";
  let google: typeof import("../lib/rehearsal/stand-ins/google").provider;
  // "Known after apply" of the stand-in's own module registry (a symbol per registry).
  let unknown: typeof import("../lib/rehearsal/plugin/cty").Unknown;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "hr-router-google-"));
    // The stand-in reads its settings when its process loads the module.
    const saved = { ...process.env };
    process.env[CLOUD_DIR_ENV] = dir;
    process.env[ROUTER_ROUND_TRIP_ENV] = "0";
    jest.isolateModules(() => {
      google = (
        jest.requireActual("../lib/rehearsal/stand-ins/google") as {
          provider: typeof google;
        }
      ).provider;
      unknown = (
        jest.requireActual("../lib/rehearsal/plugin/cty") as {
          Unknown: typeof unknown;
        }
      ).Unknown;
    });
    process.env = saved;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const configured = (typeName: string, values: Record<string, string>): ObjectValue => ({
    ...emptyObject(resourceSchema(google, typeName).block),
    ...values,
  });
  const iface = () =>
    configured("google_compute_router_interface", {
      ...onprem,
      name: "dev-to-onprem-reverse-0-if",
      ip_range: "169.254.0.2/30",
      vpn_tunnel: "dev-to-onprem-reverse-0",
    });

  it("adds the interface to the router on create and reads it back", async () => {
    const planned = iface();
    const state = await google.apply?.({
      typeName: "google_compute_router_interface",
      prior: null,
      planned,
      config: planned,
    });
    expect(names(dir)).toEqual(["dev-to-onprem-reverse-0-if"]);
    expect(readRouterList(dir, onprem, "interfaces")[0]).toMatchObject({
      ipRange: "169.254.0.2/30",
      linkedVpnTunnel: "dev-to-onprem-reverse-0",
    });
    expect(state).not.toBeNull();
    if (!state) return;
    expect(await google.read?.("google_compute_router_interface", state)).toEqual(state);
  });

  it("reads an interface the router no longer lists as gone (null)", async () => {
    const state = iface();
    new SharedRouterLists({ dir, roundTripMs: 0 }).reset(onprem);
    expect(await google.read?.("google_compute_router_interface", state)).toBeNull();
  });

  it("files an interface that leaves project and region to the provider under the provider's", async () => {
    const providerConfig = emptyObject(google.schema.provider);
    await google.configure?.({ ...providerConfig, project: "p-1", region: "r-1" });
    const planned: ObjectValue = { ...iface(), project: unknown, region: unknown };
    const state = await google.apply?.({
      typeName: "google_compute_router_interface",
      prior: null,
      planned,
      config: { ...planned, project: null, region: null },
    });
    expect(state).toMatchObject({ project: "p-1", region: "r-1" });
    const at = { project: "p-1", region: "r-1", router: onprem.router };
    expect(readRouterList(dir, at, "interfaces").map((entry) => entry.name)).toEqual([
      "dev-to-onprem-reverse-0-if",
    ]);
    if (state) expect(await google.read?.("google_compute_router_interface", state)).toEqual(state);
  });

  it("fails creating a peer the router already lists, as a diagnostic", async () => {
    const peer = configured("google_compute_router_peer", {
      ...onprem,
      name: "dev-to-onprem-reverse-0-bgp",
      interface: "dev-to-onprem-reverse-0-if",
    });
    const create = () =>
      google.apply?.({
        typeName: "google_compute_router_peer",
        prior: null,
        planned: peer,
        config: peer,
      });
    await create();
    // A ProviderError (of the isolated module registry): Terraform shows its summary as is.
    await expect(create()).rejects.toMatchObject({
      diagnostic: {
        severity: "error",
        summary:
          "Unable to create RouterBgpPeer, existing object already found: dev-to-onprem-reverse-0-bgp",
      },
    });
    expect(names(dir, "bgpPeers")).toEqual(["dev-to-onprem-reverse-0-bgp"]);
    await google.apply?.({
      typeName: "google_compute_router_peer",
      prior: peer,
      planned: null,
      config: null,
    });
    expect(names(dir, "bgpPeers")).toEqual([]);
  });
});

describe("Workload Identity pools in the simulated cloud", () => {
  it("reads the pool of a Kubernetes service account's member, and of nothing else", () => {
    expect(poolOfMember("serviceAccount:p-1.svc.id.goog[registry/registry]")).toBe(
      "p-1.svc.id.goog",
    );
    expect(poolOfMember("serviceAccount:registry@p-1.iam.gserviceaccount.com")).toBeUndefined();
    expect(poolOfMember("user:someone@example.com")).toBeUndefined();
  });

  it("exists while a cluster enables it", () => {
    const dir = mkdtempSync(join(tmpdir(), "rehearsal-pools-"));
    try {
      const pools = new WorkloadIdentityPools(dir);
      expect(pools.exists("p-1.svc.id.goog")).toBe(false);
      pools.enable("p-1.svc.id.goog", "projects/p-1/locations/z/clusters/a");
      pools.enable("p-1.svc.id.goog", "projects/p-1/locations/z/clusters/b");
      pools.disable("projects/p-1/locations/z/clusters/a");
      expect(pools.exists("p-1.svc.id.goog")).toBe(true);
      pools.disable("projects/p-1/locations/z/clusters/b");
      expect(pools.exists("p-1.svc.id.goog")).toBe(false);
      expect(new WorkloadIdentityPools(join(dir, "none")).exists("p-1.svc.id.goog")).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
