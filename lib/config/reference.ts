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
  /** The editor schema's identity, for the Editor support section. */
  readonly $id?: string;
  readonly title?: string;
}

/** "Only when <union path> = <value>" for fields of one variant of a discriminated union. */
export interface Condition {
  readonly union: string;
  readonly value: string;
  readonly options: number;
}

/** One field of the reference. */
export interface ReferenceRow {
  /** Dotted path; `<name>` stands for a key the file chooses, `[]` for each entry of a list. */
  readonly path: string;
  /** The top-level key the field is under (or is). */
  readonly section: string;
  readonly type: string;
  /**
   * The field must be written whenever its section is in the file (for a path through `<name>`
   * or `[]`: in each entry), in the variant its conditions name, once `requiredWith` is set.
   */
  readonly required: boolean;
  /** The optional object whose fields these are: `required` applies once the file sets it. */
  readonly requiredWith?: string;
  readonly defaultValue: string;
  readonly description: string;
  readonly conditions: readonly Condition[];
}

type Row = ReferenceRow & { conditions: Condition[] };

/** Where a node sits: its path and what makes its required fields required. */
interface Place {
  readonly path: string;
  /** The innermost optional object around the node (below its section), if any. */
  readonly within: string | undefined;
  readonly conditions: Condition[];
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

const DEFAULT_TAG = /\s*@default (.*)$/;

/** The schema default, or the computed default a description documents with `@default`. */
function defaultText(node: SchemaNode): string {
  if (node.default !== undefined && JSON.stringify(node.default) !== "{}") {
    return `\`${JSON.stringify(node.default)}\``;
  }
  return node.description?.match(DEFAULT_TAG)?.[1] ?? "";
}

const withoutDefault = (description: string | undefined) =>
  (description ?? "").replace(DEFAULT_TAG, "").trim();

/** A description as a sentence of its own: capitalized, ending with a full stop. */
function sentence(text: string): string {
  const trimmed = text.trim();
  const capitalized = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capitalized) ? capitalized : `${capitalized}.`;
}

function discriminatorOf(variant: SchemaNode): [string, string] | undefined {
  const entry = Object.entries(variant.properties ?? {}).find(([, p]) => p.const !== undefined);
  return entry ? [entry[0], String(entry[1].const)] : undefined;
}

function isUnionOfObjects(node: SchemaNode): node is SchemaNode & { oneOf: SchemaNode[] } {
  return Boolean(node.oneOf?.every((variant) => discriminatorOf(variant)));
}

const isObject = (node: SchemaNode) => node.type === "object" && Boolean(node.properties);

/** The entry of a map of objects (`sides`) or list of objects, whose fields get rows of their own. */
function entryOf(node: SchemaNode): { suffix: string; entry: SchemaNode } | undefined {
  const value = node.additionalProperties;
  if (node.type === "object" && !node.properties && typeof value === "object" && isObject(value)) {
    return { suffix: ".<name>", entry: value };
  }
  if (node.type === "array" && node.items && isObject(node.items)) {
    return { suffix: "[]", entry: node.items };
  }
  return undefined;
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
const sectionOf = (path: string) => path.split(/[.[]/)[0];

/**
 * The discriminator's row text: each variant's description, after the union's own when it has
 * no row to show it (the file's top level).
 */
function variantsText(union: SchemaNode, withLead: boolean): string {
  const variants = union.oneOf ?? [];
  const options = variants.map((variant) => {
    const value = `\`${discriminatorOf(variant)?.[1] ?? ""}\``;
    return variant.description ? `${value}: ${sentence(variant.description)}` : `${value}.`;
  });
  const lead = withLead && union.description ? [sentence(withoutDefault(union.description))] : [];
  return [...lead, ...options].join(" ");
}

function collectUnion(
  union: SchemaNode & { oneOf: SchemaNode[] },
  place: Place,
  unionWithin: string | undefined,
  rows: Row[],
): void {
  const discriminators = union.oneOf.map((variant) => discriminatorOf(variant) ?? ["", ""]);
  const [key] = discriminators[0];
  const path = join(place.path, key);
  // Whoever writes the union's object names its variant; the union's default covers only
  // leaving the object out (its own row, or the section's line, shows it).
  rows.push({
    path,
    section: sectionOf(path),
    type: discriminators.map(([, value]) => `\`"${value}"\``).join(" \\| "),
    required: true,
    requiredWith: unionWithin,
    defaultValue: "",
    description: variantsText(union, place.path === ""),
    conditions: place.conditions,
  });
  union.oneOf.forEach((variant, i) => {
    const condition = { union: path, value: discriminators[i][1], options: union.oneOf.length };
    // A variant's condition implies its object is written, so its fields are required as if
    // it were: relative to the optional object around the union, not to the union itself.
    collectObject(variant, { ...place, conditions: [...place.conditions, condition] }, rows, key);
  });
}

function collectObject(node: SchemaNode, place: Place, rows: Row[], skipKey?: string): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (key === skipKey) continue;
    const path = join(place.path, key);
    const own = (node.required ?? []).includes(key) && child.default === undefined;
    const nested = isObject(child) || isUnionOfObjects(child);
    const entry = entryOf(child);
    const meaningfulDefault = child.default !== undefined && JSON.stringify(child.default) !== "{}";
    if (!nested || child.description || meaningfulDefault) {
      rows.push({
        path,
        section: sectionOf(path),
        type: nested ? "object" : typeOf(child),
        required: own,
        requiredWith: place.within,
        defaultValue: defaultText(child),
        description: withoutDefault(child.description),
        conditions: place.conditions,
      });
    }
    // Inside a top-level section or a required object, fields are required with the section;
    // inside an optional one, once it is set.
    const within = place.path === "" || own ? place.within : path;
    const inner = { path, within, conditions: place.conditions };
    if (isUnionOfObjects(child)) {
      collectUnion(child, { ...inner, within: place.within }, within, rows);
    } else if (nested) collectObject(child, inner, rows);
    // An entry of a map or list is there because the file wrote it: its required fields are.
    if (entry) {
      collectObject(entry.entry, { ...inner, path: path + entry.suffix, within: undefined }, rows);
    }
  }
}

