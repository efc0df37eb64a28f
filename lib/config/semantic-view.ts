import type { z } from "zod";
import { SIDE_NAME, sectionSchemas } from "./schema";

type Network = z.output<typeof sectionSchemas.network>;
type Cluster = z.output<typeof sectionSchemas.cluster>;
type Vpn = z.output<typeof sectionSchemas.vpn>;
type Registry =
  | z.output<typeof sectionSchemas.hybridRegistry>
  | z.output<typeof sectionSchemas.standaloneRegistry>;
type App = z.output<typeof sectionSchemas.app>;
type Alerts = z.output<typeof sectionSchemas.alerts>;
type ArtifactRegistry = z.output<typeof sectionSchemas.artifactRegistry>;

/** One GCP side, each part present only when it is valid on its own. */
export interface GcpSideView {
  readonly projectId?: string;
  readonly region?: string;
  readonly asn?: number;
  readonly network?: Network;
  readonly cluster?: Cluster;
  readonly advertisedRanges?: string[];
}

/** One application side (`cloud`, or an entry of `sides`). */
export interface ApplicationSideView extends GcpSideView {
  /** `cloud`, or the key under `sides`. */
  readonly name: string;
  /** `cloud` or `sides.<name>`: the prefix of its fields' paths. */
  readonly path: string;
  readonly vpn?: Vpn;
  readonly artifactRegistry?: ArtifactRegistry;
  /** The side's own app section, or the top-level one. */
  readonly app?: App;
  /** Where its app section is: `app` or `sides.<name>.app`. */
  readonly appPath: string;
}

/** A real on-prem site (external mode). */
export interface ExternalSiteView {
  readonly asn?: number;
  readonly peerInterfaces?: string[];
  readonly networkCidrs?: string[];
  readonly registryIp?: string;
  readonly keyStoreProjectId?: string;
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
  /** `onprem.applicationRanges`, when valid. */
  readonly applicationRanges?: string[];
  /** Which forms the file uses: `cloud` (one side), `sides` (several), both or neither. */
  readonly declares: { readonly cloud: boolean; readonly sides: boolean };
  /** The application sides whose names are valid, in file order. */
  readonly sides: readonly ApplicationSideView[];
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

function applicationSide(
  name: string,
  path: string,
  raw: unknown,
  app: { readonly value?: App; readonly path: string },
): ApplicationSideView {
  return {
    ...gcpSide(raw),
    name,
    path,
    vpn: valid(sectionSchemas.vpn, child(raw, "vpn")),
    artifactRegistry: valid(sectionSchemas.artifactRegistry, child(raw, "artifactRegistry")),
    app: app.value,
    appPath: app.path,
  };
}

function applicationSides(input: unknown, topApp: App | undefined): ApplicationSideView[] {
  const rawCloud = child(input, "cloud");
  const rawSides = child(input, "sides");
  const sides: ApplicationSideView[] = [];
  if (rawCloud !== undefined) {
    sides.push(applicationSide("cloud", "cloud", rawCloud, { value: topApp, path: "app" }));
  }
  if (rawSides !== null && typeof rawSides === "object" && !Array.isArray(rawSides)) {
    for (const [name, raw] of Object.entries(rawSides)) {
      if (!SIDE_NAME.test(name)) continue;
      const rawApp = child(raw, "app");
      sides.push(
        applicationSide(
          name,
          `sides.${name}`,
          raw,
          rawApp === undefined
            ? { value: topApp, path: "app" }
            : { value: valid(sectionSchemas.app, rawApp), path: `sides.${name}.app` },
        ),
      );
    }
  }
  return sides;
}

/** Build the view from raw YAML input (the schema need not pass). */
export function semanticView(input: unknown): SemanticView {
  const modeValue = child(input, "mode");
  const mode = modeValue === "hybrid" || modeValue === "standalone" ? modeValue : undefined;
  const rawOnprem = child(input, "onprem");
  const onpremMode = child(rawOnprem, "mode");
  const app = valid(sectionSchemas.app, child(input, "app"));
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
                keyStoreProjectId: valid(
                  sectionSchemas.projectId,
                  child(rawOnprem, "keyStoreProjectId"),
                ),
              },
            }
          : undefined,
    applicationRanges: valid(sectionSchemas.cidrList, child(rawOnprem, "applicationRanges")),
    declares: {
      cloud: child(input, "cloud") !== undefined,
      sides: child(input, "sides") !== undefined,
    },
    sides: mode === "hybrid" ? applicationSides(input, app) : [],
    registry:
      mode === "standalone"
        ? valid<Registry>(sectionSchemas.standaloneRegistry, child(input, "registry"))
        : valid<Registry>(sectionSchemas.hybridRegistry, child(input, "registry")),
    app,
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
    for (const key of [
      "asn",
      "peerInterfaces",
      "networkCidrs",
      "registryIp",
      "keyStoreProjectId",
    ] as const) {
      check(`onprem.${key}`, child(rawOnprem, key), view.onprem.site[key]);
    }
  }
  check("onprem.applicationRanges", child(rawOnprem, "applicationRanges"), view.applicationRanges);
  for (const side of view.sides) {
    const raw =
      side.path === "cloud" ? child(input, "cloud") : child(child(input, "sides"), side.name);
    for (const key of sideKeys) check(`${side.path}.${key}`, child(raw, key), side[key]);
    check(`${side.path}.vpn`, child(raw, "vpn"), side.vpn);
    if (side.appPath !== "app") check(side.appPath, child(raw, "app"), side.app);
  }
  check("registry", child(input, "registry"), view.registry);
  check("app", child(input, "app"), view.app);
  if (view.mode === "hybrid") check("alerts", child(input, "alerts"), view.alerts);
  return skipped;
}
