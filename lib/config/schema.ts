import { z } from "zod";
import { isIpv4Address, isIpv4Cidr } from "../network/ipv4";
import { cronScheduleProblem } from "./cron-schedule";
import { GO_DURATION_MAX_SECONDS, goParseDurationAccepts } from "./go-duration";
import { ENVIRONMENT_NAME, type ResolvedBackend } from "./environment";
import type { WorkspaceSetup } from "./workspace-setup";
import { imageReferenceProblem } from "./image-reference";
import { pemCertificateFileProblem } from "./pem-certificate";
import { parsePdVolumeHandle, replicaZonesProblem } from "../gcp/pd-volume-handle";
import { quantityValue } from "./quantity";
import { timeZoneProblem } from "./time-zone";
import { hasTemplateSequence } from "./terraform-literal";

/**
 * The environment file's shape. Everything a stack needs is here, typed and with documented
 * defaults; semantic rules that span fields (overlaps, ASN pairs, ranges) live in validate.ts.
 */

/** An IPv4 octet (0-255, no leading zeros), for the editor schema's patterns. */
const OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";

// The refinements are the rules; `pattern`, `format` and `anyOf` in the metadata give editors
// the same checks through environments/schema.json (host bits excepted).
const cidr = z
  .string()
  .refine(isIpv4Cidr, {
    message: "must be an IPv4 network in CIDR notation with no host bits set, e.g. 10.0.0.0/24",
  })
  .meta({
    description: "IPv4 network in CIDR notation, e.g. 10.0.0.0/24",
    pattern: `^(${OCTET}\\.){3}${OCTET}/(3[0-2]|[12]?[0-9])$`,
  });

const ipv4 = z
  .string()
  .refine(isIpv4Address, { message: "must be an IPv4 address, e.g. 10.0.0.10" })
  .meta({ description: "IPv4 address", format: "ipv4" });

const asn = z
  .number()
  .int()
  .meta({
    description: "Private BGP ASN: 64512-65534 or 4200000000-4294967294",
    minimum: 64512,
    maximum: 4294967294,
    not: { minimum: 65535, maximum: 4199999999 },
  });

/** Kubernetes object name (RFC 1123 label). */
const k8sName = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
  message: "must be a lowercase RFC 1123 label (a-z, 0-9, '-'), at most 63 characters",
});

/**
 * A namespace the stacks create: not one every cluster already has (default, kube-system,
 * kube-public, kube-node-lease) nor another kube- one, which Kubernetes reserves
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces):
 * creating it fails the apply, and destroying the stack would try to delete it.
 */
const ownNamespace = k8sName.refine((name) => name !== "default" && !name.startsWith("kube-"), {
  message:
    "is a namespace Kubernetes creates or reserves (default, kube-*): the stack creates its namespace, so pick one of your own",
});

/**
 * Kubernetes label keys and values (k8s.io/apimachinery pkg/util/validation: IsQualifiedName,
 * IsValidLabelValue): a key is an optional DNS-subdomain prefix and '/', then a name of at most
 * 63 characters of [A-Za-z0-9-_.] starting and ending alphanumeric; a value is empty or such a
 * name.
 */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `label key ${JSON.stringify(key)}: its prefix must be a lowercase DNS subdomain`;
  }
  if (!LABEL_NAME.test(name)) {
    return `label key ${JSON.stringify(key)}: the name must be 1-63 characters of A-Z, a-z, 0-9, '-', '_', '.', starting and ending with a letter or digit`;
  }
  return undefined;
}
const labels = z.record(z.string(), z.string()).superRefine((entries, context) => {
  for (const [key, value] of Object.entries(entries)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) context.addIssue({ code: "custom", path: [key], message: keyProblem });
    if (value !== "" && !LABEL_NAME.test(value)) {
      context.addIssue({
        code: "custom",
        path: [key],
        message: `label value ${JSON.stringify(value)}: at most 63 characters of A-Z, a-z, 0-9, '-', '_', '.', starting and ending with a letter or digit`,
      });
    }
  }
});

/** GCP resource name (RFC 1035 label). */
const gcpName = z.string().regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, {
  message: "must start with a letter and contain only a-z, 0-9 and '-', at most 63 characters",
});

/**
 * A list whose entries must differ (by `key`): a repeated entry becomes a second resource of
 * the same name (two notification channels, two tunnels to one address, ...), which the API
 * refuses at apply or, where entries name constructs, the synthesis itself does.
 */
function distinct<T>(key: (entry: T) => string) {
  return (entries: readonly T[], context: z.RefinementCtx) => {
    const firstAt = new Map<string, number>();
    entries.forEach((entry, index) => {
      const seen = firstAt.get(key(entry));
      if (seen === undefined) {
        firstAt.set(key(entry), index);
        return;
      }
      context.addIssue({
        code: "custom",
        path: [index],
        message: `repeats entry ${seen} of this list (${key(entry)}): list each once`,
      });
    });
  };
}
const same = (entry: string) => entry;

const projectId = z
  .string({ error: "is required: the GCP project id, e.g. my-project-123" })
  .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, {
    message: "must be a GCP project id: 6-30 characters, lowercase letters, digits and '-'",
  })
  .meta({ description: "GCP project id of this side" });

const region = z
  .string()
  .regex(/^[a-z]+-[a-z]+[0-9]+$/, { message: "must be a GCP region such as europe-west1" })
  .meta({ description: "GCP region, e.g. europe-west1" });

const quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, {
  message: "must be a Kubernetes quantity such as 100m, 256Mi or 20Gi",
});

/**
 * A claim's size: a quantity above zero (the API server refuses a PersistentVolumeClaim whose
 * storage request is not: kubernetes pkg/apis/core/validation, ValidatePersistentVolumeClaimSpec,
 * "must be greater than zero").
 */
const claimSize = quantity.refine((size) => (quantityValue(size) ?? 0) > 0, {
  message: "must be a size above zero, such as 20Gi",
});

/**
 * A StorageClass name: a DNS subdomain of at most 253 characters
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-subdomain-names).
 */
