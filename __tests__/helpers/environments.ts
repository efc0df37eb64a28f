import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../../lib/config/schema";
import { configFrom, loadEnvironment, merge, rawEnvironment } from "./config";
import type { StackJson } from "./json";

/** Example and fixture environments, by name. */
export const ENVIRONMENTS = {
  default: "environments/example.yaml",
  standalone: "environments/standalone-k3s.yaml",
  standaloneNodePort: "__tests__/fixtures/standalone-nodeport.yaml",
  standaloneNodeProxy: "__tests__/fixtures/standalone-node-proxy.yaml",
  externalPeer: "__tests__/fixtures/external-peer.yaml",
  artifactRegistry: "__tests__/fixtures/artifact-registry.yaml",
  /** Snapshotted like the others, so it is an environment rather than only an example. */
  threeSides: "examples/hybrid-three-sides.yaml",
  externalSides: "__tests__/fixtures/external-sides.yaml",
} as const;

export type EnvironmentName = keyof typeof ENVIRONMENTS;

/** The documented examples (examples/README.md), synthesized like the environments. */
export const EXAMPLES = {
  exampleGcsBackend: "examples/hybrid-gcs-backend.yaml",
  exampleTerraformCloud: "examples/terraform-cloud.yaml",
  exampleExternalOne: "examples/external-one-interface.yaml",
  exampleExternalTwo: "examples/external-two-interfaces.yaml",
  exampleExternalFour: "examples/external-four-interfaces.yaml",
  exampleArtifactRegistry: "examples/artifact-registry.yaml",
  exampleK3sMetallb: "examples/standalone-k3s-metallb.yaml",
  exampleHostPath: "examples/standalone-hostpath.yaml",
  exampleGcsReplicas: "examples/hybrid-gcs-replicas.yaml",
  exampleS3Replicas: "examples/standalone-s3-replicas.yaml",
} as const;

export type ExampleName = keyof typeof EXAMPLES;

/** A Terraform Cloud backend with the opt-in terraform-cloud stack (issue 23). */
const WORKSPACE_SETUP = {
  backend: { type: "cloud", organization: "platform", workspaceSetup: {} },
} as const;

