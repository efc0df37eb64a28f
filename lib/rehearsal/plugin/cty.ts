/**
 * Terraform values as the stand-in providers see them, and their wire encodings: cty's msgpack
 * encoding (what tfplugin6 `DynamicValue.msgpack` carries) and cty's JSON encoding (what a
 * stored state's `raw_state.json` holds), both driven by a type, as cty itself does.
 *
 * Sources (zclconf/go-cty at dcb5db6): cty/msgpack/marshal.go, unmarshal.go, unknown.go,
 * dynamic.go; cty/json/value.go and type.go for the JSON side; hashicorp/terraform
 * docs/plugin-protocol/object-wire-format.md for how the protocol uses them.
 */
import { decode, encode, ExtData } from "@msgpack/msgpack";
import type { SchemaBlock } from "../provider-schema";

/**
 * Every cty type a value can have on the wire: the schema's `CtyType` plus tuples, which
 * only appear inside `dynamic` values (a list literal assigned to a `dynamic` attribute).
 */
export type WireType =
  | "string"
  | "number"
  | "bool"
  | "dynamic"
  | readonly ["list" | "set" | "map", WireType]
  | readonly ["object", Readonly<Record<string, WireType>>]
  | readonly ["tuple", readonly WireType[]];

/** A value not known until apply (cty's unknown value; msgpack extension type 0). */
export const Unknown: unique symbol = Symbol("cty.unknown");
export type UnknownValue = typeof Unknown;

/**
 * A value of a `dynamic` attribute, with the concrete type it travels with (cty/msgpack
 * dynamic.go wraps it as `[type JSON as bytes, value]`).
 */
export class DynamicValue {
  constructor(
    readonly type: WireType,
    readonly value: Value,
  ) {}
}

/**
 * A decoded value: `null`, {@link Unknown}, a string, number or boolean, an array (list, set or
 * tuple), a record (map or object; objects always carry every attribute, `null` when unset),
 * or a {@link DynamicValue}.
 */
export type Value =
  null | UnknownValue | string | number | boolean | readonly Value[] | ObjectValue | DynamicValue;

export interface ObjectValue {
  readonly [name: string]: Value;
}

export function isObjectValue(value: Value): value is ObjectValue {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof DynamicValue)
  );
}

/**
 * The object type Terraform decodes a block into (terraform internal/configs/configschema
 * implied_type.go, via hcldec's specs): attributes by their type, nested blocks as an object
 * (single, group), or a list, set or map of objects. hcldec's BlockListSpec and BlockMapSpec
 * fall back to `dynamic` when the element type contains `dynamic` (hcl/v2 hcldec/spec.go).
 */
export function impliedType(block: SchemaBlock): WireType {
  const attributes: Record<string, WireType> = {};
  for (const attribute of block.attributes) attributes[attribute.name] = attribute.type;
  for (const nested of block.blockTypes) {
    const element = impliedType(nested.block);
    switch (nested.nesting) {
      case "single":
      case "group":
        attributes[nested.typeName] = element;
        break;
      case "set":
        attributes[nested.typeName] = ["set", element];
        break;
      case "list":
      case "map":
        attributes[nested.typeName] = containsDynamic(element)
          ? "dynamic"
          : [nested.nesting, element];
        break;
    }
  }
  return ["object", attributes];
}

function containsDynamic(type: WireType): boolean {
  if (type === "dynamic") return true;
  if (typeof type === "string") return false;
  if (type[0] === "object") return Object.values(type[1]).some(containsDynamic);
  if (type[0] === "tuple") return type[1].some(containsDynamic);
  return containsDynamic(type[1]);
}

// ---- msgpack ---------------------------------------------------------------------------------

/** cty's "wholly unknown" encoding: fixext1, type 0, one zero byte (cty/msgpack unknown.go). */
const UNKNOWN_EXT = new ExtData(0, new Uint8Array([0]));

/** Encode `value` as cty's msgpack encoding of type `type`. */
export function toMsgpack(type: WireType, value: Value): Uint8Array {
  return encode(toWire(type, value, []));
}

/** Decode cty's msgpack encoding of a value of type `type`. */
export function fromMsgpack(type: WireType, bytes: Uint8Array): Value {
  return fromWire(type, decode(bytes), []);
}

function fail(path: readonly (string | number)[], message: string): never {
  throw new Error(`${path.length ? path.join(".") : "(root)"}: ${message}`);
}

/** The msgpack-ready tree (numbers, strings, arrays, records, ExtData, Uint8Array). */
type Wire = null | string | number | boolean | ExtData | Uint8Array | Wire[] | WireRecord;
interface WireRecord {
  [key: string]: Wire;
}

