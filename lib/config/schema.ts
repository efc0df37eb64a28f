/**
 * The environment file's shape, assembled from the concepts' schemas (core/fields.ts and each
 * concept's schema.ts), and the types the stacks use. Everything a stack needs is here, typed and
 * with documented defaults; rules that span fields are in validate.ts and each concept's rules.ts.
 */
import { z } from "zod";
import type { ResolvedBackend } from "./backend/environment";
import type { WorkspaceSetup } from "./backend/workspace-setup";
import { backend, environment } from "./backend/schema";
import { app, hybridRegistry, standaloneRegistry } from "./registry/schema";
import { asn, network, onprem, projectId, region, vpn } from "./network/schema";
import { artifactRegistry, cloud, cloudFields, sides } from "./sides/schema";
import { alerts } from "./maintenance/schema";
import { cluster, kubeconfig } from "./cluster/schema";
import { cidr, ipv4 } from "./core/fields";

const common = { environment, backend, app };

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
