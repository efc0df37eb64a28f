/**
 * Stand-in for hashicorp/google: the generic behaviour (computed attributes unknown in plans,
 * deterministic values after apply, replacements from the cited table), plus what the real API
 * reports that the stacks index into: an HA VPN gateway has two interfaces (interface 0 and 1,
 * https://cloud.google.com/network-connectivity/docs/vpn/concepts/topologies), each with its
 * address.
 *
 * With a shared cloud folder (CLOUD_DIR_ENV, set by the rehearsal), a Cloud Router's interface
 * and BGP peer lists live there, written by read-modify-write of the whole list as the real
 * provider does (./shared-router.ts): two Terraform runs adding to one router at the same time
 * lose entries, and a later plan creates them again. The same folder holds the projects'
 * Workload Identity pools (./workload-identity-pools.ts): a grant to a pool's member fails
 * until a cluster enabling the pool has been created.
 */
import { impliedType, Unknown, type ObjectValue, type Value } from "../plugin/cty";
import { defaultApply, ProviderError, resourceSchema, type ApplyRequest } from "../plugin/provider";
import { setTimeout as sleep } from "node:timers/promises";
import { firstBlock, standIn, withValueAt } from "./common";
import {
  RouterEntryExists,
  SharedRouterLists,
  sharedRouterSettingsFrom,
  type RouterAddress,
  type RouterListEntry,
  type RouterListName,
} from "./shared-router";
import {
  CLUSTER_CREATE_ENV,
  DEFAULT_CLUSTER_CREATE_MS,
  missingPoolMessage,
  poolOfMember,
  WorkloadIdentityPools,
} from "./workload-identity-pools";

function withTwoInterfaces(state: ObjectValue): ObjectValue {
  const type = impliedType(resourceSchema(provider, "google_compute_ha_vpn_gateway").block);
  let out = state;
  for (const id of [0, 1]) {
    out = withValueAt(type, out, ["vpn_interfaces", id, "id"], id) as ObjectValue;
    out = withValueAt(
      type,
      out,
      ["vpn_interfaces", id, "ip_address"],
      `203.0.113.${String(10 + id)}`,
    ) as ObjectValue;
  }
  return out;
}

/**
 * A cluster's CA as GKE reports it (base64 of PEM; the kubernetes provider configuration
 * base64-decodes it) and a private endpoint address.
 */
function withClusterAccess(state: ObjectValue): ObjectValue {
  const type = impliedType(resourceSchema(provider, "google_container_cluster").block);
  const name = typeof state.name === "string" ? state.name : "cluster";
  const pem = `-----BEGIN CERTIFICATE-----\nrehearsal CA of ${name}\n-----END CERTIFICATE-----\n`;
  const withCa = withValueAt(
    type,
    state,
    ["master_auth", 0, "cluster_ca_certificate"],
    Buffer.from(pem).toString("base64"),
  );
  return withValueAt(type, withCa, ["endpoint"], "172.16.0.2") as ObjectValue;
}

/** This process's view of the shared router lists; none when the rehearsal sets no folder. */
const routerSettings = sharedRouterSettingsFrom();
const routerLists = routerSettings ? new SharedRouterLists(routerSettings) : undefined;
const pools = routerSettings ? new WorkloadIdentityPools(routerSettings.dir) : undefined;
const clusterCreateMs = Number(process.env[CLUSTER_CREATE_ENV] ?? DEFAULT_CLUSTER_CREATE_MS);

/** The provider configuration's project and region, for resources that leave theirs out. */
const providerDefaults: { project: string; region: string } = { project: "", region: "" };

const ROUTER_LISTS: Readonly<Record<string, RouterListName>> = {
  google_compute_router_interface: "interfaces",
  google_compute_router_peer: "bgpPeers",
};

function text(value: Value | undefined): string | null {
  return typeof value === "string" ? value : null;
}

function routerOf(state: ObjectValue, routerAttribute: "router" | "name"): RouterAddress {
  return {
    project: text(state.project) ?? providerDefaults.project,
    region: text(state.region) ?? providerDefaults.region,
    router: text(state[routerAttribute]) ?? "",
  };
}

/** The list entry the Compute API holds for an interface or a peer (the fields it reports). */
function entryOf(list: RouterListName, state: ObjectValue): RouterListEntry {
  const name = text(state.name) ?? "";
  return list === "interfaces"
    ? { name, ipRange: text(state.ip_range), linkedVpnTunnel: text(state.vpn_tunnel) }
    : {
        name,
        interfaceName: text(state.interface),
        ipAddress: text(state.ip_address),
        peerIpAddress: text(state.peer_ip_address),
        peerAsn: typeof state.peer_asn === "number" ? state.peer_asn : null,
      };
}

