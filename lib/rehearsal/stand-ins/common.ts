/**
 * What every stand-in provider shares: its schema generated from the pinned bindings, the
 * replacements the real provider forces (from the cited table), and the rehearsal's clock.
 */
import { providerSchema, type BindingProviderName } from "../binding-schema";
import { CLOCK_OFFSET_ENV } from "../commands";
import { isObjectValue, type ObjectValue, type Value, type WireType } from "../plugin/cty";
import type { StandInProvider } from "../plugin/provider";
import { REPLACEMENT_TABLE } from "../replacement-table";

/**
 * The attribute paths whose change replaces a resource of each type this provider has, from
 * the replacement table. Left out: rules whose condition the generic plan cannot evaluate
 * (`conditional`, e.g. a claim that only grows) and ForceNew on a whole nested block, which
 * replaces only when the block is added or removed (`blockPresenceOnly`); a stand-in that
 * needs one models it in its own plan.
 */
export function forceNewOf(
  resourceTypes: readonly string[],
): Readonly<Record<string, readonly (readonly string[])[]>> {
  const out: Record<string, (readonly string[])[]> = {};
  for (const type of resourceTypes) {
    const entry = REPLACEMENT_TABLE[type];
    if (!entry) continue;
    out[type] = entry.forcesReplacement
      .filter((rule) => rule.conditional !== true && rule.blockPresenceOnly !== true)
      .map((rule) => rule.path);
  }
  return out;
}

/** A provider with the generic behaviour and `overrides`. */
export function standIn(
  name: BindingProviderName,
  overrides: Omit<StandInProvider, "schema" | "forceNew"> = {},
): StandInProvider {
  const schema = providerSchema(name);
  return { schema, forceNew: forceNewOf(Object.keys(schema.resources)), ...overrides };
}

/** The rehearsal's now: the real clock moved by the offset a day-2 change asks for. */
export function rehearsalNow(): Date {
  const hours = Number(process.env[CLOCK_OFFSET_ENV] ?? "0");
  return new Date(Date.now() + (Number.isFinite(hours) ? hours : 0) * 3600 * 1000);
}

/** The first object of a list block (`metadata`, `spec`, `subject`), if there is one. */
export function firstBlock(value: Value | undefined): ObjectValue | undefined {
  if (!Array.isArray(value)) return undefined;
  const [element] = value as readonly Value[];
  return element !== undefined && isObjectValue(element) ? element : undefined;
}

/** A value of `type` with nothing in it: objects with every attribute null, empty collections. */
export function emptyOf(type: WireType): Value {
  if (Array.isArray(type)) {
    const [kind, inner] = type as readonly [string, unknown];
    if (kind === "object") {
      const out: Record<string, Value> = {};
      for (const name of Object.keys(inner as Record<string, WireType>)) out[name] = null;
      return out;
    }
    return kind === "map" ? {} : [];
  }
  return null;
}

/**
 * `value` (of `type`) with `leaf` at `path`: attribute names step into objects, 0 into the
 * first element of a list or set (created empty when missing). Used to give a computed
 * attribute the value the real API would report (a load balancer's address, a disk handle).
 */
export function withValueAt(
  type: WireType,
  value: Value,
  path: readonly (string | number)[],
  leaf: Value,
): Value {
  if (path.length === 0) return leaf;
  const [step, ...rest] = path;
  if (!Array.isArray(type)) throw new Error(`cannot step into ${String(type)} at ${String(step)}`);
  const [kind, inner] = type as readonly [string, unknown];
  if (kind === "object" && typeof step === "string") {
    const fields = inner as Readonly<Record<string, WireType>>;
    const fieldType = fields[step];
    if (fieldType === undefined) throw new Error(`no attribute ${step}`);
    const current = isObjectValue(value) ? value : (emptyOf(type) as ObjectValue);
    return { ...current, [step]: withValueAt(fieldType, current[step] ?? null, rest, leaf) };
  }
  if ((kind === "list" || kind === "set") && typeof step === "number") {
    const elementType = inner as WireType;
    const items = Array.isArray(value) ? [...(value as readonly Value[])] : [];
    while (items.length <= step) items.push(emptyOf(elementType));
    items[step] = withValueAt(elementType, items[step] ?? null, rest, leaf);
    return items;
  }
  throw new Error(`cannot step into ${kind} with ${String(step)}`);
}
