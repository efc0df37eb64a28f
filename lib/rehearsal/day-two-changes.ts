/**
 * The routine changes the rehearsal applies one at a time after the first deployment, each a
 * patch of the environment file as a user would edit it (or, for a certificate renewal, time
 * passing). None may replace or destroy a stateful resource, and each replaces only the
 * resource types it names.
 */

type Json = Record<string, unknown>;

/** A day-2 change: what a user edits, and when it applies to an environment. */
export interface DayTwoChange {
  readonly id: string;
  readonly description: string;
  /** The edited environment file, or undefined when the change does not apply to it. */
  readonly patch: (environment: Json) => Json | undefined;
  /**
   * Hours the stand-in providers' clock moves forward before planning (a certificate inside
   * its renewal window). @default 0
   */
  readonly clockAdvanceHours?: (environment: Json) => number;
  /** The resource types the change is expected to replace; any other replacement fails. @default none */
  readonly replaces?: readonly string[];
}

function objectAt(value: unknown): Json | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

/** A deep copy with `value` set at `path` (objects created on the way). */
export function withSetting(environment: Json, path: readonly string[], value: unknown): Json {
  const copy = structuredClone(environment);
  let node = copy;
  for (const key of path.slice(0, -1)) {
    const next = objectAt(node[key]) ?? {};
    node[key] = next;
    node = next;
  }
  node[path[path.length - 1]] = value;
  return copy;
}

/** The value at `path`, if every step is an object. */
export function settingAt(environment: Json, path: readonly string[]): unknown {
  let node: unknown = environment;
  for (const key of path) {
    const object = objectAt(node);
    if (!object) return undefined;
    node = object[key];
  }
  return node;
}

const isHybrid = (environment: Json) => environment.mode !== "standalone";

/** The registry image moved to another tag, as an upgrade does. */
const imageBump: DayTwoChange = {
  id: "registry-image",
  description: "registry.image moved to another tag",
  patch: (environment) => {
    const image = settingAt(environment, ["registry", "image"]);
    const current = typeof image === "string" ? image : "registry:3.1.1";
    return withSetting(environment, ["registry", "image"], `${current}-rehearsal`);
  },
};

/** Time passes into the server certificate's renewal window: the certificate is re-issued. */
const certificateRenewal: DayTwoChange = {
  id: "certificate-renewal",
  description: "time passes into the server certificate's renewal window",
  // Every mode issues the registry's server certificate with the tls provider.
  patch: (environment) => structuredClone(environment),
  // Inside the window tls plans ready_for_renewal true, which forces a new certificate
  // (terraform-provider-tls v4.1.0 internal/provider/common_cert.go:299 ModifyPlan).
  replaces: ["tls_locally_signed_cert"],
  clockAdvanceHours: (environment) => {
    const validity = settingAt(environment, ["registry", "pki", "serverValidityDays"]);
    const early = settingAt(environment, ["registry", "pki", "earlyRenewalDays"]);
    const validityDays = typeof validity === "number" ? validity : 365;
    const earlyDays = typeof early === "number" ? early : 30;
    return (validityDays - earlyDays + 1) * 24;
  },
};

/** One more node per zone in the registry's cluster. */
const nodeCount: DayTwoChange = {
  id: "node-count",
  description: "onprem.cluster.nodePool.nodeCount + 1",
  patch: (environment) => {
    if (!isHybrid(environment)) return undefined;
    if (settingAt(environment, ["onprem", "mode"]) === "external") return undefined;
    if (settingAt(environment, ["onprem", "cluster", "nodePool", "autoscaling"]) !== undefined)
      return undefined;
    const count = settingAt(environment, ["onprem", "cluster", "nodePool", "nodeCount"]);
    return withSetting(
      environment,
      ["onprem", "cluster", "nodePool", "nodeCount"],
      (typeof count === "number" ? count : 1) + 1,
    );
  },
};

/** The pull-through cache keeps content longer. */
const cacheTtl: DayTwoChange = {
  id: "cache-ttl",
  description: "app.pullThroughCache.ttl changed",
  patch: (environment) => {
    if (settingAt(environment, ["app", "pullThroughCache", "enabled"]) !== true) return undefined;
    const ttl = settingAt(environment, ["app", "pullThroughCache", "ttl"]);
    return withSetting(
      environment,
      ["app", "pullThroughCache", "ttl"],
      ttl === "336h" ? "504h" : "336h",
    );
  },
};

/** Another address receives the alerts. */
const alertChannel: DayTwoChange = {
  id: "alert-channel",
  description: "alerts.emails gains an address",
  patch: (environment) => {
    if (settingAt(environment, ["alerts", "enabled"]) !== true) return undefined;
    const emails = settingAt(environment, ["alerts", "emails"]);
    const list = Array.isArray(emails) ? emails : [];
    return withSetting(environment, ["alerts", "emails"], [...list, "rehearsal@example.com"]);
  },
};

/** Every routine change, in the order the rehearsal applies them. */
export const DAY_TWO_CHANGES: readonly DayTwoChange[] = [
  imageBump,
  certificateRenewal,
  nodeCount,
  cacheTtl,
  alertChannel,
];

/**
 * The environment without one of its sides (the last one that does not watch the registry:
 * `alerts.side` has to move before its side can go), and that side's name.
 */
export function withoutOneSide(
  environment: Json,
): { readonly environment: Json; readonly side: string } | undefined {
  const sides = objectAt(environment.sides);
  const watching = settingAt(environment, ["alerts", "side"]);
  const names = sides ? Object.keys(sides) : [];
  const side = names.filter((name) => name !== watching).pop();
  if (names.length < 2 || side === undefined) return undefined;
  const copy = structuredClone(environment);
  const copiedSides = objectAt(copy.sides) ?? {};
  delete copiedSides[side];
  return { environment: copy, side };
}

/**
 * The edits the README's "Destroying" asks for before a destroy: GKE deletion protection off
 * (deployed first) and the registry claim's prevent_destroy off.
 */
export function preparedForDestroy(environment: Json): Json {
  let copy = structuredClone(environment);
  const clusters: string[][] = [];
  if (objectAt(settingAt(copy, ["onprem", "cluster"]))) clusters.push(["onprem", "cluster"]);
  if (objectAt(settingAt(copy, ["cloud", "cluster"]))) clusters.push(["cloud", "cluster"]);
  for (const side of Object.keys(objectAt(copy.sides) ?? {})) {
    if (objectAt(settingAt(copy, ["sides", side, "cluster"]))) {
      clusters.push(["sides", side, "cluster"]);
    }
  }
  for (const cluster of clusters)
    copy = withSetting(copy, [...cluster, "deletionProtection"], false);
  const storage = objectAt(settingAt(copy, ["registry", "storage"]));
  if (!storage) {
    copy = withSetting(copy, ["registry", "storage"], { type: "pvc", preventDestroy: false });
  } else if (storage.type === undefined || storage.type === "pvc" || storage.type === "gcs") {
    copy = withSetting(copy, ["registry", "storage", "preventDestroy"], false);
  }
  return copy;
}