const storageClassName = z
  .string()
  .max(253, { message: "is not a valid StorageClass name (at most 253 characters)" })
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    message: "is not a valid StorageClass name (a lowercase DNS subdomain)",
  });

/**
 * A Go duration as Distribution parses it (time.ParseDuration), e.g. 168h or 90m; 0 disables.
 * At most Go's largest duration, 2562047h47m16.854775807s: past it the registry does not start.
 */
const goDuration = z
  .string()
  .regex(/^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$/, {
    message: "must be a duration such as 168h, 90m or 0",
  })
  .refine(goParseDurationAccepts, {
    message: "is longer than Go's largest duration (2562047h47m16s): the registry would not start",
  });

/** An OCI image reference, checked with distribution/reference's grammar (image-reference.ts). */
const imageRef = z.string().superRefine((reference, context) => {
  const problem = imageReferenceProblem(reference);
  if (problem) {
    context.addIssue({
      code: "custom",
      message: `must be an image reference such as registry:3.1.1: ${problem}`,
    });
  }
});

const kubeconfig = z.strictObject({
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

const cluster = z.strictObject({
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

const network = z.strictObject({
  name: gcpName.meta({ description: "VPC name; the subnet is <name>-<region>" }),
  subnetCidr: cidr.meta({
    description: "Primary range of the subnet: the nodes and internal load balancers",
  }),
  podsCidr: cidr.meta({ description: "Secondary range for pods" }),
  servicesCidr: cidr.meta({ description: "Secondary range for services" }),
  flowLogs: z.boolean().default(false).meta({ description: "VPC flow logs. @default false" }),
});

const gcpSideFields = {
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

const onprem = z.discriminatedUnion("mode", [simulatedOnprem, externalOnprem]).meta({
  description:
    "The registry's side: the data centre the application sides reach over HA VPN, and the cluster that runs the registry",
});

const artifactRegistry = z
  .strictObject({
    enabled: z.boolean().default(false).meta({
      description:
        "An Artifact Registry Docker repository in this side's project and region, which the side's nodes may read. @default false",
    }),
    repositoryId: gcpName.default("containers").meta({
      description:
        "Repository id: images are <region>-docker.pkg.dev/<projectId>/<repositoryId>/... @default containers",
    }),
    keepRecentVersions: z
      .number()
      .int()
      .min(1)
      .default(10)
      .meta({ description: "Cleanup policy: versions always kept per image. @default 10" }),
    deleteUntaggedAfterDays: z.number().int().min(1).default(14).meta({
      description: "Cleanup policy: untagged versions older than this are deleted. @default 14",
    }),
    externalReader: z.boolean().default(false).meta({
      description:
        "Create a reader service account and key for clusters outside GKE (exported as a sensitive .dockerconfigjson). @default false",
    }),
  })
  .prefault({});

const vpn = z
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

const cloudFields = {
  ...gcpSideFields,
  vpn,
  dns: z
    .strictObject({
      ttl: z.number().int().min(5).max(86400).default(300).meta({
        description:
          "TTL, in seconds, of the private DNS zone's records (the registry's and the cache's names). @default 300",
      }),
    })
    .prefault({}),
  artifactRegistry,
};

const cloud = z.strictObject(cloudFields).meta({
  description:
    "The one application side (stacks cloud-network and workloads). For several, use sides instead",
});

const resources = z.strictObject({
  cpu: quantity.meta({ description: "CPU, e.g. 100m or 1" }),
  memory: quantity.meta({ description: "Memory, e.g. 128Mi" }),
});

const storage = z
  .discriminatedUnion("type", [
    z
      .strictObject({
        type: z.literal("pvc"),
        size: claimSize.default("20Gi").meta({ description: "Size of the claim. @default 20Gi" }),
        storageClass: storageClassName.optional().meta({
          description:
            "Existing storage class (e.g. longhorn). With retainOnDestroy the claim uses a Retain copy of it (same provisioner and parameters); without, the class itself, whose reclaim policy then decides what happens to the data. @default the cluster's default class (a dedicated Retain class on GKE)",
        }),
        retainOnDestroy: z.boolean().default(true).meta({
          description:
            "Keep the volume when the claim is deleted: storageClass is copied with reclaimPolicy Retain. Changing it on an existing install replaces the claim (see README, Upgrading). @default true",
        }),
        preventDestroy: z.boolean().default(true).meta({
          description:
            "Terraform prevent_destroy on the claim: a plan that would delete or replace it (a storage class change, a destroy) fails instead. Set false, synthesize, then destroy. @default true",
        }),
        provisioner: z
          .strictObject({
            name: z.string().min(1).meta({
              description: "CSI provisioner, e.g. pd.csi.storage.gke.io or driver.longhorn.io",
            }),
            parameters: z.record(z.string(), z.string()).default({}).meta({
              description:
                "The class's parameters for the provisioner, e.g. type: pd-ssd. @default {}",
            }),
          })
          .optional()
          .meta({
            description:
              "Create a dedicated storage class with reclaimPolicy Retain on this CSI provisioner, so the images survive a destroy. @default pd.csi.storage.gke.io (pd-balanced) in hybrid mode when storageClass is not set",
          }),
        restoredDisk: z
          .strictObject({
            volumeHandle: z
              .string()
              .refine((handle) => parsePdVolumeHandle(handle) !== undefined, {
                message:
                  "must be a Persistent Disk handle: projects/<project>/zones/<zone>/disks/<name>, or projects/<project>/regions/<region>/disks/<name> for a regional disk",
              })
              .meta({
                description:
                  "The disk: projects/<project>/zones/<zone>/disks/<name>, or projects/<project>/regions/<region>/disks/<name> for a regional disk",
              }),
            replicaZones: z.array(z.string()).optional().meta({
              description:
                "A regional disk's two zones (gcloud compute disks describe shows replicaZones). @default none (a zonal disk)",
            }),
          })
          .superRefine((disk, context) => {
            const handle = parsePdVolumeHandle(disk.volumeHandle);
            const problem = handle && replicaZonesProblem(handle, disk.replicaZones ?? []);
            if (problem)
              context.addIssue({ code: "custom", path: ["replicaZones"], message: problem });
          })
          .optional()
          .meta({
            description:
              "GKE: a Persistent Disk restored from a snapshot, for the claim: a PersistentVolume reserved for it, with the disk's zones as node affinity (README, Restore from a disk snapshot). @default none (a new disk)",
          }),
      })
      .meta({
        description:
          "A PersistentVolumeClaim, whose volume by default outlives the claim (one replica)",
      }),
    z
      .strictObject({
        type: z.literal("hostPath"),
        path: z
          .string()
          .regex(/^\//, { message: "must be an absolute path" })
          .meta({ description: "Directory on the node that holds the images" }),
        node: z.string().min(1).meta({
          description:
            "Node (kubernetes.io/hostname) that holds the directory; create it owned by uid 1000",
        }),
      })
      .meta({
        description: "A directory on one node, which the registry is pinned to (one replica)",
      }),
    z.strictObject({ type: z.literal("emptyDir") }).meta({
      description:
        "Scratch space of the registry's pod: the images are lost with the pod (trials only)",
    }),
    z
      .strictObject({
        type: z.literal("s3"),
        bucket: z
          .string({ error: "is required for s3 storage" })
          .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
            message:
              "must be an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, a letter or digit at both ends",
          })
          .meta({ description: "Existing bucket the images are kept in" }),
        region: z
          .string()
          .regex(/^[a-z0-9-]{2,32}$/, { message: "must be a region name such as us-east-1" })
          .default("us-east-1")
          .meta({
            description:
              "Region of the bucket (S3-compatible stores mostly accept any, often us-east-1). @default us-east-1",
          }),
        endpoint: z
          .url({
            protocol: /^https?$/,
            error: "must be an http(s) URL such as https://minio.lab:9000",
          })
          .optional()
          .meta({
            description:
              "Endpoint of an S3-compatible store (MinIO, Ceph RGW, Swift s3api). @default AWS S3 of the region",
          }),
        forcePathStyle: z.boolean().optional().meta({
          description:
            "Address the bucket in the path, not the host name (most S3-compatible stores need it). @default true with an endpoint, false for AWS",
        }),
        accessKeyId: z.string().min(1).max(128).optional().meta({
          description:
            "Access key id; its secret is never in the file: set the Terraform variable registry_s3_secret_key (TF_VAR_registry_s3_secret_key). @default the driver's credential chain (an IAM role)",
        }),
        rootDirectory: z
          .string()
          .regex(/^\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, {
            message: "must be an absolute key prefix such as /registry",
          })
          .optional()
          .meta({ description: "Key prefix inside the bucket. @default the bucket root" }),
        caCertificateFile: z
          .string()
          .min(1)
          .superRefine((path, context) => {
            const problem = pemCertificateFileProblem(path);
            if (problem) context.addIssue({ code: "custom", message: problem });
          })
          .optional()
          .meta({
            description:
              "PEM file of the private CA that signed the endpoint's certificate, trusted besides the public roots; a path relative to where synth runs (like HYBRID_CONFIG) or absolute. @default the public roots only",
          }),
      })
      .superRefine((s3, context) => {
        // Only a TLS endpoint checks certificates: a CA anywhere else would be silently unused.
        if (s3.caCertificateFile !== undefined && !s3.endpoint?.startsWith("https:")) {
          context.addIssue({
            code: "custom",
            path: ["caCertificateFile"],
            message: `is only used with an https endpoint, and endpoint is ${s3.endpoint ?? "not set (AWS S3, public roots)"}: set endpoint: https://<host>:<port>, or remove caCertificateFile`,
          });
        }
      })
      .meta({ description: "An S3 bucket shared by every replica (real data centre, standalone)" }),
    z
      .strictObject({
        type: z.literal("gcs"),
        bucket: z
          .string()
          .superRefine((bucket, context) => {
            const problem = gcsBucketNameProblem(bucket);
            if (problem) context.addIssue({ code: "custom", message: problem });
          })
          .optional()
          .meta({
            description:
              "Name of the bucket onprem-network creates. @default <onprem.projectId>-registry",
          }),
        preventDestroy: z.boolean().default(true).meta({
          description:
            "Terraform prevent_destroy on the bucket: a plan that would delete or replace it fails instead. To destroy onprem-network: empty the bucket (Terraform does not delete one holding objects), set false, synthesize, then destroy. @default true",
        }),
      })
      .meta({
        description:
          "A Cloud Storage bucket the onprem-network stack creates, read through Workload Identity (simulated on-prem on GKE; no keys)",
      }),
  ])
  .default({ type: "pvc", size: "20Gi", retainOnDestroy: true, preventDestroy: true })
  .meta({ description: "Where the registry keeps the images" });

const loadBalancerExposure = z
  .strictObject({
    type: z.literal("loadBalancer"),
    ip: ipv4.meta({ description: "Fixed load-balancer IP (e.g. from a MetalLB pool)" }),
  })
  .meta({
    description:
      "A LoadBalancer Service on a fixed IP from the cluster's load balancer (MetalLB, ...); in hybrid mode, an external on-prem's onprem.registryIp",
  });
const nodePortExposure = z
  .strictObject({
    type: z.literal("nodePort"),
    nodePort: z.number().int().min(30000).max(32767).default(30500).meta({
      description: "Port every node serves the registry on (30000-32767). @default 30500",
    }),
  })
  .meta({ description: "A NodePort Service: every node serves the registry on nodePort" });
const clusterIpExposure = z
  .strictObject({
    type: z.literal("clusterIP"),
    nodeProxy: z.boolean().default(false).meta({
      description: "Node-proxy DaemonSet so every node reaches the registry on localhost:5000",
    }),
    nodeProxyBindAddress: z.enum(["127.0.0.1", "0.0.0.0"]).default("127.0.0.1").meta({
      description:
        "Node address of the node proxy's hostPort: the loopback only, or every address for CNIs that do not forward the node's own loopback traffic to a hostPort. @default 127.0.0.1",
    }),
  })
  .meta({
    description:
      "A ClusterIP Service only, reached inside the cluster; nodes need nodeProxy to pull from it",
  });

/** Hybrid mode: the GKE internal load balancer on the reserved IP, or a load balancer on-prem. */
const hybridExposure = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("internalLoadBalancer") }).meta({
      description: "A GKE internal load balancer on onprem.registryIp (simulated on-prem)",
    }),
    loadBalancerExposure,
  ])
  .default({ type: "internalLoadBalancer" })
  .meta({ description: "How the registry is reached across the VPN" });

