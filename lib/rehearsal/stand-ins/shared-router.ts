/**
 * A Cloud Router's interface and BGP peer lists as shared cloud state, so that stand-in
 * provider processes started by different Terraform runs see (and overwrite) each other's
 * entries the way the real google provider does.
 *
 * hashicorp/terraform-provider-google v6.50.0 keeps no separate API object per interface or
 * peer: both are entries of the router's lists, changed by read-modify-write of the whole
 * list with no fingerprint or etag:
 * - google/services/compute/resource_compute_router_interface.go:170 GETs the router, :230
 *   appends the interface to `router.Interfaces`, :236 PATCHes the router with the whole
 *   list; delete (:348-:394) GETs, filters and PATCHes the rest the same way.
 * - google/services/compute/resource_compute_router_peer.go:601 builds the PATCH body with
 *   resourceComputeRouterBgpPeerPatchCreateEncoder (:1661), which GETs the router's
 *   `bgpPeers` (ListForPatch, :1811) and appends (:1693); :620 PATCHes it; delete encodes
 *   the list without the peer (:1776) and PATCHes it (:1058).
 * The only guard is transport_tpg.MutexStore (interface.go:165-167, peer.go:587-592, lock
 * name `router/<region>/<router>`), a package variable (google/transport/mutexkv.go:85): it
 * serializes writers inside one provider process, not two Terraform runs. Two runs writing
 * one router at once therefore drop each other's entries (last writer wins).
 *
 * Each list is one JSON file (`<dir>/<project>/<region>/<router>/<list>.json`), replaced
 * atomically (rename) like a PATCH that sets one field: an interface write never touches the
 * peers, as the PATCH bodies above carry only their own list.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** The folder holding the simulated cloud's shared state; unset: no modelling. */
export const CLOUD_DIR_ENV = "HYBRID_REHEARSAL_CLOUD_DIR";
/** Milliseconds between a list's GET and its PATCH (the API round trip). */
export const ROUTER_ROUND_TRIP_ENV = "HYBRID_REHEARSAL_ROUTER_ROUND_TRIP_MS";
/** A few hundred milliseconds, about what a GET of a router takes in Google Cloud. */
export const DEFAULT_ROUTER_ROUND_TRIP_MS = 300;

/** The router's field each resource type writes (the Compute API's names). */
export type RouterListName = "interfaces" | "bgpPeers";

export interface RouterAddress {
  readonly project: string;
  readonly region: string;
  readonly router: string;
}

/** An entry of a router list: its name plus what the API reports about it. */
export interface RouterListEntry {
  readonly name: string;
  readonly [field: string]: string | number | null;
}

export interface SharedRouterSettings {
  /** The folder the lists live in (created on first write). */
  readonly dir: string;
  /** @default DEFAULT_ROUTER_ROUND_TRIP_MS */
  readonly roundTripMs?: number;
}

/** The settings the rehearsal passes in the environment; `undefined` when it sets none. */
export function sharedRouterSettingsFrom(
  env: NodeJS.ProcessEnv = process.env,
): SharedRouterSettings | undefined {
  const dir = env[CLOUD_DIR_ENV];
  if (dir === undefined || dir === "") return undefined;
  const roundTrip = Number(env[ROUTER_ROUND_TRIP_ENV] ?? DEFAULT_ROUTER_ROUND_TRIP_MS);
  return {
    dir,
    roundTripMs:
      Number.isFinite(roundTrip) && roundTrip >= 0 ? roundTrip : DEFAULT_ROUTER_ROUND_TRIP_MS,
  };
}

/** The file holding one list of one router. */
export function routerListFile(dir: string, at: RouterAddress, list: RouterListName): string {
  const safe = (part: string) => part.replace(/[^A-Za-z0-9._-]/g, "_");
  return join(dir, safe(at.project), safe(at.region), safe(at.router), `${list}.json`);
}

