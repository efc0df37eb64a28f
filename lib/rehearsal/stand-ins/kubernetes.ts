/**
 * Stand-in for hashicorp/kubernetes: the generic behaviour, plus the few values the real API
 * reports that this project's conditions read: a LoadBalancer Service's address (the
 * registry's address postcondition, lib/registry/registry-service.ts) and a persistent
 * volume's CSI handle (the disk-snapshot attachment's precondition and disk name,
 * lib/gcp/claim-snapshot-schedule.ts).
 */
import { createHash } from "node:crypto";
import { DynamicValue, impliedType, type ObjectValue, type Value } from "../plugin/cty";
import {
  dataSourceSchema,
  defaultApply,
  defaultReadData,
  resourceSchema,
  type ApplyRequest,
} from "../plugin/provider";
import { firstBlock, standIn, withValueAt } from "./common";

/** Where a stand-in cluster's disks are: a zonal Persistent Disk handle's shape. */
const DISK_ZONE = "europe-west1-b";

/** Attribute `name` of a list block's first object, null when absent. */
function first(value: Value, name: string): Value {
  return firstBlock(value)?.[name] ?? null;
}

/**
 * MetalLB's annotations naming the address (lib/registry/registry-service.ts cites MetalLB's
 * controller/service.go for both prefixes).
 */
const METALLB_ADDRESS_ANNOTATIONS = [
  "metallb.io/loadBalancerIPs",
  "metallb.universe.tf/loadBalancerIPs",
];

/**
 * A LoadBalancer Service gets the address its configuration asks for: spec.loadBalancerIP
 * (GKE) or MetalLB's annotation (the first address listed).
 */
function withLoadBalancerAddress(state: ObjectValue, config: ObjectValue): ObjectValue {
  // What the configuration asks for: optional attributes it leaves out hold made-up values.
  const spec = config.spec ?? null;
  if (first(spec, "type") !== "LoadBalancer") return state;
  const annotations = first(config.metadata ?? null, "annotations");
  const annotated =
    annotations !== null && typeof annotations === "object" && !Array.isArray(annotations)
      ? METALLB_ADDRESS_ANNOTATIONS.map((key) => (annotations as ObjectValue)[key]).find(
          (value): value is string => typeof value === "string" && value !== "",
        )
      : undefined;
  const requested = first(spec, "load_balancer_ip");
  const ip =
    typeof requested === "string" && requested !== ""
      ? requested
      : (annotated?.split(",")[0]?.trim() ?? "10.255.0.1");
  const type = impliedType(resourceSchema(provider, "kubernetes_service_v1").block);
  return withValueAt(
    type,
    state,
    ["status", 0, "load_balancer", 0, "ingress", 0, "ip"],
    ip,
  ) as ObjectValue;
}

export const provider = standIn("kubernetes", {
  // terraform-provider-kubernetes is built on terraform-plugin-sdk/v2.
  legacyTypeSystem: true,
  apply: (request: ApplyRequest) => {
    const state = defaultApply(provider, request);
    if (state === null || request.typeName !== "kubernetes_service_v1") return state;
    return request.config ? withLoadBalancerAddress(state, request.config) : state;
  },
  readData: (typeName: string, config: ObjectValue) => {
    const state = defaultReadData(provider, typeName, config);
    // The rehearsal's clusters have no custom resource definitions installed (the stacks must
    // plan on such a cluster): a lookup finds no objects, an empty tuple as the real data
    // source returns it (its `objects` is dynamic).
    if (typeName === "kubernetes_resources") {
      return { ...state, objects: new DynamicValue(["tuple", []], []) };
    }
    if (typeName !== "kubernetes_persistent_volume_v1") return state;
    const name = first(config.metadata ?? null, "name");
    const disk = `pvc-${createHash("sha256").update(String(name)).digest("hex").slice(0, 12)}`;
    const type = impliedType(dataSourceSchema(provider, typeName).block);
    return withValueAt(
      type,
      state,
      ["spec", 0, "persistent_volume_source", 0, "csi", 0, "volume_handle"],
      `projects/rehearsal-project/zones/${DISK_ZONE}/disks/${disk}`,
    ) as ObjectValue;
  },
});