/** Standalone mode: no reserved IP, so no GKE internal load balancer. */
const standaloneExposure = z
  .discriminatedUnion("type", [loadBalancerExposure, nodePortExposure, clusterIpExposure])
  .default({ type: "nodePort", nodePort: 30500 })
  .meta({ description: "How the nodes and clients reach the registry" });

const seedImage = z.strictObject({
  source: imageRef.meta({
    description: "Public image to copy, e.g. docker.io/library/nginx:stable",
  }),
  target: z
    .string()
    .regex(/^[a-z0-9]+([._/-][a-z0-9]+)*:[\w][\w.-]{0,127}$/, {
      message: "must be <repository>:<tag> inside the registry, e.g. stack-labs/nginx:stable",
    })
    .meta({ description: "Where to copy it: <repository>:<tag> inside the registry" }),
});

const pki = z
  .strictObject({
    keyAlgorithm: z.enum(["ECDSA", "RSA"]).default("ECDSA").meta({
      description: "Key type of the CA and the server certificates. @default ECDSA (P-256)",
    }),
    rsaBits: z
      .literal([2048, 3072, 4096])
      .default(3072)
      .meta({ description: "RSA key size, with keyAlgorithm RSA. @default 3072" }),
    organization: z.string().min(1).default("hybrid-registry").meta({
      description: "Organization (O) in the certificates' subjects. @default hybrid-registry",
    }),
    caValidityDays: z.number().int().min(30).default(3650).meta({
      description:
        "Validity of the self-signed CA every node and client trusts, in days. @default 3650",
    }),
    serverValidityDays: z.number().int().min(7).default(365).meta({
      description:
        "Validity of the registry's (and cache's) server certificate, in days. @default 365",
    }),
    earlyRenewalDays: z
      .number()
      .int()
      .min(1)
      .default(30)
      .meta({ description: "Renew the server certificate this long before expiry. @default 30" }),
    renewalNoticeDays: z.number().int().min(1).max(365).default(30).meta({
      description:
        "Days before the renewal window from which every plan warns (a Terraform check) that an apply will be needed. @default 30",
    }),
  })
  .prefault({});

