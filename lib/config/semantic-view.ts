import type { z } from "zod";
import { sectionSchemas } from "./schema";
import { SIDE_NAME } from "./sides/schema";

type Network = z.output<typeof sectionSchemas.network>;
type Cluster = z.output<typeof sectionSchemas.cluster>;
type Vpn = z.output<typeof sectionSchemas.vpn>;
type Registry =
  | z.output<typeof sectionSchemas.hybridRegistry>
  | z.output<typeof sectionSchemas.standaloneRegistry>;
type App = z.output<typeof sectionSchemas.app>;
type Alerts = z.output<typeof sectionSchemas.alerts>;
type ArtifactRegistry = z.output<typeof sectionSchemas.artifactRegistry>;
type Backend = z.output<typeof sectionSchemas.backend>;

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
  /** `environment`, when set and valid. */
  readonly environment?: string;
  /** The backend section as the file gives it (locations not yet decided). */
  readonly backend?: Backend;
}

function child(value: unknown, key: string): unknown {
  return value !== null && typeof value === "object"
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** How many rounds of leaving out invalid settings a section gets before it is skipped. */
const MAX_REPAIR_ROUNDS = 8;

/**
 * Parses the view's parts. Strict, a part is valid as a whole or left out. Repairing, a
 * section (an object) that fails is parsed again without its invalid settings, which then take
 * their defaults, so that rules about its other settings still run; the left-out settings'
 * paths are recorded, and what rules say about them is not to be trusted (see
 * `repairedSemanticView`).
 */
class ViewParser {
  public readonly repaired: string[] = [];

  constructor(private readonly repair: boolean) {}

  /** The part parsed with its own schema and defaults, or undefined when it is not valid. */
  valid<T>(schema: z.ZodType<T>, value: unknown, path: string): T | undefined {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    if (!this.repair || !isPlainObject(value)) return undefined;
    let attempt: Record<string, unknown> = { ...value };
    const removed: string[] = [];
    let issues = parsed.error.issues;
    for (let round = 0; round < MAX_REPAIR_ROUNDS; round++) {
      const keys = [...new Set(issues.map((issue) => issue.path[0]))];
      // An issue about the section itself (a missing required key, an unknown key) cannot
      // be repaired by leaving a setting out.
      if (keys.some((key) => typeof key !== "string" || !(key in attempt))) return undefined;
      attempt = Object.fromEntries(Object.entries(attempt).filter(([key]) => !keys.includes(key)));
      removed.push(...(keys as string[]));
      const again = schema.safeParse(attempt);
      if (again.success) {
        this.repaired.push(...removed.map((key) => `${path}.${key}`));
        return again.data;
      }
      issues = again.error.issues;
    }
    return undefined;
  }

  gcpSide(raw: unknown, path: string): GcpSideView {
    return {
      projectId: this.valid(sectionSchemas.projectId, child(raw, "projectId"), `${path}.projectId`),
      region: this.valid(sectionSchemas.region, child(raw, "region"), `${path}.region`),
      asn: this.valid(sectionSchemas.asn, child(raw, "asn"), `${path}.asn`),
      network: this.valid(sectionSchemas.network, child(raw, "network"), `${path}.network`),
      cluster: this.valid(sectionSchemas.cluster, child(raw, "cluster"), `${path}.cluster`),
      advertisedRanges: this.valid(
        sectionSchemas.cidrList,
        child(raw, "advertisedRanges"),
        `${path}.advertisedRanges`,
      ),
    };
  }

  applicationSide(
    name: string,
    path: string,
    raw: unknown,
    app: { readonly value?: App; readonly path: string },
  ): ApplicationSideView {
    return {
      ...this.gcpSide(raw, path),
      name,
      path,
      vpn: this.valid(sectionSchemas.vpn, child(raw, "vpn"), `${path}.vpn`),
      artifactRegistry: this.valid(
        sectionSchemas.artifactRegistry,
        child(raw, "artifactRegistry"),
        `${path}.artifactRegistry`,
      ),
      app: app.value,
      appPath: app.path,
    };
  }

  applicationSides(input: unknown, topApp: App | undefined): ApplicationSideView[] {
    const rawCloud = child(input, "cloud");
    const rawSides = child(input, "sides");
    const sides: ApplicationSideView[] = [];
    if (rawCloud !== undefined) {
      sides.push(this.applicationSide("cloud", "cloud", rawCloud, { value: topApp, path: "app" }));
    }
    if (isPlainObject(rawSides)) {
      for (const [name, raw] of Object.entries(rawSides)) {
        if (!SIDE_NAME.test(name)) continue;
        const rawApp = child(raw, "app");
        const appPath = `sides.${name}.app`;
        sides.push(
          this.applicationSide(
            name,
            `sides.${name}`,
            raw,
            rawApp === undefined
              ? { value: topApp, path: "app" }
              : { value: this.valid(sectionSchemas.app, rawApp, appPath), path: appPath },
          ),
        );
      }
    }
    return sides;
  }
}

/** Build the view from raw YAML input (the schema need not pass). */
export function semanticView(input: unknown): SemanticView {
  return buildView(input, new ViewParser(false));
}

/**
 * The view with invalid settings of a section left out (they take their defaults), and the
 * paths of those settings: rules about the section's other settings run, which the strict view
 * skips. Only problems inside a repaired section, and about none of the left-out settings,
 * come from it (load.ts).
 */
export function repairedSemanticView(input: unknown): {
  readonly view: SemanticView;
  readonly repaired: readonly string[];
} {
  const parser = new ViewParser(true);
  const view = buildView(input, parser);
  return { view, repaired: parser.repaired };
}

function buildView(input: unknown, parser: ViewParser): SemanticView {
  const valid = <T>(schema: z.ZodType<T>, value: unknown, path: string) =>
    parser.valid(schema, value, path);
  const modeValue = child(input, "mode");
  const mode = modeValue === "hybrid" || modeValue === "standalone" ? modeValue : undefined;
  const rawOnprem = child(input, "onprem");
  const onpremMode = child(rawOnprem, "mode");
  const app = valid(sectionSchemas.app, child(input, "app"), "app");
  return {
    mode,
    onprem:
      onpremMode === "simulated"
        ? {
            mode: "simulated",
            side: parser.gcpSide(rawOnprem, "onprem"),
            registryIp: valid(
              sectionSchemas.ipv4,
              child(rawOnprem, "registryIp"),
              "onprem.registryIp",
            ),
          }
        : onpremMode === "external"
          ? {
              mode: "external",
              site: {
                asn: valid(sectionSchemas.asn, child(rawOnprem, "asn"), "onprem.asn"),
                peerInterfaces: valid(
                  sectionSchemas.ipList,
                  child(rawOnprem, "peerInterfaces"),
                  "onprem.peerInterfaces",
                ),
                networkCidrs: valid(
                  sectionSchemas.cidrList,
                  child(rawOnprem, "networkCidrs"),
                  "onprem.networkCidrs",
                ),
                registryIp: valid(
                  sectionSchemas.ipv4,
                  child(rawOnprem, "registryIp"),
                  "onprem.registryIp",
                ),
                keyStoreProjectId: valid(
                  sectionSchemas.projectId,
                  child(rawOnprem, "keyStoreProjectId"),
                  "onprem.keyStoreProjectId",
                ),
              },
            }
          : undefined,
    applicationRanges: valid(
      sectionSchemas.cidrList,
      child(rawOnprem, "applicationRanges"),
      "onprem.applicationRanges",
    ),
    declares: {
      cloud: child(input, "cloud") !== undefined,
      sides: child(input, "sides") !== undefined,
    },
    sides: mode === "hybrid" ? parser.applicationSides(input, app) : [],
    registry:
      mode === "standalone"
        ? valid<Registry>(sectionSchemas.standaloneRegistry, child(input, "registry"), "registry")
        : valid<Registry>(sectionSchemas.hybridRegistry, child(input, "registry"), "registry"),
    app,
    alerts:
      mode === "hybrid"
        ? valid(sectionSchemas.alerts, child(input, "alerts"), "alerts")
        : undefined,
    environment: valid(sectionSchemas.environment, child(input, "environment"), "environment"),
    backend: valid(sectionSchemas.backend, child(input, "backend"), "backend"),
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
