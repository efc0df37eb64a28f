/**
 * Stand-in for hashicorp/google: the generic behaviour (computed attributes unknown in plans,
 * deterministic values after apply, replacements from the cited table), plus what the real API
 * reports that the stacks index into: an HA VPN gateway has two interfaces (interface 0 and 1,
 * https://cloud.google.com/network-connectivity/docs/vpn/concepts/topologies), each with its
 * address.
 */
import { impliedType, type ObjectValue } from "../plugin/cty";
import { defaultApply, resourceSchema, type ApplyRequest } from "../plugin/provider";
import { standIn, withValueAt } from "./common";

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

export const provider = standIn("google", {
  // terraform-provider-google is built on terraform-plugin-sdk/v2.
  legacyTypeSystem: true,
  apply: (request: ApplyRequest) => {
    const state = defaultApply(provider, request);
    if (state === null || request.prior !== null) return state;
    if (request.typeName === "google_compute_ha_vpn_gateway") return withTwoInterfaces(state);
    if (request.typeName === "google_container_cluster") return withClusterAccess(state);
    return state;
  },
});