/**
 * A CronJob schedule with its default, explained in `description`: checked field by field the
 * way the API server parses it (robfig/cron ParseStandard, lib/config/cron-schedule.ts).
 */
function cronSchedule(defaultValue: string, description: string) {
  return z
    .string()
    .superRefine((schedule, context) => {
      const problem = cronScheduleProblem(schedule);
      if (problem) {
        context.addIssue({
          code: "custom",
          message: `is not a schedule Kubernetes accepts: ${problem} (e.g. ${defaultValue}, or a macro such as @daily)`,
        });
      }
    })
    .default(defaultValue)
    .meta({ description });
}

/** The IANA time zone of a CronJob's schedule, spelt exactly (Go's time.LoadLocation). */
function timeZone() {
  return z
    .string()
    .superRefine((zone, context) => {
      const problem = timeZoneProblem(zone);
      if (problem) context.addIssue({ code: "custom", message: problem });
    })
    .default("Etc/UTC")
    .meta({ description: "IANA time zone of the schedule, spelt exactly. @default Etc/UTC" });
}

/** The registry section but its exposure, whose choices depend on the mode. */
const registryFields = {
  fqdn: z.string().default("registry.onprem.internal").meta({
    description: "Name clients use for the registry. @default registry.onprem.internal",
  }),
  namespace: ownNamespace.default("registry").meta({
    description: "Namespace the registry runs in; the stack creates it. @default registry",
  }),
  image: imageRef.default("registry:3.1.1").meta({
    description:
      "CNCF Distribution 3 image, pinned by a version tag or a digest (2.x is refused). @default registry:3.1.1",
  }),
  storage,
  replicas: z.number().int().min(1).max(10).default(1).meta({
    description:
      "Registry pods. Two or more need s3 or gcs storage (shared by all); they spread over nodes and zones, a PodDisruptionBudget keeps one up, updates roll one pod at a time. @default 1",
  }),
  resources: z
    .strictObject({
      requests: resources.default({ cpu: "100m", memory: "128Mi" }).meta({
        description:
          "CPU and memory the registry container requests (the pull-through cache's too)",
      }),
      limits: resources.default({ cpu: "1", memory: "512Mi" }).meta({
        description:
          "CPU and memory limits of the registry container (the pull-through cache's too)",
      }),
    })
    .prefault({}),
  pushUser: k8sName.default("pusher").meta({
    description:
      "User that may push and pull (Basic auth; its password is generated into the state). @default pusher",
  }),
  pullUser: k8sName.default("puller").meta({
    description:
      "User that may only pull (Basic auth; its password is generated into the state). @default puller",
  }),
  seedImages: z
    .array(seedImage)
    .default([{ source: "docker.io/library/nginx:stable", target: "stack-labs/nginx:stable" }])
    .meta({ description: "Public images a Job copies into the registry after it is deployed" }),
  htpasswdImage: imageRef.default("httpd:2.4.65-alpine").meta({
    description:
      "Image whose htpasswd hashes the generated passwords in an init container. @default httpd:2.4.65-alpine",
  }),
  authProxyImage: imageRef.default("nginx:1.28.0").meta({
    description:
      "nginx image of the auth proxy in front of every registry and cache: TLS, Basic auth, pushes only for the push user, no deletes. Its crypt() must know bcrypt (glibc/libxcrypt images such as the Debian-based nginx ones do). @default nginx:1.28.0",
  }),
  nodeProxyImage: imageRef.default("haproxy:3.2.4-alpine").meta({
    description:
      "Image of the node-proxy DaemonSet (clusterIP exposure with nodeProxy). @default haproxy:3.2.4-alpine",
  }),
  copyToolImage: imageRef.default("quay.io/skopeo/stable:v1.17.0").meta({
    description: "Image of the seeding Job's copy tool. @default quay.io/skopeo/stable:v1.17.0",
  }),
  seedSource: z
    .strictObject({
      registry: z
        .string()
        .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$/, {
          message: "must be a registry host such as docker.io or ghcr.io",
        })
        .default("docker.io")
        .meta({
          description:
            "Host of the source registry to log in to, as in the seed images' names. @default docker.io",
        }),
      username: z.string().min(1).max(256).meta({ description: "User at the source registry" }),
    })
    .optional()
    .meta({
      description:
        "Log in to the source registry when seeding (Docker Hub limits anonymous pulls per IP). The password is never in the file: set the Terraform variable seed_source_password (TF_VAR_seed_source_password, or a sensitive workspace variable). @default anonymous",
    }),
  networkPolicy: z
    .strictObject({
      enabled: z.boolean().default(true).meta({
        description:
          "NetworkPolicies in the registry and pull-through cache namespaces: the registry port only from the networks that pull, the metrics (and pprof) port only from metricsNamespaces. Needs a CNI that enforces them (cluster.networkPolicy on GKE). @default true",
      }),
      metricsNamespaces: z
        .array(k8sName)
        .superRefine(distinct(same))
        .default(["monitoring", "gmp-system"])
        .meta({
          description:
            "Namespaces whose pods may scrape the metrics (and debug) port 5001. @default [monitoring, gmp-system]",
        }),
    })
    .prefault({}),
  backup: z
    .strictObject({
      snapshots: z
        .strictObject({
          enabled: z.boolean().optional().meta({
            description:
              "A daily Compute Engine snapshot schedule on the registry's Persistent Disk (simulated on-prem on GKE, pvc storage). @default true there",
          }),
          startTime: z
            .string()
            .regex(/^([01][0-9]|2[0-3]):00$/, { message: "must be a full hour in UTC, e.g. 02:00" })
            .default("02:00")
            .meta({
              description: "When the daily snapshot starts (UTC, full hour). @default 02:00",
            }),
          retentionDays: z.number().int().min(1).max(3650).default(14).meta({
            description: "Days each snapshot is kept. @default 14",
          }),
        })
        .prefault({}),
      archive: z
        .strictObject({
          enabled: z.boolean().default(false).meta({
            description:
              "A CronJob that archives the registry's storage (a plain tar, registry read-only while it copies) onto an existing claim. Any cluster with pvc or hostPath storage. @default false",
          }),
          claimName: k8sName.optional().meta({
            description:
              "Existing PersistentVolumeClaim in the registry namespace for the archives, ideally on other storage than the registry's (NFS, another array).",
          }),
          schedule: cronSchedule(
            "0 1 * * *",
            "When to archive (cron, in timeZone). @default 0 1 * * * (01:00 daily)",
          ),
          timeZone: timeZone(),
          keep: z.number().int().min(1).max(365).default(7).meta({
            description: "Archives kept on the claim; older ones are deleted. @default 7",
          }),
          deadlineMinutes: z.number().int().min(5).max(1440).default(60).meta({
            description:
              "Longest archive run, in minutes (5 to 1440): then Kubernetes stops the job (activeDeadlineSeconds), the unfinished archive is deleted and pushes are accepted again. Pushes are refused for up to this long: size it from the archive time the job logs (README, Backup and restore). @default 60",
          }),
        })
        .prefault({}),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      podMonitoring: z.boolean().default(true).meta({
        description:
          "A PodMonitoring (Google Cloud Managed Service for Prometheus) for the registry and the cache, created only where its CRD is installed. @default true",
      }),
      serviceMonitor: z.boolean().default(true).meta({
        description:
          "A ServiceMonitor (Prometheus operator) and a metrics Service, the ServiceMonitor created only where its CRD is installed. @default true",
      }),
      serviceMonitorLabels: labels.default({}).meta({
        description:
          "Labels your Prometheus selects ServiceMonitors by (kube-prometheus-stack: release: <release name>). @default {}",
      }),
      // Prometheus parses it into a Go time.Duration (prometheus/common model.ParseDuration):
      // past Go's largest duration the collector refuses the whole configuration.
      interval: z
        .string()
        .regex(/^[1-9][0-9]*(s|m)$/, { message: "must be a duration such as 30s or 1m" })
        .refine(goParseDurationAccepts, {
          message: `is longer than the collector accepts (at most ${GO_DURATION_MAX_SECONDS}s, Go's largest duration)`,
        })
        .default("30s")
        .meta({ description: "Scrape interval. @default 30s" }),
    })
    .prefault({}),
  garbageCollection: z
    .strictObject({
      enabled: z.boolean().optional().meta({
        description:
          "A CronJob that deletes blobs no manifest references, with the registry read-only while it runs (pvc, hostPath: pushes get 503; s3, gcs: every replica is rolled into Distribution's read-only mode and back, pushes get 405). Not with emptyDir storage. @default true with pvc or hostPath storage, false otherwise",
      }),
      schedule: cronSchedule(
        "30 3 * * 0",
        "When to collect (cron, in timeZone). Pushes are refused for the run's length: pick a quiet hour. @default 30 3 * * 0 (Sunday 03:30)",
      ),
      timeZone: timeZone(),
      apiClientImage: imageRef.default("curlimages/curl:8.14.1").meta({
        description:
          "With s3 or gcs storage: image with sh and curl that rolls the registry into read-only mode and back through the Kubernetes API (the collector itself comes from registry.image). @default curlimages/curl:8.14.1",
      }),
      deleteUntagged: z.boolean().default(false).meta({
        description:
          "Also delete manifests no tag points to (an overwritten tag's old image), then their layers. Clients that pull such images by digest lose them. @default false",
      }),
      dryRun: z.boolean().default(false).meta({
        description: "Only log what would be deleted; the registry stays writable. @default false",
      }),
    })
    .prefault({}),
  seedPlatform: z
    .string()
    .regex(/^(all|[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?)$/, {
      message: "must be all or one platform such as linux/amd64 or linux/arm/v7",
    })
    .default("all")
    .meta({
      description:
        "all copies every platform of a multi-platform image; os/arch[/variant] copies only that one (skopeo has no subset). @default all",
    }),
  pki,
};