/** Merge rows met in several variants; drop a condition once every option of its union has it. */
function merge(rows: Row[]): Row[] {
  const byKey = new Map<string, Row & { seen: Condition[][] }>();
  for (const row of rows) {
    const key = [
      row.path,
      row.type,
      row.required,
      row.requiredWith,
      row.defaultValue,
      row.description,
    ].join("|");
    const existing = byKey.get(key);
    if (existing) existing.seen.push(row.conditions);
    else byKey.set(key, { ...row, seen: [row.conditions] });
  }
  return [...byKey.values()].map(({ seen, ...row }) => {
    const all = seen.flat();
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

/** Every field of an environment file, from its JSON Schema. */
export function referenceRows(schema: SchemaNode): ReferenceRow[] {
  const rows: Row[] = [];
  const root: Place = { path: "", within: undefined, conditions: [] };
  if (isUnionOfObjects(schema)) collectUnion(schema, root, undefined, rows);
  else collectObject(schema, root, rows);
  return merge(rows);
}

function conditionText(conditions: readonly Condition[]): string {
  if (conditions.length === 0) return "";
  const byUnion = new Map<string, string[]>();
  for (const c of conditions)
    byUnion.set(c.union, [...(byUnion.get(c.union) ?? []), `\`${c.value}\``]);
  return `Only when ${[...byUnion.entries()].map(([union, values]) => `\`${union}\` is ${values.join(" or ")}`).join(" and ")}. `;
}

/** The "required" cell: paths stay unescaped, as they are code spans. */
function requiredText(row: ReferenceRow): string {
  if (!row.required) return "";
  return row.requiredWith ? `yes, if \`${row.requiredWith}\` is set` : "yes";
}

const cell = (text: string) =>
  text.replace(/\|/g, "\\|").replace(/\n/g, " ").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const TABLE_HEAD = [
  "| field | type | required | default | description |",
  "| --- | --- | --- | --- | --- |",
];

const tableLine = (row: ReferenceRow) =>
  `| \`${row.path}\` | ${row.type} | ${requiredText(row)} | ${cell(row.defaultValue)} | ${cell(conditionText(row.conditions) + row.description)} |`;

/** Whether and when a whole section must be written, and what it is when left out. */
function statusText(row: ReferenceRow): string {
  const presence = row.required ? "Required." : "Optional.";
  const defaultValue = row.defaultValue ? ` Left out, it is ${row.defaultValue}.` : "";
  return cell(`${conditionText(row.conditions)}${presence}${defaultValue}`);
}

const sameCondition = (a: Condition, b: Condition) => a.union === b.union && a.value === b.value;

const firstSentence = (text: string) => text.match(/^.*?[.!?](?=\s|$)/)?.[0] ?? text;

/**
 * One section per top-level key, each headed by the key alone, so its anchor
 * (configuration.md#registry) is the key and stays put when the text changes.
 */
function renderSection(section: string, rows: ReferenceRow[]): string[] {
  const own = rows.filter((row) => row.path === section);
  // The section's line states the conditions of the section itself once for all its fields.
  const shared = (condition: Condition) =>
    own.length > 0 && own.every((row) => row.conditions.some((c) => sameCondition(c, condition)));
  const fields = rows
    .filter((row) => row.path !== section)
    .map((row) => ({ ...row, conditions: row.conditions.filter((c) => !shared(c)) }));
  const [first] = own;
  if (!first?.description) {
    throw new Error(`section ${section} has no description: give it one in lib/config/schema.ts`);
  }
  // A scalar section is its one row; a section with fields says in prose what its row would.
  const intro =
    fields.length === 0
      ? [firstSentence(cell(first.description))]
      : [sentence(cell(first.description)), "", ...own.map(statusText)];
  return [
    `## ${section}`,
    "",
    ...intro,
    "",
    ...TABLE_HEAD,
    ...(fields.length ? fields : own).map(tableLine),
    "",
  ];
}

const LEGEND = [
  "## Reading the tables",
  "",
  "- **field**: the path in the file; `<name>` stands for a name you choose (a side's), `[]` for",
  "  each entry of a list.",
  "- **required**: `yes` means you must write the field whenever its section is in the file (for",
  "  a `<name>` or `[]` field: in each entry); `yes, if X is set` means once you write the",
  '  optional `X`. A field of one variant starts its description with the condition ("Only when',
  '  `backend.type` is `gcs`."): it exists, and is required, only in that variant.',
  "- **default**: what the field is when left out, in words where it is computed.",
  "",
];

function editorSupport(schema: SchemaNode): string[] {
  return [
    "## Editor support",
    "",
    `\`environments/schema.json\` is the JSON Schema of an environment file (\`$id\` \`${schema.$id ?? ""}\`,`,
    `title \`${schema.title ?? ""}\`), generated like this page. Editors that run the YAML language`,
    "server (VS Code with Red Hat's YAML extension, and others) complete fields, show these",
    "descriptions and check values as you type when the file's first line names the schema:",
    "",
    "```yaml",
    "# yaml-language-server: $schema=./schema.json",
    "```",
    "",
    "The path is relative to the YAML file, so a file elsewhere names the schema from where it is:",
    "",
    "| environment file | first line |",
    "| --- | --- |",
    "| in `environments/` | `# yaml-language-server: $schema=./schema.json` |",
    "| in another folder of the checkout, e.g. `examples/` | `# yaml-language-server: $schema=../environments/schema.json` |",
    "| outside the checkout | `# yaml-language-server: $schema=/home/me/hybrid-registry/environments/schema.json` (an absolute path) |",
    "| anywhere, with the schema published | `# yaml-language-server: $schema=https://example.com/hybrid-registry/schema.json` (a URL) |",
    "",
    "The form `# $schema: <path or URL>`, which JetBrains IDEs read too, works as well. Without such",
    "a line, map files to the schema in the editor's settings instead, e.g. in VS Code's",
    "`settings.json` (a path there is absolute or relative to the workspace folder):",
    "",
    "```json",
    '"yaml.schemas": { "/home/me/hybrid-registry/environments/schema.json": ["deploy/*.yaml"] }',
    "```",
    "",
  ];
}

export function renderConfigReference(schema: SchemaNode): string {
  const rows = referenceRows(schema);
  const sections = [...new Set(rows.map((row) => row.section))];
  const contents = [
    "- [Reading the tables](#reading-the-tables)",
    "- [Editor support](#editor-support)",
    ...sections.map((section) => `- [\`${section}\`](#${section})`),
  ];
  return [
    "# Configuration reference",
    "",
    "Generated from the concepts' schemas (`lib/config/<concept>/schema.ts`, assembled in",
    "`lib/config/schema.ts`) by `npm run schema`; do not edit by hand. Rules across fields (overlaps,",
    "ASN pairs, ranges) are listed in the README and enforced by each concept's `rules.ts`.",
    "",
    ...contents,
    "",
    ...LEGEND,
    ...editorSupport(schema),
    ...sections.flatMap((section) =>
      renderSection(
        section,
        rows.filter((row) => row.section === section),
      ),
    ),
  ].join("\n");
}
