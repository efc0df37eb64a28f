/**
 * What a stand-in provider is: its schema plus optional behaviours on decoded values. Every
 * behaviour left out falls back to the generic one below, which is what most resource types
 * need: plans mark computed attributes unknown, applies fill them deterministically, reads
 * return the state as stored.
 *
 * Values are {@link Value}s from ./cty: objects carry every attribute of their block (`null`
 * when unset), and {@link Unknown} stands for "known after apply".
 */
import { createHash } from "node:crypto";
import type { ProviderSchema, ResourceSchema, SchemaBlock } from "../provider-schema";
import {
  DynamicValue,
  impliedType,
  isObjectValue,
  Unknown,
  type ObjectValue,
  type Value,
  type WireType,
} from "./cty";

/** One step of an attribute path: an attribute name, a list index, or a map key. */
export type PathStep = string | number | { readonly key: string };
export type AttributePath = readonly PathStep[];

export interface Diagnostic {
  readonly severity: "error" | "warning";
  readonly summary: string;
  /** @default "" */
  readonly detail?: string;
  /** The attribute the diagnostic is about; Terraform points at it in the configuration. */
  readonly path?: AttributePath;
}

/** Thrown by a behaviour to fail the call with a diagnostic Terraform shows as is. */
export class ProviderError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.summary);
  }
}

export interface PlanRequest {
  readonly typeName: string;
  /** The stored state; `null` when the resource is to be created. */
  readonly prior: ObjectValue | null;
  /**
   * Terraform's proposal: the configuration, with computed attributes the configuration
   * leaves null taken from `prior` (terraform internal/plans/objchange ProposedNew).
   */
  readonly proposed: ObjectValue;
  /** The configuration as written; may hold {@link Unknown}s from references. */
  readonly config: ObjectValue;
}

export interface PlanResult {
  readonly planned: ObjectValue;
  /** Paths whose change forces replacement; Terraform prints `# forces replacement` there. */
  readonly requiresReplace: readonly AttributePath[];
}

export interface ApplyRequest {
  readonly typeName: string;
  readonly prior: ObjectValue | null;
  /** `null` when the resource is being destroyed. */
  readonly planned: ObjectValue | null;
  readonly config: ObjectValue | null;
}

type Maybe<T> = T | Promise<T>;

/**
 * A stand-in provider. Only `schema` is required; `forceNew` feeds the generic plan; any
 * behaviour given replaces the generic one for every type of this provider (call the exported
 * `default*` functions for the types it does not treat specially).
 */
export interface StandInProvider {
  readonly schema: ProviderSchema;
  /**
   * The real provider is built on terraform-plugin-sdk/v2, whose responses carry
   * `legacy_type_system`: Terraform then tolerates what the SDK's type system does (an
   * optional+computed nested block planned unknown when the configuration leaves it out, and
   * kept from the prior state afterwards), which {@link defaultPlan} then does too.
   * @default false (plugin framework: strict)
   */
  readonly legacyTypeSystem?: boolean;
  /**
   * Per resource type, the attribute-name paths whose change forces replacement (e.g.
   * `[["name"], ["node_config", "machine_type"]]`), used by {@link defaultPlan}.
   * @default {}
   */
  readonly forceNew?: Readonly<Record<string, readonly (readonly string[])[]>>;
  configure?(config: ObjectValue): Maybe<void>;
  /** Extra checks beyond the schema (Terraform itself checks names, types, required). */
  validateResource?(typeName: string, config: ObjectValue): Maybe<readonly Diagnostic[]>;
  validateData?(typeName: string, config: ObjectValue): Maybe<readonly Diagnostic[]>;
  plan?(request: PlanRequest): Maybe<PlanResult>;
  /** The new state, wholly known, or `null` after a destroy. */
  apply?(request: ApplyRequest): Maybe<ObjectValue | null>;
  /** The current state; `null` when the object is gone (Terraform plans to recreate it). */
  read?(typeName: string, state: ObjectValue): Maybe<ObjectValue | null>;
  /** A data source's state for a wholly known configuration. */
  readData?(typeName: string, config: ObjectValue): Maybe<ObjectValue>;
  /** The state `terraform import` starts from, before Terraform reads it. */
  importState?(typeName: string, id: string): Maybe<ObjectValue>;
}

// ---- generic behaviour -----------------------------------------------------------------------

export function resourceSchema(provider: StandInProvider, typeName: string): ResourceSchema {
  const schema = provider.schema.resources[typeName];
  if (!schema) throw new Error(`${provider.schema.source} has no resource type ${typeName}`);
  return schema;
}