/** The list as stored now (a router nobody wrote has empty lists). */
export function readRouterList(
  dir: string,
  at: RouterAddress,
  list: RouterListName,
): RouterListEntry[] {
  let text: string;
  try {
    text = readFileSync(routerListFile(dir, at, list), "utf8");
  } catch (error: unknown) {
    // Not `instanceof Error`: fs errors come from another realm under jest.
    if (typeof error === "object" && error !== null && "code" in error && error.code === "ENOENT") {
      return [];
    }
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error(`${routerListFile(dir, at, list)}: not a list`);
  return parsed as RouterListEntry[];
}

/** Replace the whole list at once, as a PATCH of that field does. */
function writeRouterList(
  dir: string,
  at: RouterAddress,
  list: RouterListName,
  entries: readonly RouterListEntry[],
): void {
  const file = routerListFile(dir, at, list);
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${String(process.pid)}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(entries, null, 2)}\n`);
  renameSync(temporary, file);
}

/** Thrown when creating an entry whose name the router already lists. */
export class RouterEntryExists extends Error {}

/**
 * The provider side of the lists: one instance per provider process, whose writes to one
 * router are serialized among themselves (MutexStore) but not with another instance's.
 */
export class SharedRouterLists {
  private readonly locks = new Map<string, Promise<void>>();
  private readonly roundTripMs: number;

  constructor(readonly settings: SharedRouterSettings) {
    this.roundTripMs = settings.roundTripMs ?? DEFAULT_ROUTER_ROUND_TRIP_MS;
  }

  /** Whether the router lists `name` (what the provider's Read looks for). */
  has(at: RouterAddress, list: RouterListName, name: string): boolean {
    return readRouterList(this.settings.dir, at, list).some((entry) => entry.name === name);
  }

  /** GET the list, fail on a duplicate name, wait the round trip, PATCH the list plus `entry`. */
  add(at: RouterAddress, list: RouterListName, entry: RouterListEntry): Promise<void> {
    return this.modify(at, list, (entries) => {
      if (entries.some((existing) => existing.name === entry.name)) {
        throw new RouterEntryExists(
          list === "interfaces"
            ? // resource_compute_router_interface.go:187
              `Router ${at.router} has interface ${entry.name} already`
            : // resource_compute_router_peer.go:1674
              `Unable to create RouterBgpPeer, existing object already found: ${entry.name}`,
        );
      }
      return [...entries, entry];
    });
  }

  /** GET the list, wait, PATCH it without `name`; nothing when it is not listed (a no-op). */
  remove(at: RouterAddress, list: RouterListName, name: string): Promise<void> {
    return this.modify(at, list, (entries) =>
      // interface.go:377-381 and peer.go:1786-1789 (a fake 404): a missing entry is gone already.
      entries.some((entry) => entry.name === name)
        ? entries.filter((entry) => entry.name !== name)
        : undefined,
    );
  }

  /** A router created or deleted: its lists start (or end) empty. */
  reset(at: RouterAddress): void {
    rmSync(dirname(routerListFile(this.settings.dir, at, "interfaces")), {
      recursive: true,
      force: true,
    });
  }

  /**
   * Read-modify-write under this instance's lock for the router (lock name as
   * tpgresource.GetRouterLockName, google/tpgresource/utils.go:169: region and router).
   * `change` returns the new list, or `undefined` to write nothing.
   */
  private modify(
    at: RouterAddress,
    list: RouterListName,
    change: (entries: readonly RouterListEntry[]) => RouterListEntry[] | undefined,
  ): Promise<void> {
    const lockName = `router/${at.region}/${at.router}`;
    const previous = this.locks.get(lockName) ?? Promise.resolve();
    const next = previous.then(async () => {
      const entries = readRouterList(this.settings.dir, at, list);
      const changed = change(entries);
      if (changed === undefined) return;
      await sleep(this.roundTripMs);
      writeRouterList(this.settings.dir, at, list, changed);
    });
    // The next writer waits for this one whether it succeeded or not.
    this.locks.set(
      lockName,
      next.catch(() => undefined),
    );
    return next;
  }
}