function toWire(type: WireType, value: Value, path: (string | number)[]): Wire {
  if (type === "dynamic" && value !== Unknown && value !== null) {
    // cty/msgpack marshal.go marshalDynamic: [type JSON as msgpack bin, value].
    const dynamic = value instanceof DynamicValue ? value : inferDynamic(value);
    return [
      new TextEncoder().encode(JSON.stringify(dynamic.type)),
      toWire(dynamic.type, dynamic.value, path),
    ];
  }
  if (value === Unknown) return UNKNOWN_EXT;
  if (value === null) return null;
  if (value instanceof DynamicValue) return fail(path, "a dynamic value for a typed attribute");
  if (type === "string") {
    if (typeof value !== "string") return fail(path, `string expected, got ${typeof value}`);
    return value;
  }
  if (type === "number") {
    // msgpack int when exact, float64 otherwise (marshal.go; @msgpack/msgpack encodes safe
    // integers as ints and other numbers as float64).
    if (typeof value !== "number") return fail(path, `number expected, got ${typeof value}`);
    return value;
  }
  if (type === "bool") {
    if (typeof value !== "boolean") return fail(path, `bool expected, got ${typeof value}`);
    return value;
  }
  if (type === "dynamic") return fail(path, "unreachable");
  const [kind, inner] = type;
  switch (kind) {
    case "list":
    case "set": {
      if (!Array.isArray(value)) return fail(path, `${kind} expected`);
      return value.map((element: Value, i: number) => toWire(inner, element, [...path, i]));
    }
    case "tuple": {
      if (!Array.isArray(value) || value.length !== inner.length) {
        return fail(path, `tuple of ${inner.length} expected`);
      }
      return value.map((element: Value, i: number) => {
        const elementType = inner[i];
        if (elementType === undefined) return fail(path, "tuple too long");
        return toWire(elementType, element, [...path, i]);
      });
    }
    case "map": {
      if (!isObjectValue(value)) return fail(path, "map expected");
      const out: WireRecord = {};
      for (const key of Object.keys(value).sort()) {
        out[key] = toWire(inner, valueAt(value, key), [...path, key]);
      }
      return out;
    }
    case "object": {
      if (!isObjectValue(value)) return fail(path, "object expected");
      const out: WireRecord = {};
      // Every attribute, in sorted order (marshal.go sorts names; a missing one is null).
      for (const name of Object.keys(inner).sort()) {
        out[name] = toWire(attributeType(inner, name), valueAt(value, name), [...path, name]);
      }
      for (const name of Object.keys(value)) {
        if (!(name in inner)) fail([...path, name], "attribute not in the type");
      }
      return out;
    }
  }
}

function valueAt(record: ObjectValue, key: string): Value {
  return Object.prototype.hasOwnProperty.call(record, key) ? (record[key] ?? null) : null;
}

function attributeType(attributes: Readonly<Record<string, WireType>>, name: string): WireType {
  const type = attributes[name];
  if (type === undefined) throw new Error(`no attribute ${name}`);
  return type;
}

/** The type cty would give a literal: arrays are tuples, records objects. */
function inferDynamic(value: Value): DynamicValue {
  return new DynamicValue(inferType(value), value);
}

function inferType(value: Value): WireType {
  if (value instanceof DynamicValue) return value.type;
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "bool";
  if (value === null || value === Unknown) return "dynamic";
  if (Array.isArray(value)) return ["tuple", value.map(inferType)];
  const attributes: Record<string, WireType> = {};
  if (isObjectValue(value)) {
    for (const [name, attribute] of Object.entries(value)) attributes[name] = inferType(attribute);
  }
  return ["object", attributes];
}