export function dataSourceSchema(provider: StandInProvider, typeName: string): ResourceSchema {
  const schema = provider.schema.dataSources[typeName];
  if (!schema) throw new Error(`${provider.schema.source} has no data source ${typeName}`);
  return schema;
}

/**
 * Create (or replace): the configuration with every computed attribute it leaves null unknown.
 * Update: Terraform's proposal as is, so computed attributes keep their stored values. A
 * change under a `forceNew` path lists that path and plans like a create.
 */
export function defaultPlan(provider: StandInProvider, request: PlanRequest): PlanResult {
  const { block } = resourceSchema(provider, request.typeName);
  const legacy = provider.legacyTypeSystem === true;
  const fresh = (): ObjectValue =>
    asObject(
      fillComputedNulls(
        block,
        legacy ? withAbsentComputedBlocks(block, request.config, () => Unknown) : request.config,
        () => Unknown,
      ),
    );
  if (request.prior === null) return { planned: fresh(), requiresReplace: [] };
  const type = impliedType(block);
  const prior = request.prior;
  // What the provider proposes to keep: for SDKv2, the stored optional+computed blocks the
  // configuration leaves out; replacements are judged against that, not Terraform's proposal.
  const proposed = legacy
    ? asObject(withAbsentComputedBlocks(block, request.proposed, (name) => prior[name] ?? null))
    : request.proposed;
  const requiresReplace = (provider.forceNew?.[request.typeName] ?? []).flatMap((names) =>
    changedPaths(type, prior, proposed, names, []),
  );
  if (requiresReplace.length) return { planned: fresh(), requiresReplace };
  return { planned: proposed, requiresReplace: [] };
}

/** Whether a nested block reports anything the provider computes. */
function hasComputed(block: SchemaBlock): boolean {
  return (
    block.attributes.some((attribute) => attribute.computed) ||
    block.blockTypes.some((nested) => hasComputed(nested.block))
  );
}

/**
 * SDKv2's optional+computed blocks: a top-level list or set block the configuration leaves
 * empty, whose schema has computed attributes, takes `value(name)` (unknown when planning a
 * create, the stored block when planning an update), as the SDK plans them (it marks such
 * blocks Computed; terraform-plugin-sdk v2 helper/schema/core_schema.go). The block schema
 * cannot say which optional blocks the real provider computes: a block removed from the
 * configuration therefore shows no change in the rehearsal.
 */
function withAbsentComputedBlocks(
  block: SchemaBlock,
  value: Value,
  valueOf: (name: string) => Value,
): Value {
  if (!isObjectValue(value)) return value;
  const out: Record<string, Value> = { ...value };
  for (const nested of block.blockTypes) {
    const current = out[nested.typeName] ?? null;
    const empty = current === null || (Array.isArray(current) && current.length === 0);
    if (
      empty &&
      nested.minItems === 0 &&
      (nested.nesting === "list" || nested.nesting === "set") &&
      hasComputed(nested.block)
    ) {
      const replacement = valueOf(nested.typeName);
      if (replacement !== null) out[nested.typeName] = replacement;
    }
  }
  return out;
}

/**
 * `value` with its write-only attributes null: Terraform refuses a planned or new state that
 * holds one (hashicorp/terraform v1.11.4 internal/lang/ephemeral/validate.go:15-17).
 */
export function withoutWriteOnly(
  provider: StandInProvider,
  typeName: string,
  value: ObjectValue | null,
): ObjectValue | null {
  if (value === null) return null;
  const writeOnly = resourceSchema(provider, typeName).block.attributes.filter(
    (attribute) => attribute.writeOnly === true,
  );
  if (writeOnly.length === 0) return value;
  return { ...value, ...Object.fromEntries(writeOnly.map((attribute) => [attribute.name, null])) };
}

/** Every unknown in the plan filled by {@link placeholder}; a destroy returns `null`. */
export function defaultApply(provider: StandInProvider, request: ApplyRequest): ObjectValue | null {
  if (request.planned === null) return null;
  const type = impliedType(resourceSchema(provider, request.typeName).block);
  const seed = `${request.typeName}:${stableJson(request.planned)}`;
  return asObject(fillUnknowns(type, request.planned, request.typeName, seed, []));
}

