/**
 * GKE cluster settings (private control plane, node pool) and the standalone kubeconfig.
 * Their cross-field rules are in ./rules.ts.
 */
import { z } from "zod";
import { cidr, distinct, gcpName } from "../core/fields";

export const kubeconfig = z.strictObject({
  path: z.string().min(1).meta({ description: "Path of the kubeconfig file" }),
  context: z
    .string()
    .min(1)
    .optional()
    .meta({ description: "Context to use. @default the file's current-context" }),
});

const nodePool = z
  .strictObject({
    machineType: z
      .string()
      // Predefined <series>-<type>-<vCPUs>[-suffix], shared-core e2/f1/g1 types, or custom
      // [<series>-]custom-<vCPUs>-<MiB>[-ext] (https://cloud.google.com/compute/docs/machine-resource,
      // https://cloud.google.com/compute/docs/instances/creating-instance-with-custom-machine-type).
      .regex(
        /^(e2-(micro|small|medium)|f1-micro|g1-small|[a-z][a-z0-9]*-[a-z]+-[0-9]+(-[a-z0-9]+)*|([a-z][a-z0-9]*-)?custom-[0-9]+-[0-9]+(-ext)?)$/,
        {
          message:
            "must be a Compute Engine machine type such as e2-standard-2, n2-highmem-8 or n2-custom-4-16384",
        },
      )
      .default("e2-standard-2")
      .meta({ description: "Compute Engine machine type of the nodes. @default e2-standard-2" }),
    nodeCount: z
      .number()
      .int()
      .min(1)
      .default(1)
      .meta({ description: "Nodes per zone when autoscaling is off. @default 1" }),
    autoscaling: z
      .strictObject({
        minNodes: z.number().int().min(0).meta({ description: "Fewest nodes per zone" }),
        maxNodes: z.number().int().min(1).meta({ description: "Most nodes per zone" }),
      })
      .optional()
      .meta({ description: "Per-zone autoscaling bounds; replaces nodeCount when set" }),
    diskType: z
      .enum(["pd-standard", "pd-balanced", "pd-ssd"])
      .default("pd-balanced")
      .meta({ description: "Boot disk type of the nodes. @default pd-balanced" }),
    diskSizeGb: z
      .number()
      .int()
      .min(10)
      .default(50)
      .meta({ description: "Boot disk size of each node, in GB. @default 50" }),
  })
  .prefault({});

const authorizedNetwork = z.strictObject({
  cidr: cidr.meta({ description: "Network allowed to reach the control plane" }),
  displayName: z.string().min(1).meta({ description: "Its name in the cluster's settings" }),
});

export const cluster = z.strictObject({
  name: gcpName.meta({ description: "GKE cluster name" }),
  location: z
    .string()
    .regex(/^[a-z]+-[a-z]+[0-9]+(-[a-z])?$/, {
      message: "must be a region (europe-west1) or a zone (europe-west1-b)",
    })
    .optional()
    .meta({ description: "Zone or region of the cluster. @default <region>-b (zonal)" }),
  controlPlaneCidr: cidr.meta({ description: "RFC 1918 /28 for the private control plane" }),
  authorizedNetworks: z
    .array(authorizedNetwork)
    .superRefine(distinct((network) => network.cidr))
    .default([])
    .meta({ description: "Networks allowed to reach the control plane. @default [] (none)" }),
  dnsEndpoint: z.boolean().default(false).meta({
    description:
      "Enable the DNS-based control-plane endpoint (reachable from Terraform Cloud runners without IP allow-lists). @default false",
  }),
  releaseChannel: z.enum(["RAPID", "REGULAR", "STABLE"]).default("REGULAR").meta({
    description:
      "GKE release channel: how soon the cluster gets new versions, upgraded automatically. @default REGULAR",
  }),
  minMasterVersion: z
    .string()
    .regex(/^1\.[0-9]+(\.[0-9]+(-gke\.[0-9]+)?)?$/, {
      message: "must be a GKE version such as 1.30 or 1.30.5-gke.1014001",
    })
    .optional()
    .meta({ description: "Minimum control-plane version. @default the release channel's default" }),
  deletionProtection: z.boolean().default(true).meta({
    description:
      "GKE deletion protection: while true, Terraform cannot delete the cluster (set false and apply before destroying). @default true",
  }),
  // One value: GKE offers the Calico addon only without Dataplane V2, which enforces by itself.
  networkPolicy: z.enum(["calico", "dataplane-v2", "none"]).default("calico").meta({
    description:
      "How the cluster enforces NetworkPolicy. calico: GKE's network policy addon, switched on in place (GKE recreates the nodes once). dataplane-v2: GKE Dataplane V2, enforcement built in; recommended for new clusters, but the datapath is fixed at creation, so on an existing cluster it plans a replacement. none: no enforcement (the NetworkPolicies are inert). @default calico",
  }),
  nodePool,
});