/**
 * A router's, interface's or peer's planned state with the project and region it left to the
 * provider filled in from the provider configuration, as the real provider resolves them
 * (google/tpgresource/utils.go:94-103 GetRegion and GetProject: the resource's own, else the
 * provider's) and its Read stores them: the lists are then found under the same router by
 * every later read.
 */
function withProviderDefaults(typeName: string, planned: ObjectValue | null): ObjectValue | null {
  if (planned === null) return null;
  if (typeName !== "google_compute_router" && ROUTER_LISTS[typeName] === undefined) return planned;
  const out: Record<string, Value> = { ...planned };
  for (const name of ["project", "region"] as const) {
    if (out[name] === Unknown && providerDefaults[name] !== "") out[name] = providerDefaults[name];
  }
  return out;
}

/**
 * Creating or deleting an interface or peer changes the router's list (an in-place update
 * changes no name and is not modelled); creating or deleting a router starts or ends its lists.
 */
async function applyToRouterLists(request: ApplyRequest, state: ObjectValue | null): Promise<void> {
  if (!routerLists) return;
  if (request.typeName === "google_compute_router") {
    const router = state ?? request.prior;
    if (router && (state === null || request.prior === null)) {
      routerLists.reset(routerOf(router, "name"));
    }
    return;
  }
  const list = ROUTER_LISTS[request.typeName];
  if (list === undefined) return;
  try {
    if (state !== null && request.prior === null) {
      await routerLists.add(routerOf(state, "router"), list, entryOf(list, state));
    } else if (state === null && request.prior !== null) {
      await routerLists.remove(
        routerOf(request.prior, "router"),
        list,
        text(request.prior.name) ?? "",
      );
    }
  } catch (error: unknown) {
    if (error instanceof RouterEntryExists) {
      throw new ProviderError({ severity: "error", summary: error.message });
    }
    throw error;
  }
}

/**
 * A cluster's pool appears when its creation is done and goes with it; a grant to a pool's
 * member needs the pool (see ./workload-identity-pools.ts).
 */
async function applyToWorkloadIdentityPools(
  request: ApplyRequest,
  state: ObjectValue | null,
): Promise<void> {
  if (!pools) return;
  if (request.typeName === "google_container_cluster") {
    if (state !== null && request.prior === null && clusterCreateMs > 0) {
      await sleep(clusterCreateMs);
    }
    const id = text((state ?? request.prior)?.id) ?? "";
    pools.disable(id);
    const pool = text(firstBlock(state?.workload_identity_config)?.workload_pool);
    if (state !== null && pool) pools.enable(pool, id);
    return;
  }
  if (!request.typeName.endsWith("_iam_member") || state === null) return;
  const pool = poolOfMember(text(state.member) ?? "");
  if (pool && !pools.exists(pool)) {
    throw new ProviderError({
      severity: "error",
      summary: `Error applying IAM policy for ${request.typeName}: ${missingPoolMessage(pool)}`,
    });
  }
}

export const provider = standIn("google", {
  // terraform-provider-google is built on terraform-plugin-sdk/v2.
  legacyTypeSystem: true,
  configure: (config: ObjectValue) => {
    providerDefaults.project = text(config.project) ?? "";
    providerDefaults.region = text(config.region) ?? "";
  },
  apply: async (request: ApplyRequest) => {
    // google v6.50.0 resource_container_cluster.go:4858-4861 resourceContainerClusterDelete:
    // a cluster whose state has deletion_protection true is not deleted (the README's
    // Destroying: set it false and deploy first).
    if (
      request.typeName === "google_container_cluster" &&
      request.planned === null &&
      request.prior?.deletion_protection === true
    ) {
      throw new ProviderError({
        severity: "error",
        summary:
          "Cannot destroy cluster because deletion_protection is set to true. Set it to false to proceed with cluster deletion.",
      });
    }
    const planned = withProviderDefaults(request.typeName, request.planned);
    const state = defaultApply(provider, { ...request, planned });
    await applyToRouterLists(request, state);
    await applyToWorkloadIdentityPools(request, state);
    if (state === null || request.prior !== null) return state;
    if (request.typeName === "google_compute_ha_vpn_gateway") return withTwoInterfaces(state);
    if (request.typeName === "google_container_cluster") return withClusterAccess(state);
    return state;
  },
  // An interface or peer the router no longer lists is gone: the real Read clears the id
  // (resource_compute_router_interface.go:318-320, resource_compute_router_peer.go:699-704),
  // so Terraform drops it from the state and plans to create it again.
  read: (typeName: string, state: ObjectValue) => {
    const list = ROUTER_LISTS[typeName];
    if (!routerLists || list === undefined) return state;
    return routerLists.has(routerOf(state, "router"), list, text(state.name) ?? "") ? state : null;
  },
});
