/**
 * Renders docs/configuration.md from the generated JSON Schema, so the field reference is
 * always the schema the code validates with.
 */

/** The subset of JSON Schema that z.toJSONSchema emits for this config. */
export interface SchemaNode {
  readonly type?: string | string[];
  readonly const?: unknown;
  readonly enum?: unknown[];
  readonly default?: unknown;
  readonly description?: string;
  readonly properties?: Record<string, SchemaNode>;
  readonly required?: string[];
  readonly items?: SchemaNode;
  readonly oneOf?: SchemaNode[];
  readonly anyOf?: SchemaNode[];
  readonly additionalProperties?: boolean | SchemaNode;
}

/** "Only when <union path> = <value>" for fields of one variant of a discriminated union. */
interface Condition {
  readonly union: string;
  readonly value: string;
  readonly options: number;
}

interface Row {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly defaultValue: string;
  readonly description: string;
  conditions: Condition[];
}

function typeOf(node: SchemaNode): string {
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.enum) return node.enum.map((v) => `\`${JSON.stringify(v)}\``).join(" \\| ");
  const variants = node.anyOf ?? node.oneOf;
  if (variants) return variants.map(typeOf).join(" \\| ");
  if (node.type === "array" && node.items) return `list of ${typeOf(node.items)}`;
  if (
    node.type === "object" &&
    node.additionalProperties &&
    typeof node.additionalProperties === "object"
  ) {
    return `map of ${typeOf(node.additionalProperties)}`;
  }
  return Array.isArray(node.type) ? node.type.join(" \\| ") : (node.type ?? "any");
}

/** The schema default, or the computed default a description documents with `@default`. */
function defaultText(node: SchemaNode): string {
  if (node.default !== undefined && JSON.stringify(node.default) !== "{}") {
    return `\`${JSON.stringify(node.default)}\``;
  }
  return node.description?.match(/@default (.*)$/)?.[1] ?? "";
}

function discriminatorOf(variant: SchemaNode): [string, string] | undefined {
  const entry = Object.entries(variant.properties ?? {}).find(([, p]) => p.const !== undefined);
  return entry ? [entry[0], String(entry[1].const)] : undefined;
}

function isUnionOfObjects(node: SchemaNode): node is SchemaNode & { oneOf: SchemaNode[] } {
  return Boolean(node.oneOf?.every((variant) => discriminatorOf(variant)));
}

/** The entry shape of a map of objects (`sides`), whose fields get rows of their own. */
function recordEntryOf(node: SchemaNode): SchemaNode | undefined {
  const entry = node.additionalProperties;
  return node.type === "object" &&
    !node.properties &&
    typeof entry === "object" &&
    entry.type === "object" &&
    entry.properties
    ? entry
    : undefined;
}

function collect(
  node: SchemaNode,
  path: string,
  required: boolean,
  conditions: Condition[],
  rows: Row[],
  skipKey?: string,
): void {
  if (isUnionOfObjects(node)) {
    const discriminators = node.oneOf.map((variant) => discriminatorOf(variant) ?? ["", ""]);
    const [key] = discriminators[0];
    const union = path ? `${path}.${key}` : key;
    const defaultValue = (node.default as Record<string, unknown> | undefined)?.[key];
    rows.push({
      path: union,
      type: discriminators.map(([, value]) => `\`"${value}"\``).join(" \\| "),
      required: required && defaultValue === undefined,
      defaultValue: defaultValue === undefined ? "" : `\`${JSON.stringify(defaultValue)}\``,
      description: 'Selects a variant: rows marked "Only when" belong to one.',
      conditions,
    });
    node.oneOf.forEach((variant, i) => {
      const condition = { union, value: discriminators[i][1], options: node.oneOf.length };
      // Once a variant is chosen, its own required fields are required.
      collect(variant, path, true, [...conditions, condition], rows, key);
    });
    return;
  }
  if (node.type === "object" && node.properties) {
    for (const [key, child] of Object.entries(node.properties)) {
      if (key === skipKey) continue;
      const childPath = path ? `${path}.${key}` : key;
      // Required only if every enclosing object is required too.
      const childRequired =
        required && node.default === undefined && (node.required ?? []).includes(key);
      const nested = (child.type === "object" && child.properties) || isUnionOfObjects(child);
      const meaningfulDefault =
        child.default !== undefined && JSON.stringify(child.default) !== "{}";
      if (!nested || child.description || meaningfulDefault) {
        rows.push({
          path: childPath,
          type: nested ? "object" : typeOf(child),
          required: childRequired && child.default === undefined,
          defaultValue: defaultText(child),
          description: (child.description ?? "").replace(/\s*@default .*$/, "").trim(),
          conditions,
        });
      }
      if (nested) collect(child, childPath, childRequired, conditions, rows);
      const entry = recordEntryOf(child);
      // A map's entries: once an entry exists, its own required fields are required.
      if (entry) collect(entry, `${childPath}.<name>`, true, conditions, rows);
    }
  }
}

/** Merge rows met in several variants; drop a condition once every option of its union has it. */
function merge(rows: Row[]): Row[] {
  const byKey = new Map<string, Row & { seen: Condition[][] }>();
  for (const row of rows) {
    const key = [row.path, row.type, row.required, row.defaultValue, row.description].join("|");
    const existing = byKey.get(key);
    if (existing) existing.seen.push(row.conditions);
    else byKey.set(key, { ...row, seen: [row.conditions] });
  }
  return [...byKey.values()].map((row) => {
    const all = row.seen.flat();
    const unions = new Map<string, Condition[]>();
    for (const condition of all)
      unions.set(condition.union, [...(unions.get(condition.union) ?? []), condition]);
    const kept = [...unions.values()].flatMap((conditions) => {
      const values = new Set(conditions.map((c) => c.value));
      return values.size === conditions[0].options
        ? []
        : [...values].map((value) => ({ ...conditions[0], value }));
    });
    return { ...row, conditions: kept };
  });
}

function conditionText(conditions: Condition[]): string {
  if (conditions.length === 0) return "";
  const byUnion = new Map<string, string[]>();
  for (const c of conditions)
    byUnion.set(c.union, [...(byUnion.get(c.union) ?? []), `\`${c.value}\``]);
  return `Only when ${[...byUnion.entries()].map(([union, values]) => `\`${union}\` is ${values.join(" or ")}`).join(" and ")}. `;
}

const cell = (text: string) =>
  text.replace(/\|/g, "\\|").replace(/\n/g, " ").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function renderConfigReference(schema: SchemaNode): string {
  const rows: Row[] = [];
  collect(schema, "", true, [], rows);
  const lines = merge(rows).map(
    (row) =>
      `| \`${row.path}\` | ${row.type} | ${row.required ? "yes" : ""} | ${cell(row.defaultValue)} | ${cell(conditionText(row.conditions) + row.description)} |`,
  );
  return [
    "# Configuration reference",
    "",
    "Generated from `lib/config/schema.ts` by `npm run schema`; do not edit by hand. Semantic rules",
    "(overlaps, ASN pairs, ranges) are listed in the README and enforced by `lib/config/validate.ts`.",
    "",
    "| field | type | required | default | description |",
    "| --- | --- | --- | --- | --- |",
    ...lines,
    "",
  ].join("\n");
}
