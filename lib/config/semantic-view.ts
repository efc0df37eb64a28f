import type { z } from "zod";
import { sectionSchemas } from "./schema";

type Network = z.output<typeof sectionSchemas.network>;
type Cluster = z.output<typeof sectionSchemas.cluster>;
type Vpn = z.output<typeof sectionSchemas.vpn>;
type Registry =
  | z.output<typeof sectionSchemas.hybridRegistry>
  | z.output<typeof sectionSchemas.standaloneRegistry>;
type App = z.output<typeof sectionSchemas.app>;
type Alerts = z.output<typeof sectionSchemas.alerts>;

/** One GCP side, each part present only when it is valid on its own. */
export interface GcpSideView {
  readonly projectId?: string;
  readonly region?: string;
  readonly asn?: number;
  readonly network?: Network;
  readonly cluster?: Cluster;
  readonly advertisedRanges?: string[];
}

/** A real on-prem site (external mode). */
export interface ExternalSiteView {
  readonly asn?: number;
  readonly peerInterfaces?: string[];
  readonly networkCidrs?: string[];
  readonly registryIp?: string;
}

/**
 * The config as semantic validation sees it: every section parsed on its own with its own
 * defaults, so rules run on whatever is valid even when another field fails the schema.
 */
export interface SemanticView {
  readonly mode?: "hybrid" | "standalone";
  readonly onprem?:
    | { readonly mode: "simulated"; readonly side: GcpSideView; readonly registryIp?: string }
    | { readonly mode: "external"; readonly site: ExternalSiteView };
  readonly cloud?: GcpSideView & { readonly vpn?: Vpn };
  readonly registry?: Registry;
  readonly app?: App;
  readonly alerts?: Alerts;
}

function child(value: unknown, key: string): unknown {
  return value !== null && typeof value === "object"
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** The part parsed with its own schema and defaults, or undefined when it is not valid. */
function valid<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function gcpSide(raw: unknown): GcpSideView {
  return {
    projectId: valid(sectionSchemas.projectId, child(raw, "projectId")),
    region: valid(sectionSchemas.region, child(raw, "region")),
    asn: valid(sectionSchemas.asn, child(raw, "asn")),
    network: valid(sectionSchemas.network, child(raw, "network")),
    cluster: valid(sectionSchemas.cluster, child(raw, "cluster")),
    advertisedRanges: valid(sectionSchemas.cidrList, child(raw, "advertisedRanges")),
  };
}

/** Build the view from raw YAML input (the schema need not pass). */
export function semanticView(input: unknown): SemanticView {
  const modeValue = child(input, "mode");
  const mode = modeValue === "hybrid" || modeValue === "standalone" ? modeValue : undefined;
  const rawOnprem = child(input, "onprem");
  const onpremMode = child(rawOnprem, "mode");
  const rawCloud = child(input, "cloud");
  return {
    mode,
    onprem:
      onpremMode === "simulated"
        ? {
            mode: "simulated",
            side: gcpSide(rawOnprem),
            registryIp: valid(sectionSchemas.ipv4, child(rawOnprem, "registryIp")),
          }
        : onpremMode === "external"
          ? {
              mode: "external",
              site: {
                asn: valid(sectionSchemas.asn, child(rawOnprem, "asn")),
                peerInterfaces: valid(sectionSchemas.ipList, child(rawOnprem, "peerInterfaces")),
                networkCidrs: valid(sectionSchemas.cidrList, child(rawOnprem, "networkCidrs")),
                registryIp: valid(sectionSchemas.ipv4, child(rawOnprem, "registryIp")),
              },
            }
          : undefined,
    cloud:
      rawCloud === undefined
        ? undefined
        : { ...gcpSide(rawCloud), vpn: valid(sectionSchemas.vpn, child(rawCloud, "vpn")) },
    registry:
      mode === "standalone"
        ? valid<Registry>(sectionSchemas.standaloneRegistry, child(input, "registry"))
        : valid<Registry>(sectionSchemas.hybridRegistry, child(input, "registry")),
    app: valid(sectionSchemas.app, child(input, "app")),
    alerts: mode === "hybrid" ? valid(sectionSchemas.alerts, child(input, "alerts")) : undefined,
  };
}

/**
 * Sections the file has but the view had to leave out because they are invalid: the
 * cross-field rules that need them did not run, and the report says so.
 */
export function skippedSections(input: unknown, view: SemanticView): string[] {
  const skipped: string[] = [];
  const check = (path: string, raw: unknown, parsed: unknown) => {
    if (raw !== undefined && parsed === undefined) skipped.push(path);
  };
  const rawOnprem = child(input, "onprem");
  const sideKeys = [
    "projectId",
    "region",
    "asn",
    "network",
    "cluster",
    "advertisedRanges",
  ] as const;
  if (view.onprem?.mode === "simulated") {
    for (const key of sideKeys)
      check(`onprem.${key}`, child(rawOnprem, key), view.onprem.side[key]);
    check("onprem.registryIp", child(rawOnprem, "registryIp"), view.onprem.registryIp);
  } else if (view.onprem?.mode === "external") {
    for (const key of ["asn", "peerInterfaces", "networkCidrs", "registryIp"] as const) {
      check(`onprem.${key}`, child(rawOnprem, key), view.onprem.site[key]);
    }
  }
  const rawCloud = child(input, "cloud");
  if (view.cloud) {
    for (const key of sideKeys) check(`cloud.${key}`, child(rawCloud, key), view.cloud[key]);
    check("cloud.vpn", child(rawCloud, "vpn"), view.cloud.vpn);
  }
  check("registry", child(input, "registry"), view.registry);
  check("app", child(input, "app"), view.app);
  if (view.mode === "hybrid") check("alerts", child(input, "alerts"), view.alerts);
  return skipped;
}