/** The configuration with every computed attribute it leaves null filled by {@link placeholder}. */
export function defaultReadData(
  provider: StandInProvider,
  typeName: string,
  config: ObjectValue,
): ObjectValue {
  const { block } = dataSourceSchema(provider, typeName);
  const seed = `${typeName}:${stableJson(config)}`;
  const fields = objectFields(impliedType(block));
  // SDKv2 data sources report their optional+computed blocks (a claim's spec) when the
  // configuration leaves them out.
  const withBlocks =
    provider.legacyTypeSystem === true
      ? withAbsentComputedBlocks(block, config, (name) => {
          const type = fields[name];
          return type === undefined ? null : placeholder(type, typeName, seed, [name]);
        })
      : config;
  return asObject(
    fillComputedNulls(block, withBlocks, (type, path) => placeholder(type, typeName, seed, path)),
  );
}

/** The attribute types of an object type (none for any other type). */
function objectFields(type: WireType): Readonly<Record<string, WireType>> {
  if (!Array.isArray(type)) return {};
  const [kind, inner] = type as readonly [string, unknown];
  return kind === "object" ? (inner as Readonly<Record<string, WireType>>) : {};
}

/** Every attribute null except `id`, nested blocks empty. */
export function defaultImport(
  provider: StandInProvider,
  typeName: string,
  id: string,
): ObjectValue {
  return { ...emptyObject(resourceSchema(provider, typeName).block), id };
}

/**
 * A block's object with nothing set: attributes null, list and set blocks empty, map blocks
 * empty, single blocks null, group blocks an empty object (Terraform never stores null for a
 * group, list, set or map block: terraform internal/configs/configschema/empty_value.go).
 */
export function emptyObject(block: SchemaBlock): ObjectValue {
  const out: Record<string, Value> = {};
  for (const attribute of block.attributes) out[attribute.name] = null;
  for (const nested of block.blockTypes) {
    out[nested.typeName] =
      nested.nesting === "single"
        ? null
        : nested.nesting === "group"
          ? emptyObject(nested.block)
          : nested.nesting === "map"
            ? {}
            : [];
  }
  return out;
}

/**
 * A deterministic made-up value of `type`: `<type name>-<8 hex>` strings (hashed from the
 * resource's known values and the attribute path, so the same configuration gets the same
 * value on every run), 0, false, empty collections except one element for lists and sets of
 * objects, objects of placeholders.
 */
export function placeholder(
  type: WireType,
  typeName: string,
  seed: string,
  path: AttributePath,
): Value {
  if (type === "string") {
    const hash = createHash("sha256")
      .update(`${seed}|${JSON.stringify(path)}`)
      .digest("hex");
    return `${typeName}-${hash.slice(0, 8)}`;
  }
  if (type === "number") return 0;
  if (type === "bool") return false;
  if (type === "dynamic") return null;
  const [kind, inner] = type;
  switch (kind) {
    case "list":
    case "set":
      // A computed list of objects is what an API reports about the object (a cluster's
      // master_auth, a gateway's interfaces, a Service's status): one element, as the real
      // APIs report for the resources here; a stand-in that knows better sets its own.
      return Array.isArray(inner) && inner[0] === "object"
        ? [placeholder(inner, typeName, seed, [...path, 0])]
        : [];
    case "map":
      return {};
    case "tuple":
      return inner.map((element, i) => placeholder(element, typeName, seed, [...path, i]));
    case "object":
      return Object.fromEntries(
        Object.entries(inner).map(([name, attribute]) => [
          name,
          placeholder(attribute, typeName, seed, [...path, name]),
        ]),
      );
  }
}

function asObject(value: Value): ObjectValue {
  if (!isObjectValue(value)) throw new Error("a resource's value must be an object");
  return value;
}

/** `value` (a block's object) with `fill` in every computed attribute that is null. */
function fillComputedNulls(
  block: SchemaBlock,
  value: Value,
  fill: (type: WireType, path: AttributePath) => Value,
  path: AttributePath = [],
): Value {
  if (!isObjectValue(value)) return value;
  const out: Record<string, Value> = { ...value };
  for (const attribute of block.attributes) {
    if (attribute.computed && (out[attribute.name] ?? null) === null) {
      out[attribute.name] = fill(attribute.type, [...path, attribute.name]);
    }
  }
  for (const nested of block.blockTypes) {
    const inner = out[nested.typeName] ?? null;
    const at = [...path, nested.typeName];
    const recurse = (element: Value, step: PathStep | null): Value =>
      fillComputedNulls(nested.block, element, fill, step === null ? at : [...at, step]);
    if (Array.isArray(inner)) {
      out[nested.typeName] = inner.map((element: Value, i: number) => recurse(element, i));
    } else if (nested.nesting === "map" && isObjectValue(inner)) {
      out[nested.typeName] = Object.fromEntries(
        Object.entries(inner).map(([key, element]) => [key, recurse(element, { key })]),
      );
    } else {
      out[nested.typeName] = recurse(inner, null);
    }
  }
  return out;
}