/** Variants of an environment with some settings changed, synthesized like the files. */
export const VARIANTS = {
  /** 39 characters: `<name>-pool` cut at GKE's 40 ended with '-'. */
  longClusterName: {
    base: "default",
    patch: { onprem: { cluster: { name: "registry-cluster-with-a-long-name-abcde" } } },
  },
  backendGcs: {
    base: "default",
    patch: { backend: { type: "gcs", bucket: "tf-state", prefix: "hybrid" } },
  },
  backendGcsKms: {
    base: "default",
    patch: {
      backend: {
        type: "gcs",
        bucket: "tf-state",
        kmsEncryptionKey:
          "projects/platform-kms/locations/europe/keyRings/state/cryptoKeys/terraform",
      },
    },
  },
  backendCloud: {
    base: "default",
    patch: {
      backend: {
        type: "cloud",
        hostname: "tfe.example.com",
        organization: "platform",
        workspacePrefix: "hybrid",
      },
    },
  },
  standaloneNoRetain: {
    base: "standalone",
    patch: { registry: { storage: { retainOnDestroy: false } } },
  },
  renamedRegistry: { base: "default", patch: { registry: { fqdn: "images.onprem.internal" } } },
  dnsTtl60: { base: "default", patch: { cloud: { dns: { ttl: 60 } } } },
  /** The default environment with its cloud section moved under sides as `app`. */
  defaultAsSides: {
    base: "default",
    patch: {
      onprem: { applicationRanges: ["10.0.1.0/24", "10.110.0.0/15"] },
      cloud: null,
      sides: {
        app: {
          projectId: "app-project-123",
          region: "europe-west1",
          asn: 64513,
          network: {
            name: "app",
            subnetCidr: "10.0.1.0/24",
            podsCidr: "10.110.0.0/16",
            servicesCidr: "10.111.0.0/20",
          },
          cluster: {
            name: "application-cluster",
            location: "europe-west1-b",
            controlPlaneCidr: "172.17.0.0/28",
            authorizedNetworks: [{ cidr: "203.0.113.0/24", displayName: "ops-office" }],
            nodePool: { machineType: "e2-standard-2", nodeCount: 1 },
          },
        },
      },
    },
  },
  /** threeSides with a fourth side added at the end. */
  fourSides: {
    base: "threeSides",
    patch: {
      sides: {
        qa: {
          projectId: "qa-apps-123",
          region: "europe-west1",
          asn: 64523,
          network: {
            name: "qa",
            subnetCidr: "10.160.0.0/24",
            podsCidr: "10.161.0.0/16",
            servicesCidr: "10.162.0.0/20",
          },
          cluster: { name: "qa-cluster", controlPlaneCidr: "172.17.0.48/28" },
          vpn: { linkLocalRange: "169.254.0.24/29" },
          app: { pullThroughCache: { enabled: true }, caTrustDaemonSet: { enabled: true } },
        },
      },
    },
  },
  /** threeSides with staging changed in its network and its workloads. */
  threeSidesStagingChanged: {
    base: "threeSides",
    patch: {
      sides: {
        staging: {
          dns: { ttl: 60 },
          cluster: { nodePool: { nodeCount: 3 } },
          app: { sampleApp: { replicas: 3 } },
        },
      },
    },
  },
  /** threeSides with staging, the middle side, removed. */
  threeSidesWithoutStaging: { base: "threeSides", patch: { sides: { staging: null } } },
  storageUnprotected: {
    base: "standalone",
    patch: { registry: { storage: { preventDestroy: false } } },
  },
  cacheCustom: {
    base: "artifactRegistry",
    patch: {
      app: { pullThroughCache: { storageSize: "200Gi", storageClass: "premium-rwo", ttl: "72h" } },
    },
  },
  templateDisplayName: {
    base: "default",
    patch: {
      onprem: {
        cluster: { authorizedNetworks: [{ cidr: "203.0.113.0/24", displayName: '${file("/x")}' }] },
      },
    },
  },
  seedLoginOnePlatform: {
    base: "default",
    patch: {
      registry: {
        seedSource: { username: "platform-bot" },
        seedPlatform: "linux/arm64",
        seedImages: [
          {
            source: `docker.io/library/nginx@sha256:${"0123456789abcdef".repeat(4)}`,
            target: "stack-labs/nginx:pinned",
          },
        ],
      },
    },
  },
  gcUntaggedDryRun: {
    base: "default",
    patch: {
      registry: {
        garbageCollection: {
          schedule: "@daily",
          timeZone: "Europe/Berlin",
          deleteUntagged: true,
          dryRun: true,
        },
      },
    },
  },
  gcOff: { base: "default", patch: { registry: { garbageCollection: { enabled: false } } } },
  gcOnGcs: {
    base: "default",
    patch: {
      registry: { replicas: 2, storage: { type: "gcs" }, garbageCollection: { enabled: true } },
    },
  },
  emptyDirStorage: {
    base: "standalone",
    patch: { registry: { storage: { type: "emptyDir", size: null, storageClass: null } } },
  },
  alertsOn: {
    base: "default",
    patch: {
      alerts: {
        enabled: true,
        emails: ["platform@example.com"],
        notificationChannels: ["projects/app-project-123/notificationChannels/1234567890"],
      },
    },
  },
  alertsExternal: { base: "externalPeer", patch: { alerts: { enabled: true } } },
  metricsOff: {
    base: "standalone",
    patch: { registry: { metrics: { podMonitoring: false, serviceMonitor: false } } },
  },
  backupArchive: {
    base: "standalone",
    patch: {
      registry: {
        backup: { archive: { enabled: true, claimName: "registry-backup", keep: 3 } },
      },
    },
  },
  snapshotsOff: {
    base: "default",
    patch: { registry: { backup: { snapshots: { enabled: false } } } },
  },
  s3Replicas: {
    base: "standalone",
    patch: {
      registry: {
        replicas: 3,
        storage: {
          type: "s3",
          bucket: "registry-images",
          endpoint: "https://minio.lab.internal:9000",
          accessKeyId: "registry",
          rootDirectory: "/registry",
          size: null,
          storageClass: null,
        },
      },
    },
  },
  workspaceSetupOneSide: { base: "default", patch: WORKSPACE_SETUP },
  /** Several sides on a simulated on-prem, and a sensitive input (the seed source's password). */
  workspaceSetupSides: {
    base: "threeSides",
    patch: { ...WORKSPACE_SETUP, registry: { seedSource: { username: "platform-bot" } } },
  },
  workspaceSetupSidesWithoutStaging: {
    base: "threeSides",
    patch: {
      ...WORKSPACE_SETUP,
      registry: { seedSource: { username: "platform-bot" } },
      sides: { staging: null },
    },
  },
  workspaceSetupExternalSides: {
    base: "externalSides",
    patch: {
      backend: {
        type: "cloud",
        hostname: "tfe.example.com",
        organization: "platform",
        workspacePrefix: "registry",
        workspaceSetup: { googleCredentials: "none", autoApply: true, state: "workspace" },
      },
    },
  },
  workspaceSetupStandaloneS3: {
    base: "standalone",
    patch: {
      ...WORKSPACE_SETUP,
      registry: {
        storage: {
          type: "s3",
          bucket: "registry-images",
          endpoint: "https://minio.lab.internal:9000",
          accessKeyId: "registry",
          size: null,
          storageClass: null,
        },
      },
    },
  },
  gcsReplicas: {
    base: "default",
    patch: { registry: { replicas: 2, storage: { type: "gcs" } } },
  },
  externalPeerOneIp: {
    base: "externalPeer",
    patch: { onprem: { peerInterfaces: ["198.51.100.10"] } },
  },
  externalPeerFourIps: {
    base: "externalPeer",
    patch: {
      onprem: {
        peerInterfaces: ["198.51.100.10", "198.51.100.11", "198.51.100.12", "198.51.100.13"],
      },
      cloud: { vpn: { linkLocalRange: "169.254.10.0/28" } },
    },
  },
} as const satisfies Record<string, { base: EnvironmentName; patch: Record<string, unknown> }>;

