/**
 * The registry and the pull-through cache: image, storage, exposure, users, PKI, seeding, the
 * application namespace. Maintenance and monitoring settings come from ../maintenance/schema.ts.
 * Their cross-field rules are in ./rules.ts.
 */
import { z } from "zod";
import { pemCertificateFileProblem } from "./pem-certificate";
import { parsePdVolumeHandle, replicaZonesProblem } from "../../gcp/pd-volume-handle";
import {
  claimSize,
  distinct,
  goDuration,
  imageRef,
  ipv4,
  k8sName,
  ownNamespace,
  quantity,
  same,
  storageClassName,
  gcsBucketNameProblem,
} from "../core/fields";
import { backup, garbageCollection, metrics } from "../maintenance/schema";

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
  backup: backup,
  metrics: metrics,
  garbageCollection: garbageCollection,
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

export const app = z
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

/** One description for both modes' registry sections: the reference shows one section. */
const registryDescription =
  "The registry (CNCF Distribution behind an auth proxy, with its own CA): storage, exposure, users, seeding, backups, metrics and certificates. In hybrid mode it runs in the on-prem cluster";
export const hybridRegistry = z
  .strictObject({ ...registryFields, exposure: hybridExposure })
  .prefault({})
  .meta({ description: registryDescription });
export const standaloneRegistry = z
  .strictObject({ ...registryFields, exposure: standaloneExposure })
  .prefault({})
  .meta({ description: registryDescription });