function fillUnknowns(
  type: WireType,
  value: Value,
  typeName: string,
  seed: string,
  path: PathStep[],
): Value {
  if (value === Unknown) return placeholder(type, typeName, seed, path);
  if (value === null || typeof value !== "object") return value;
  if (value instanceof DynamicValue) {
    return new DynamicValue(
      value.type,
      fillUnknowns(value.type, value.value, typeName, seed, path),
    );
  }
  if (typeof type === "string") return value;
  const [kind, inner] = type;
  if (Array.isArray(value)) {
    return value.map((element: Value, i: number) => {
      const elementType = kind === "tuple" ? inner[i] : kind === "object" ? undefined : inner;
      return elementType === undefined
        ? element
        : fillUnknowns(elementType, element, typeName, seed, [...path, i]);
    });
  }
  if (!isObjectValue(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, element]) => {
      const elementType = kind === "object" ? inner[name] : kind === "map" ? inner : undefined;
      return [
        name,
        elementType === undefined
          ? element
          : fillUnknowns(
              elementType,
              element,
              typeName,
              seed,
              kind === "map" ? [...path, { key: name }] : [...path, name],
            ),
      ];
    }),
  );
}

/**
 * The concrete paths under the attribute-name path `names` whose value differs between `prior`
 * and `planned`: list elements and map entries by index and key; a set as a whole, since
 * tfplugin6 paths cannot name a set element (AttributePath.Step has no set selector).
 */
function changedPaths(
  type: WireType,
  prior: Value,
  planned: Value,
  names: readonly string[],
  at: AttributePath,
): AttributePath[] {
  if (names.length === 0 || typeof type === "string") {
    return sameValue(project(prior, names), project(planned, names)) ? [] : [at];
  }
  const [kind, inner] = type;
  const [name = "", ...rest] = names;
  switch (kind) {
    case "object": {
      const attributeType = inner[name];
      if (attributeType === undefined) throw new Error(`forceNew: no attribute ${name}`);
      return changedPaths(attributeType, get(prior, name), get(planned, name), rest, [...at, name]);
    }
    case "list": {
      const length = Math.max(arrayOf(prior).length, arrayOf(planned).length);
      return Array.from({ length }, (_, i) =>
        changedPaths(inner, arrayOf(prior)[i] ?? null, arrayOf(planned)[i] ?? null, names, [
          ...at,
          i,
        ]),
      ).flat();
    }
    case "map": {
      const keys = new Set([...Object.keys(recordOf(prior)), ...Object.keys(recordOf(planned))]);
      return [...keys].flatMap((key) =>
        changedPaths(inner, get(prior, key), get(planned, key), names, [...at, { key }]),
      );
    }
    default:
      return sameValue(project(prior, names), project(planned, names)) ? [] : [at];
  }
}

function get(value: Value, name: string): Value {
  return isObjectValue(value) && Object.prototype.hasOwnProperty.call(value, name)
    ? (value[name] ?? null)
    : null;
}

function arrayOf(value: Value): readonly Value[] {
  return Array.isArray(value) ? value : [];
}

function recordOf(value: Value): ObjectValue {
  return isObjectValue(value) ? value : {};
}

/** `value` reduced to what lies under `names`, through lists, sets and maps. */
function project(value: Value, names: readonly string[]): Value {
  if (names.length === 0 || value === null || value === Unknown) return value;
  if (Array.isArray(value)) return value.map((element: Value) => project(element, names));
  const [name = "", ...rest] = names;
  return project(get(value, name), rest);
}

/** Equal as cty values; sets compare without order (arrays are compared sorted). */
function sameValue(a: Value, b: Value): boolean {
  return stableJson(a, true) === stableJson(b, true);
}

/** A canonical string for a value: sorted keys, unknowns marked, arrays optionally sorted. */
export function stableJson(value: Value, sortArrays = false): string {
  if (value === Unknown) return '"<unknown>"';
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (value instanceof DynamicValue) {
    return `{"dynamic":${JSON.stringify(value.type)},"value":${stableJson(value.value, sortArrays)}}`;
  }
  if (Array.isArray(value)) {
    const elements = value.map((element: Value) => stableJson(element, sortArrays));
    return `[${(sortArrays ? elements.sort() : elements).join(",")}]`;
  }
  const record: ObjectValue = isObjectValue(value) ? value : {};
  return `{${Object.keys(record)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${stableJson(record[key] ?? null, sortArrays)}`)
    .join(",")}}`;
}