export type VariantName = keyof typeof VARIANTS;
export type SynthName = EnvironmentName | VariantName | ExampleName;

export const SYNTH_NAMES = [
  ...Object.keys(ENVIRONMENTS),
  ...Object.keys(VARIANTS),
  ...Object.keys(EXAMPLES),
] as SynthName[];

/** Environment variable naming the directory the global setup synthesized into. */
export const SYNTH_CACHE_ENV = "HYBRID_SYNTH_CACHE";

function isExample(name: SynthName): name is ExampleName {
  return name in EXAMPLES;
}

function isEnvironment(name: SynthName): name is EnvironmentName {
  return name in ENVIRONMENTS;
}

export function configOf(name: SynthName): Config {
  if (isEnvironment(name)) return loadEnvironment(ENVIRONMENTS[name]);
  if (isExample(name)) return loadEnvironment(EXAMPLES[name]);
  const variant = VARIANTS[name];
  return configFrom(
    merge(rawEnvironment(ENVIRONMENTS[variant.base]), variant.patch),
    `${name}.yaml`,
  );
}

const loaded = new Map<SynthName, Record<string, StackJson>>();

/**
 * Synthesized stacks of a named environment. The global setup synthesizes every name once per
 * run (loading cdktf and the providers once instead of in every test file).
 */
export function stacksOf(name: SynthName): Record<string, StackJson> {
  const hit = loaded.get(name);
  if (hit) return hit;
  const dir = process.env[SYNTH_CACHE_ENV];
  if (!dir)
    throw new Error(`${SYNTH_CACHE_ENV} is not set: run the tests through jest (global setup)`);
  const stacks = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as Record<
    string,
    StackJson
  >;
  loaded.set(name, stacks);
  return stacks;
}

/** Each stack's direct dependencies of a named environment, from the global setup's synthesis. */
export function dependenciesOf(name: SynthName): Record<string, string[]> {
  const dir = process.env[SYNTH_CACHE_ENV];
  if (!dir)
    throw new Error(`${SYNTH_CACHE_ENV} is not set: run the tests through jest (global setup)`);
  return JSON.parse(readFileSync(join(dir, `${name}.dependencies.json`), "utf8")) as Record<
    string,
    string[]
  >;
}