const app = z
  .strictObject({
    namespace: ownNamespace.default("apps").meta({
      description:
        "Namespace of the applications that pull from the registry; the stack creates it with the pull secret. @default apps",
    }),
    sampleApp: z
      .strictObject({
        enabled: z.boolean().default(true).meta({
          description:
            "A sample Deployment that pulls sampleApp.image from the registry, to show pulls work. @default true",
        }),
        image: z
          .string()
          .regex(/^[a-z0-9]+([._/-][a-z0-9]+)*:[\w][\w.-]{0,127}$/, {
            message: "must be <repository>:<tag> inside the registry, e.g. stack-labs/nginx:stable",
          })
          .default("stack-labs/nginx:stable")
          .meta({
            description: "Repository and tag inside the registry. @default stack-labs/nginx:stable",
          }),
        replicas: z
          .number()
          .int()
          .min(0)
          .default(1)
          .meta({ description: "Replicas of the sample Deployment. @default 1" }),
      })
      .prefault({}),
    podSecurity: z.enum(["restricted", "baseline", "privileged"]).default("baseline").meta({
      description:
        "Pod Security Standards level enforced in the application namespace (warnings and audit always use restricted). restricted refuses images that run as root, such as the sample nginx. @default baseline",
    }),
    caTrustDaemonSet: z
      .strictObject({
        enabled: z.boolean().default(false).meta({
          description:
            "Privileged DaemonSet writing the CA into containerd's certs.d, for clusters without GKE's native trust. @default false",
        }),
        image: imageRef.default("busybox:1.37.0").meta({
          description:
            "Small image with a POSIX shell that runs the DaemonSet. @default busybox:1.37.0",
        }),
        assumeConfigPath: z.boolean().default(false).meta({
          description:
            "The nodes run containerd 2.2+, which reads /etc/containerd/certs.d by default: skip the DaemonSet's check that containerd's registry config_path names it. @default false",
        }),
      })
      .prefault({}),
    pullThroughCache: z
      .strictObject({
        enabled: z.boolean().default(false).meta({
          description:
            "Hybrid mode: a pull-through cache of the registry in the application cluster, on an internal load balancer; nodes pull through it and fall back to the registry. @default false",
        }),
        fqdn: z.string().default("registry-cache.onprem.internal").meta({
          description:
            "Name of the cache (a private DNS record and its certificate). @default registry-cache.onprem.internal",
        }),
        storageSize: claimSize.default("50Gi").meta({
          description:
            "Size of the cache's PersistentVolumeClaim; the TTL, not a size bound, evicts content. @default 50Gi",
        }),
        storageClass: storageClassName.optional().meta({
          description:
            "Storage class of the cache's claim (its data can always be refetched). @default the cluster's default class",
        }),
        ttl: goDuration.default("168h").meta({
          description:
            "How long cached content is kept after it was last fetched from the registry (Distribution proxy.ttl; 0 keeps it forever). @default 168h",
        }),
        ip: ipv4.optional().meta({
          description:
            "Reserved internal IP of the cache in the application subnet. @default the subnet's 10th host",
        }),
      })
      .prefault({}),
  })
  .prefault({})
  .meta({
    description:
      "The applications' side of the registry: their namespace and pull secret, a sample app, a pull-through cache and node CA trust. In hybrid mode it applies to the application cluster (each side's, unless the side has its own app)",
  });