function fromWire(type: WireType, wire: unknown, path: (string | number)[]): Value {
  // Any extension is an unknown value; type 0x0c carries refinements (not-null, string prefix,
  // bounds) that a stand-in ignores (cty/msgpack unknown.go unmarshalUnknownValue).
  if (wire instanceof ExtData) return Unknown;
  if (type === "dynamic") {
    if (wire === null) return null;
    if (!Array.isArray(wire) || wire.length !== 2) return fail(path, "dynamic [type, value]");
    const [typeBytes, inner] = wire as unknown[];
    if (!(typeBytes instanceof Uint8Array)) return fail(path, "dynamic type must be bytes");
    const concrete = parseType(JSON.parse(new TextDecoder().decode(typeBytes)));
    return new DynamicValue(concrete, fromWire(concrete, inner, path));
  }
  if (wire === null || wire === undefined) return null;
  if (type === "string") {
    if (typeof wire !== "string") return fail(path, "string expected");
    return wire;
  }
  if (type === "number") {
    // Ints, floats, or a decimal string for numbers neither can hold (unmarshal.go).
    if (typeof wire === "number") return wire;
    if (typeof wire === "string" && wire.trim() !== "" && Number.isFinite(Number(wire))) {
      return Number(wire);
    }
    if (typeof wire === "bigint") return Number(wire);
    return fail(path, "number expected");
  }
  if (type === "bool") {
    if (typeof wire !== "boolean") return fail(path, "bool expected");
    return wire;
  }
  const [kind, inner] = type;
  switch (kind) {
    case "list":
    case "set":
      if (!Array.isArray(wire)) return fail(path, `${kind} expected`);
      return wire.map((element: unknown, i: number) => fromWire(inner, element, [...path, i]));
    case "tuple":
      if (!Array.isArray(wire) || wire.length !== inner.length) return fail(path, "tuple");
      return wire.map((element: unknown, i: number) => {
        const elementType = inner[i];
        if (elementType === undefined) return fail(path, "tuple too long");
        return fromWire(elementType, element, [...path, i]);
      });
    case "map":
      if (!isRecord(wire)) return fail(path, "map expected");
      return Object.fromEntries(
        Object.entries(wire).map(([key, element]) => [
          key,
          fromWire(inner, element, [...path, key]),
        ]),
      );
    case "object": {
      if (!isRecord(wire)) return fail(path, "object expected");
      const out: Record<string, Value> = {};
      for (const name of Object.keys(inner)) {
        const element = Object.prototype.hasOwnProperty.call(wire, name) ? wire[name] : null;
        out[name] = fromWire(attributeType(inner, name), element, [...path, name]);
      }
      return out;
    }
  }
}

function isRecord(wire: unknown): wire is Record<string, unknown> {
  return (
    typeof wire === "object" &&
    wire !== null &&
    !Array.isArray(wire) &&
    !(wire instanceof Uint8Array) &&
    !(wire instanceof ExtData)
  );
}

/**
 * A cty type from its JSON encoding (cty/json type.go). Object types with optional attributes
 * (a third element) are type constraints, never value types, so they are refused here.
 */
export function parseType(json: unknown): WireType {
  if (json === "string" || json === "number" || json === "bool" || json === "dynamic") {
    return json;
  }
  if (Array.isArray(json) && json.length === 2) {
    const [kind, inner] = json as unknown[];
    if (kind === "list" || kind === "set" || kind === "map") return [kind, parseType(inner)];
    if (kind === "tuple" && Array.isArray(inner)) return ["tuple", inner.map(parseType)];
    if (kind === "object" && isRecord(inner)) {
      const attributes: Record<string, WireType> = {};
      for (const [name, attribute] of Object.entries(inner)) {
        attributes[name] = parseType(attribute);
      }
      return ["object", attributes];
    }
  }
  throw new Error(`not a cty type: ${JSON.stringify(json)}`);
}

// ---- JSON (stored state) ---------------------------------------------------------------------

/**
 * A value from cty's JSON encoding (cty/json value.go): what Terraform stores in the state and
 * sends back in `UpgradeResourceState.raw_state.json`. `dynamic` values are
 * `{"value": ..., "type": ...}`. Attributes the type lacks are dropped and missing ones are
 * null, which is what an upgrade to the current schema needs.
 */
export function fromJson(type: WireType, json: unknown): Value {
  if (json === null || json === undefined) return null;
  if (type === "dynamic") {
    if (!isRecord(json)) throw new Error("dynamic JSON must be {value, type}");
    const concrete = parseType(json.type);
    return new DynamicValue(concrete, fromJson(concrete, json.value));
  }
  if (type === "string") {
    if (typeof json === "string") return json;
    // cty's JSON decoder converts a number or bool to a string attribute (value.go).
    if (typeof json === "number" || typeof json === "boolean") return String(json);
    throw new Error("string expected");
  }
  if (type === "number") {
    const number = typeof json === "string" ? Number(json) : json;
    if (typeof number !== "number" || !Number.isFinite(number)) throw new Error("number expected");
    return number;
  }
  if (type === "bool") {
    if (typeof json === "boolean") return json;
    if (json === "true" || json === "false") return json === "true";
    throw new Error("bool expected");
  }
  const [kind, inner] = type;
  switch (kind) {
    case "list":
    case "set":
      if (!Array.isArray(json)) throw new Error(`${kind} expected`);
      return json.map((element: unknown) => fromJson(inner, element));
    case "tuple":
      if (!Array.isArray(json)) throw new Error("tuple expected");
      return inner.map((elementType, i) => fromJson(elementType, json[i]));
    case "map":
      if (!isRecord(json)) throw new Error("map expected");
      return Object.fromEntries(
        Object.entries(json).map(([key, element]) => [key, fromJson(inner, element)]),
      );
    case "object": {
      if (!isRecord(json)) throw new Error("object expected");
      const out: Record<string, Value> = {};
      for (const name of Object.keys(inner)) {
        out[name] = fromJson(attributeType(inner, name), json[name]);
      }
      return out;
    }
  }
}
