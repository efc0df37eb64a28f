/**
 * Network and VPN settings: a side's project, region, ASN, VPC ranges and cluster (the GCP
 * side), the on-prem section (simulated VPC or a real VPN device) and the cloud side's VPN.
 * Their cross-field rules are in ./rules.ts.
 */
import { z } from "zod";
import { cidr, distinct, gcpName, ipv4, same } from "../core/fields";
import { cluster, kubeconfig } from "../cluster/schema";

export const asn = z
  .number()
  .int()
  .meta({
    description: "Private BGP ASN: 64512-65534 or 4200000000-4294967294",
    minimum: 64512,
    maximum: 4294967294,
    not: { minimum: 65535, maximum: 4199999999 },
  });

export const projectId = z
  .string({ error: "is required: the GCP project id, e.g. my-project-123" })
  .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, {
    message: "must be a GCP project id: 6-30 characters, lowercase letters, digits and '-'",
  })
  .meta({ description: "GCP project id of this side" });

export const region = z
  .string()
  .regex(/^[a-z]+-[a-z]+[0-9]+$/, { message: "must be a GCP region such as europe-west1" })
  .meta({ description: "GCP region, e.g. europe-west1" });

export const network = z.strictObject({
  name: gcpName.meta({ description: "VPC name; the subnet is <name>-<region>" }),
  subnetCidr: cidr.meta({
    description: "Primary range of the subnet: the nodes and internal load balancers",
  }),
  podsCidr: cidr.meta({ description: "Secondary range for pods" }),
  servicesCidr: cidr.meta({ description: "Secondary range for services" }),
  flowLogs: z.boolean().default(false).meta({ description: "VPC flow logs. @default false" }),
});

export const gcpSideFields = {
  projectId,
  region,
  asn,
  network,
  cluster,
  iapSsh: z
    .boolean()
    .default(false)
    .meta({ description: "Allow SSH from Identity-Aware Proxy (35.235.240.0/20). @default false" }),
  advertisedRanges: z.array(cidr).superRefine(distinct(same)).default([]).meta({
    description:
      "Custom ranges the Cloud Router advertises in addition to its subnets. @default [] (all subnets)",
  }),
};

/**
 * With several application sides, the blocks their ranges are cut from: the registry side
 * admits these rather than each side's ranges, so adding a side changes no registry stack.
 */
const applicationRanges = () =>
  z.array(cidr).min(1).superRefine(distinct(same)).optional().meta({
    description:
      "With sides: the address blocks every application side's ranges lie in. The on-prem firewall, the registry's load balancer and its NetworkPolicy admit these, so a side added inside them changes no registry stack. Required with sides; unused with cloud",
  });

const simulatedOnprem = z
  .strictObject({
    mode: z.literal("simulated"),
    ...gcpSideFields,
    registryIp: ipv4.optional().meta({
      description: "Reserved internal IP of the registry. @default the subnet's 10th host",
    }),
    applicationRanges: applicationRanges(),
  })
  .meta({
    description:
      "A GCP project stands in for the data centre: the onprem-network stack creates its VPC, HA VPN gateway and the private GKE cluster that runs the registry",
  });

const externalOnprem = z
  .strictObject({
    mode: z.literal("external"),
    asn,
    peerInterfaces: z
      .array(ipv4)
      .superRefine(distinct(same))
      .refine((ips) => [1, 2, 4].includes(ips.length), {
        message: "must list 1, 2 or 4 public IPs of the on-prem VPN device",
      })
      .meta({ description: "Public IPs of the on-prem VPN device's interfaces (1, 2 or 4)" }),
    networkCidrs: z
      .array(cidr)
      .min(1)
      .superRefine(distinct(same))
      .meta({ description: "On-prem ranges that may reach the application network" }),
    registryIp: ipv4.meta({
      description: "IP of the registry's load balancer on the on-prem network",
    }),
    kubeconfig: kubeconfig.meta({ description: "The on-prem cluster that runs the registry" }),
    applicationRanges: applicationRanges(),
    keyStoreProjectId: projectId.optional().meta({
      description:
        "GCP project whose Secret Manager keeps the registry's private keys. @default cloud.projectId; required with sides",
    }),
  })
  .meta({
    description:
      "A real data centre: its VPN device, its networks and the existing Kubernetes cluster that runs the registry",
  });

export const onprem = z.discriminatedUnion("mode", [simulatedOnprem, externalOnprem]).meta({
  description:
    "The registry's side: the data centre the application sides reach over HA VPN, and the cluster that runs the registry",
});

export const vpn = z
  .strictObject({
    linkLocalRange: cidr
      .default("169.254.0.0/29")
      .meta({ description: "Range the tunnels' /30s are cut from. @default 169.254.0.0/29" }),
    advertisedRoutePriority: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(100)
      .meta({ description: "BGP MED on advertised routes. @default 100" }),
  })
  .prefault({});