/**
 * GCS bucket naming rules (https://cloud.google.com/storage/docs/buckets#naming): 3-63
 * characters (up to 222 with dots, each dot-separated part at most 63) of lowercase letters,
 * digits, `-`, `_` and `.`, starting and ending with a letter or digit; not an IP address; not
 * starting with "goog" nor containing "google".
 */
function gcsBucketNameProblem(bucket: string): string | undefined {
  const parts = bucket.split(".");
  if (!/^[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(bucket)) {
    return "must be a GCS bucket name: lowercase letters, digits, - _ . and a letter or digit at both ends";
  }
  if (bucket.length < 3 || bucket.length > (parts.length > 1 ? 222 : 63)) {
    return "must have 3-63 characters (up to 222 when it contains dots)";
  }
  if (parts.some((part) => part.length > 63)) return "must have at most 63 characters between dots";
  if (isIpv4Address(bucket)) return "must not be an IP address";
  if (bucket.startsWith("goog") || bucket.includes("google")) {
    return 'must not start with "goog" or contain "google"';
  }
  return undefined;
}

/**
 * Terraform reads backend blocks without evaluating them, but the consumers' remote-state
 * configs with: `${` or `%{` in a backend setting would mean one thing on each side.
 */
const backendTemplateMessage = {
  message: "must not contain ${ or %{ (Terraform would evaluate it where consumers read the state)",
};
const backendText = z.string().refine((text) => !hasTemplateSequence(text), backendTemplateMessage);

/**
 * Terraform Cloud objects the terraform-cloud stack creates (issue 23). Name limits are the
 * API's: workload identity pool ids 4-32 characters of a-z, 0-9 and '-', not starting with
 * "gcp-" (https://cloud.google.com/iam/docs/reference/rest/v1/projects.locations.workloadIdentityPools/create).
 */
const workspaceSetup = z
  .strictObject({
    project: backendText
      .regex(/^[A-Za-z0-9][A-Za-z0-9 _-]{2,39}$/, {
        message: "must be 3-40 letters, digits, spaces, '-' or '_' (Terraform Cloud project names)",
      })
      .optional()
      .meta({
        description:
          "Terraform Cloud project that holds the workspaces. @default the workspace prefix",
      }),
    autoApply: z.boolean().default(false).meta({
      description:
        "Apply a workspace's plan without confirmation (runs queued by run triggers too). @default false: a person confirms every apply",
    }),
    vcs: z
      .strictObject({
        repository: backendText
          .regex(/^[^/\s]+\/[^/\s]+$/, {
            message: "must be <owner>/<repository>, e.g. acme/platform-registry",
          })
          .meta({ description: "Repository holding the committed cdktf.out/stacks (owner/name)" }),
        branch: backendText.min(1).optional().meta({
          description: "Branch the workspaces follow. @default the repository's default branch",
        }),
        connection: backendText
          .regex(/^(ot|ghain)-[A-Za-z0-9]+$/, {
            message:
              "must be an OAuth token id (ot-...) or a GitHub App installation id (ghain-...)",
          })
          .meta({
            description:
              "How Terraform Cloud reaches the repository: the VCS provider's OAuth token id (ot-..., Settings → Version Control → Providers) or the GitHub App installation id (ghain-...)",
          }),
      })
      .optional()
      .meta({
        description:
          "VCS-driven workspaces: each runs cdktf.out/stacks/<stack> of this repository. @default none: CLI-driven workspaces (npm run cdktf -- deploy)",
      }),
    googleCredentials: z.enum(["workload-identity", "none"]).default("workload-identity").meta({
      description:
        "workload-identity: a Workload Identity pool and provider in each Google project and one service account per stack, used through dynamic provider credentials (no key files); none: you give the workspaces credentials yourself. @default workload-identity",
    }),
    identityPoolId: z
      .string()
      .regex(/^(?!gcp-)[a-z0-9-]{4,32}$/, {
        message: "must be 4-32 characters of a-z, 0-9 and '-', not starting with gcp-",
      })
      .optional()
      .meta({
        description:
          "Id of the Workload Identity pool created in each project. A deleted pool keeps its id for 30 days: after destroying, undelete it or choose another id. @default tfc-<environment>",
      }),
    state: z.enum(["local", "workspace"]).default("local").meta({
      description:
        "Where the terraform-cloud stack keeps its own state: local, the file state/<environment>/terraform-cloud.tfstate; workspace, the workspace <workspacePrefix>-terraform-cloud (execution mode local) that the stack creates on its first, local, run: switch to it and run terraform init -migrate-state (docs/terraform-cloud.md). @default local",
    }),
  })
  .meta({
    description:
      "Opt-in: the terraform-cloud stack creates the project, one workspace per stack, remote-state sharing with exactly each producer's consumers, run triggers and keyless Google credentials (docs/terraform-cloud.md). Run it once from a workstation; the other stacks then run in their workspaces",
  });

const backend = z
  .discriminatedUnion("type", [
    z
      .strictObject({
        type: z.literal("local"),
        directory: backendText
          .regex(/^[^/]/, { message: "must be relative to the project root" })
          .optional()
          .meta({
            description:
              "State directory relative to the project root. @default state/<environment> (state without an environment name)",
          }),
      })
      .meta({ description: "State files in a directory of this checkout" }),
    z
      .strictObject({
        type: z.literal("gcs"),
        bucket: z
          .string({ error: "is required for the gcs backend" })
          .superRefine((bucket, context) => {
            const problem = gcsBucketNameProblem(bucket);
            if (problem) context.addIssue({ code: "custom", message: problem });
          })
          .meta({
            description: "Existing bucket that holds the state (create it first, with versioning)",
          }),
        prefix: backendText.min(1).optional().meta({
          description:
            "Object prefix; each stack's state is under <prefix>/<stack>. @default hybrid-registry/<environment> (hybrid-registry without an environment name)",
        }),
        kmsEncryptionKey: z
          .string()
          .regex(
            /^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/locations\/[a-z0-9-]+\/keyRings\/[\w-]{1,63}\/cryptoKeys\/[\w-]{1,63}$/,
            {
              message:
                "must be a Cloud KMS key name: projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>",
            },
          )
          .optional()
          .meta({
            description:
              "Customer-managed Cloud KMS key the gcs backend encrypts state with (the state bucket's service agent needs roles/cloudkms.cryptoKeyEncrypterDecrypter on it). @default Google-managed encryption",
          }),
      })
      .meta({ description: "State objects in a Cloud Storage bucket" }),
    z
      .strictObject({
        type: z.literal("cloud"),
        hostname: backendText.min(1).default("app.terraform.io").meta({
          description: "Terraform Cloud, or a Terraform Enterprise host. @default app.terraform.io",
        }),
        organization: z
          .string({ error: "is required for the cloud backend" })
          .min(1)
          .refine((text) => !hasTemplateSequence(text), backendTemplateMessage)
          .meta({ description: "Organization that owns the workspaces" }),
        workspacePrefix: backendText
          .min(1)
          .regex(/^[A-Za-z0-9_-]+$/, {
            message: "may hold only letters, digits, '-' and '_' (Terraform Cloud workspace names)",
          })
          .optional()
          .meta({
            description:
              "Workspaces are <workspacePrefix>-<stack>. @default hybrid-registry-<environment> (hybrid-registry without an environment name)",
          }),
        workspaceSetup: workspaceSetup.optional(),
      })
      .meta({ description: "Terraform Cloud or Enterprise workspaces, one per stack" }),
  ])
  .default({ type: "local" })
  .meta({ description: "Where Terraform keeps each stack's state" });

const environment = z
  .string()
  .regex(ENVIRONMENT_NAME, {
    message:
      "must be a short name such as dev or prod-eu: a lowercase letter, then a-z, 0-9 and '-', at most 24 characters",
  })
  .optional()
  .meta({
    description:
      "Name of this environment (dev, prod, ...). Part of every default state location (state/<name>/, gcs <prefix>/<name>/, workspaces hybrid-registry-<name>-<stack>), and every stack refuses, at plan time, state written by another environment. @default the file name, with state where it was before environment names (state/, hybrid-registry/, hybrid-registry-<stack>)",
  });

/**
 * Side names become stack names (cloud-network-<side>, workloads-<side>) and part of the DNS
 * zone names, so they are short RFC 1035 labels.
 */
export const SIDE_NAME = /^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$/;

const side = z.strictObject({
  ...cloudFields,
  app: app.optional().meta({
    description:
      "This side's application settings, replacing the top-level app section for it (keys left out take their defaults). @default the top-level app section",
  }),
});

const sides = z
  .record(z.string().regex(SIDE_NAME), side, {
    error: (issue) =>
      issue.code === "invalid_key"
        ? "is not a side name: start with a letter, then a-z, 0-9 and '-', at most 20 characters (it names stacks and DNS zones)"
        : undefined,
  })
  .optional()
  .meta({
    description:
      "Several application sides, by name: each is a cloud section (plus an optional app section) with its own stacks cloud-network-<name> and workloads-<name>; the registry's workloads are then the registry stack. Use instead of cloud",
  });

const common = { environment, backend, app };

/** One description for both modes' registry sections: the reference shows one section. */
const registryDescription =
  "The registry (CNCF Distribution behind an auth proxy, with its own CA): storage, exposure, users, seeding, backups, metrics and certificates. In hybrid mode it runs in the on-prem cluster";
const hybridRegistry = z
  .strictObject({ ...registryFields, exposure: hybridExposure })
  .prefault({})
  .meta({ description: registryDescription });
const standaloneRegistry = z
  .strictObject({ ...registryFields, exposure: standaloneExposure })
  .prefault({})
  .meta({ description: registryDescription });

const ratio = z.number().gt(0).lt(1);

const alerts = z
  .strictObject({
    enabled: z.boolean().default(false).meta({
      description:
        "Cloud Monitoring alert policies in the application project: registry down, 5xx rate, storage filling up (simulated on-prem), server certificate due for renewal, VPN tunnel and BGP session down. @default false",
    }),
    // Addresses are matched without case: Google delivers A@x and a@x to one mailbox.
    emails: z
      .array(z.email())
      .superRefine(distinct((email) => email.toLowerCase()))
      .default([])
      .meta({
        description: "Addresses to notify; each gets an email notification channel. @default []",
      }),
    notificationChannels: z
      .array(
        z.string().regex(/^projects\/[a-z][-a-z0-9]{4,28}[a-z0-9]\/notificationChannels\/\d+$/, {
          message: "must be a full channel name: projects/<project>/notificationChannels/<id>",
        }),
      )
      .superRefine(distinct(same))
      .default([])
      .meta({
        description:
          "Existing channels (Slack, PagerDuty, ...) of the application project to notify as well. @default []",
      }),
    serverErrorRatio: ratio.default(0.05).meta({
      description:
        "Alert when this share of the registry's requests fails with 5xx for 10 minutes. @default 0.05",
    }),
    side: z.string().optional().meta({
      description:
        "With sides: the side whose project gets the registry and certificate alerts (each side gets its own VPN alerts). @default the first side",
    }),
    storageUtilization: ratio.default(0.8).meta({
      description:
        "Alert when the registry's volume is fuller than this for 15 minutes. @default 0.8",
    }),
  })
  .prefault({})
  .meta({ description: "Cloud Monitoring alert policies and whom they notify" });

const hybridConfigSchema = z
  .strictObject({
    mode: z.literal("hybrid"),
    ...common,
    registry: hybridRegistry,
    onprem,
    cloud: cloud.optional(),
    sides,
    alerts,
  })
  .meta({
    description:
      "The registry in an on-prem cluster, the applications in GKE, joined by HA VPN (stacks onprem-network, cloud-network and workloads; with sides, registry and a cloud-network and workloads stack per side)",
  });

const standaloneConfigSchema = z
  .strictObject({
    mode: z.literal("standalone"),
    ...common,
    registry: standaloneRegistry,
    cluster: z.strictObject({ kubeconfig }).meta({
      description: "The one existing cluster, which runs the registry and the applications",
    }),
  })
  .meta({
    description:
      "The registry and the applications in one existing cluster (the workloads stack only)",
  });

/**
 * The parts semantic validation reads, each parsed on its own: a file whose schema check fails
 * in one place still gets every cross-field rule checked on the parts that are valid.
 */
export const sectionSchemas = {
  cidr,
  ipv4,
  asn,
  projectId,
  region,
  network,
  cluster,
  vpn,
  cloudDns: cloudFields.dns,
  artifactRegistry,
  cidrList: z.array(cidr),
  ipList: z.array(ipv4),
  hybridRegistry,
  standaloneRegistry,
  app,
  alerts,
  backend,
  environment,
};

export const configSchema = z
  .discriminatedUnion("mode", [hybridConfigSchema, standaloneConfigSchema])
  .meta({ description: "The environment's layout" });

/** A file as the schema parses it: state locations not yet decided. */
export type ParsedConfig = z.output<typeof configSchema>;

type WithEnvironment<C> = C extends unknown
  ? Omit<C, "backend" | "environment"> & {
      /** The backend with every state location decided (lib/config/environment.ts). */
      readonly backend: ResolvedBackend;
      /** The environment's name: `environment`, or the file's name. */
      readonly environment: string;
      /** Whether the file names itself (its state then has locations of its own). */
      readonly environmentNamed: boolean;
      /**
       * backend.workspaceSetup resolved: the terraform-cloud stack's settings.
       * @default no terraform-cloud stack
       */
      readonly workspaceSetup?: WorkspaceSetup;
    }
  : never;

/** A valid environment, ready to synthesize. */
export type Config = WithEnvironment<ParsedConfig>;
export type HybridConfig = Extract<Config, { mode: "hybrid" }>;
export type StandaloneConfig = Extract<Config, { mode: "standalone" }>;
/** One application side's cloud section (`cloud`, or an entry of `sides`). */
export type CloudSection = z.output<typeof cloud>;
/** The app section (top level, or a side's own). */
export type AppSection = z.output<typeof app>;
