/**
 * The stand-in providers' schemas, generated mechanically from the pinned `@cdktf/provider-*`
 * bindings: their jsii assembly (`.jsii`: classes, config structs, property types, optional or
 * required, the Terraform names in the docs links) and, where the assembly is silent, the
 * generated JavaScript next to it (see binding-schema/js-module.ts). Nothing is written by hand.
 *
 * What comes from where:
 * - resource and data source types: classes extending cdktf.TerraformResource /
 *   TerraformDataSource, their Terraform name from the summary link ("Represents a {@link
 *   …/docs/resources/container_cluster google_container_cluster}");
 * - settable attributes and blocks: the properties of the config struct (the class
 *   initializer's `config`, then the nested structs), required unless `optional`; Terraform
 *   name from the docs link anchor (`…#node_config ContainerCluster#node_config`), else from
 *   the JavaScript;
 * - blocks: a struct-typed property whose docs summary is the generator's `"<name> block."`
 *   (models: resource-parser.js attributeForBlockType); typed as the struct itself = at most
 *   one (max_items 1, or nesting single where the JavaScript says `type: "struct"`, as for
 *   the SDK's `timeouts`), an array = list or set (the JavaScript's `type`), a map = map;
 *   required = min_items 1 (the bindings do not tell 1 from more, nor a max above 1);
 * - computed-only attributes: getters of the class (or of a block's OutputReference) with no
 *   settable property of the same name and no `<name>Input` twin, like
 *   google_container_cluster's `endpoint`; their Terraform name from the getter's JavaScript;
 * - cty types: primitives, arrays as lists or sets (sets are read through `Fn.tolist` or marked
 *   `type: "set"` in the JavaScript), maps; `cdktf.IResolvable` unions resolve to their other
 *   member; `{ [k]: any }` is the generator's rendering of `dynamic`; object attributes from
 *   their struct; computed `cdktf.StringMap`-like classes and ComplexList/ComplexMap classes
 *   from their names and element OutputReference getters.
 *
 * What the bindings cannot tell, and the choice made:
 * - `computed` on a settable attribute (optional + computed): only the generator's comment
 *   before stored classes keeps it (`// x - computed: true, optional: true`). Elsewhere an
 *   optional attribute is marked optional + computed: Terraform then accepts whatever a
 *   stand-in plans for it when unset (null, prior state or unknown), where a wrong "not
 *   computed" would reject a plan the real provider makes. Those paths are listed by
 *   `assumedComputed`.
 * - `sensitive`: not in the bindings (no descriptions say it either); false everywhere.
 * - `write_only`: not a flag in the bindings either; an attribute named `<x>_wo` whose docs say
 *   "write-only" (tfe_variable's `value_wo`: "Value of the variable in write-only mode") is
 *   marked write-only, the providers' naming convention for such attributes.
 * - schema versions: not in the bindings; 0.
 * - max_items above 1 and min_items above 1; validators and defaults.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  Assembly,
  type AssemblyRanges,
  type JsiiProperty,
  type JsiiType,
  type TypeRef,
} from "./binding-schema/assembly";
import {
  forgetJsModules,
  jsModule,
  type JsGetter,
  type JsHclEntry,
  type JsModule,
} from "./binding-schema/js-module";
import type {
  CtyType,
  NestingMode,
  ProviderSchema,
  ResourceSchema,
  SchemaAttribute,
  SchemaBlock,
  SchemaNestedBlock,
} from "./provider-schema";

export type BindingProviderName = "google" | "kubernetes" | "tls" | "random" | "time" | "tfe";

export const BINDING_PROVIDERS: readonly BindingProviderName[] = [
  "google",
  "kubernetes",
  "tls",
  "random",
  "time",
  "tfe",
];

/** Bumped whenever the extraction changes, so cached schemas of an older one are not read. */
export const EXTRACTOR_VERSION = 2;

const PROJECT_ROOT = join(__dirname, "..", "..");

/** The default folder for the assembly indexes and extracted schemas, kept between runs. */
export const DEFAULT_SCHEMA_CACHE = join(
  PROJECT_ROOT,
  "node_modules",
  ".cache",
  "hybrid-registry",
  "rehearsal-schemas",
);

let schemaCacheDir = DEFAULT_SCHEMA_CACHE;

/** Point the caches elsewhere (e.g. the rehearsal's work directory); clears what is loaded. */
export function setSchemaCacheDir(dir: string): void {
  schemaCacheDir = dir;
  catalogs.clear();
  extractions.clear();
  schemas.clear();
}

/** Where the packages live; tests may point elsewhere. */
function packageDir(name: BindingProviderName): string {
  return join(PROJECT_ROOT, "node_modules", "@cdktf", `provider-${name}`);
}

interface PackageInfo {
  readonly version: string;
  readonly cdktf: { readonly provider: { readonly name: string; readonly version: string } };
}

function packageInfo(name: BindingProviderName): PackageInfo {
  return JSON.parse(readFileSync(join(packageDir(name), "package.json"), "utf8")) as PackageInfo;
}

/** A Terraform name from a docs link: `{@link https://…/container_cluster#node_config ContainerCluster#node_config}`. */
function docsName(property: JsiiProperty): string | undefined {
  const text = `${property.docs?.summary ?? ""}\n${property.docs?.remarks ?? ""}`;
  return /Docs at Terraform Registry: \{@link \S+#(\w+) \w+#\w+\}/.exec(text)?.[1];
}

/** Last resort when neither the docs nor the JavaScript name an attribute. */
function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

const BUILTIN_COLLECTION = /^cdktf\.(String|Number|Boolean|Any)((?:List|Map)+)$/;
const RESOLVABLE = "cdktf.IResolvable";

/** The member of a `cdktf.IResolvable` union that is not IResolvable. */
function unwrap(ref: TypeRef): TypeRef {
  if (!ref.union) return ref;
  const others = ref.union.types.filter((t) => t.fqn !== RESOLVABLE);
  return others.length === 1 ? unwrap(others[0]) : ref;
}

function primitiveCty(primitive: string): CtyType {
  switch (primitive) {
    case "string":
      return "string";
    case "number":
      return "number";
    case "boolean":
      return "bool";
    default:
      return "dynamic";
  }
}

/** `cdktf.StringMapList` is a list of maps of strings (innermost suffix first). */
function builtinCty(fqn: string, set: boolean): CtyType | undefined {
  const match = BUILTIN_COLLECTION.exec(fqn);
  if (!match) return undefined;
  const base = primitiveCty(match[1].toLowerCase());
  const kinds = match[2].match(/List|Map/g) ?? [];
  let type: CtyType = base;
  kinds.forEach((kind, index) => {
    const outermost = index === kinds.length - 1;
    if (kind === "Map") {
      // The generator renders `dynamic` as a map of any (resource-parser.js renderAttributeType).
      type = type === "dynamic" && index === 0 ? "dynamic" : ["map", type];
    } else type = [outermost && set ? "set" : "list", type];
  });
  return type;
}

interface Extraction {
  readonly block: SchemaBlock;
  /** Paths (`a.b.c`) of attributes whose `computed` is the optional + computed assumption. */
  readonly assumed: readonly string[];
}

class ProviderExtractor {
  private readonly dir: string;

  constructor(
    readonly name: BindingProviderName,
    readonly assembly: Assembly,
  ) {
    this.dir = packageDir(name);
  }

  private type(fqn: string): JsiiType | undefined {
    return this.assembly.type(fqn);
  }

  private module(type: JsiiType): JsModule | undefined {
    const file = type.locationInModule?.filename;
    return file ? jsModule(this.dir, file) : undefined;
  }

  private shortName(fqn: string): string {
    return fqn.slice(fqn.lastIndexOf(".") + 1);
  }

  /** The JavaScript's view of a class's getters. */
  private gettersOf(type: JsiiType | undefined): ReadonlyMap<string, JsGetter> {
    if (!type) return new Map();
    return this.module(type)?.getters.get(this.shortName(type.fqn)) ?? new Map();
  }

  private hclOf(type: JsiiType | undefined): ReadonlyMap<string, JsHclEntry> {
    if (!type) return new Map();
    return this.module(type)?.hcl.get(this.shortName(type.fqn)) ?? new Map();
  }

  /** A ComplexList / ComplexMap class's element OutputReference (the return of `get`). */
  private elementOf(type: JsiiType): JsiiType | undefined {
    const get = type.methods?.find((m) => m.name === "get" && !m.static);
    const fqn = get?.returns?.type.fqn;
    return fqn ? this.type(fqn) : undefined;
  }

  /** The cty type of a settable property (config struct or nested struct). */
  private inputCty(ref: TypeRef, set: boolean, seen: ReadonlySet<string>): CtyType {
    const type = unwrap(ref);
    if (type.primitive) return primitiveCty(type.primitive);
    if (type.collection) {
      const element = unwrap(type.collection.elementtype);
      if (type.collection.kind === "map") {
        return element.primitive === "any"
          ? "dynamic"
          : ["map", this.inputCty(element, false, seen)];
      }
      return [set ? "set" : "list", this.inputCty(element, false, seen)];
    }
    if (type.fqn) {
      const struct = this.type(type.fqn);
      if (struct && !seen.has(type.fqn)) return ["object", this.objectFields(struct, seen)];
    }
    return "dynamic";
  }

  private objectFields(struct: JsiiType, seen: ReadonlySet<string>): Record<string, CtyType> {
    const inner = new Set(seen).add(struct.fqn);
    const hcl = this.hclOf(struct);
    const fields: Record<string, CtyType> = {};
    for (const property of struct.properties ?? []) {
      const entry = hcl.get(property.name);
      const tfName = docsName(property) ?? entry?.tfName ?? snakeCase(property.name);
      fields[tfName] = this.inputCty(property.type, entry?.type === "set", inner);
    }
    return fields;
  }

  /** The cty type a computed getter returns. */
  private outputCty(
    ref: TypeRef,
    getter: JsGetter | undefined,
    seen: ReadonlySet<string>,
  ): CtyType {
    const type = unwrap(ref);
    if (type.primitive) return primitiveCty(type.primitive);
    if (type.collection) {
      const element = unwrap(type.collection.elementtype);
      if (type.collection.kind === "map") {
        return element.primitive === "any"
          ? "dynamic"
          : ["map", this.outputCty(element, undefined, seen)];
      }
      return [getter?.set ? "set" : "list", this.outputCty(element, undefined, seen)];
    }
    const fqn = type.fqn;
    if (!fqn) return "dynamic";
    // getBooleanAttribute returns an IResolvable (cdktf TerraformResource.getBooleanAttribute).
    if (fqn === RESOLVABLE) return getter?.accessor === "getBooleanAttribute" ? "bool" : "dynamic";
    const builtin = builtinCty(fqn, getter?.set ?? false);
    if (builtin) return builtin;
    const target = this.type(fqn);
    if (!target || seen.has(fqn)) return "dynamic";
    const inner = new Set(seen).add(fqn);
    if (target.base === "cdktf.ComplexList" || target.base === "cdktf.ComplexMap") {
      const element = this.elementOf(target);
      const object: CtyType = element ? ["object", this.getterFields(element, inner)] : "dynamic";
      if (target.base === "cdktf.ComplexMap") return ["map", object];
      return [getter?.set ? "set" : "list", object];
    }
    return ["object", this.getterFields(target, inner)];
  }

  /** An OutputReference's attributes as object fields (computed objects have no struct). */
  private getterFields(reference: JsiiType, seen: ReadonlySet<string>): Record<string, CtyType> {
    const getters = this.gettersOf(reference);
    const fields: Record<string, CtyType> = {};
    for (const property of this.attributeGetters(reference, new Set())) {
      const getter = getters.get(property.name);
      fields[getter?.tfName ?? snakeCase(property.name)] = this.outputCty(
        property.type,
        getter,
        seen,
      );
    }
    return fields;
  }

  /**
   * An owner's getters that are attributes: not static, not `internalValue`, not the
   * `<name>Input` / `<name>TfInput` twin of a settable property (attributes-emitter.js
   * getInputName).
   */
  private attributeGetters(owner: JsiiType, settable: ReadonlySet<string>): JsiiProperty[] {
    const names = new Set((owner.properties ?? []).map((p) => p.name));
    const isInputTwin = (name: string): boolean => {
      const base = name.replace(/(Tf)?Input$/, "");
      return base !== name && (settable.has(base) || names.has(base));
    };
    return (owner.properties ?? []).filter(
      (p) => !p.static && p.name !== "internalValue" && !isInputTwin(p.name),
    );
  }

  /**
   * A block from its config struct (settable members) and its owner class (the resource class
   * or the block's OutputReference: computed-only members).
   */
  block(
    struct: JsiiType | undefined,
    owner: JsiiType | undefined,
    path: string,
    seen: ReadonlySet<string>,
    assumed: string[],
  ): SchemaBlock {
    const attributes: SchemaAttribute[] = [];
    const blockTypes: SchemaNestedBlock[] = [];
    const hcl = this.hclOf(owner?.base?.startsWith("cdktf.Terraform") ? owner : struct);
    const ownerGetters = this.gettersOf(owner);
    const ownerProperties = new Map(
      (owner?.properties ?? []).filter((p) => !p.static).map((p) => [p.name, p]),
    );
    const settable = new Set<string>();
    const inner = struct ? new Set(seen).add(struct.fqn) : seen;
    const isProvider = owner?.base === "cdktf.TerraformProvider";

    for (const property of struct?.properties ?? []) {
      // `alias` is a Terraform meta-argument cdktf adds to every provider (resource-parser.js).
      if (isProvider && property.name === "alias") continue;
      settable.add(property.name);
      const entry = hcl.get(property.name);
      const getter = ownerGetters.get(property.name);
      const tfName =
        docsName(property) ?? entry?.tfName ?? getter?.tfName ?? snakeCase(property.name);
      const here = path ? `${path}.${tfName}` : tfName;
      const isBlock = property.docs?.summary === `${tfName} block.`;
      if (isBlock) {
        const nested = this.nestedBlock(
          property,
          tfName,
          entry,
          ownerProperties.get(property.name),
          here,
          inner,
          assumed,
        );
        if (nested) {
          blockTypes.push(nested);
          continue;
        }
      }
      const optional = property.optional === true;
      const writeOnly = tfName.endsWith("_wo") && /write-only/i.test(property.docs?.summary ?? "");
      let computed = false;
      // A provider's configuration is never planned: nothing in it is computed; nor is a
      // write-only attribute, which Terraform never stores.
      if (optional && !isProvider && !writeOnly) {
        if (getter?.computed !== undefined) computed = getter.computed;
        else {
          computed = true;
          assumed.push(here);
        }
      }
      attributes.push({
        name: tfName,
        type: this.inputCty(property.type, entry?.type === "set" || getter?.set === true, inner),
        required: !optional,
        optional,
        computed,
        sensitive: false,
        ...(writeOnly ? { writeOnly } : {}),
      });
    }

    if (owner && !isProvider) {
      for (const property of this.attributeGetters(owner, settable)) {
        if (settable.has(property.name)) continue;
        const getter = ownerGetters.get(property.name);
        attributes.push({
          name: getter?.tfName ?? snakeCase(property.name),
          type: this.outputCty(property.type, getter, inner),
          required: false,
          optional: false,
          computed: true,
          sensitive: false,
        });
      }
    }
    attributes.sort((a, b) => a.name.localeCompare(b.name));
    blockTypes.sort((a, b) => a.typeName.localeCompare(b.typeName));
    return { attributes, blockTypes };
  }

  private nestedBlock(
    property: JsiiProperty,
    tfName: string,
    entry: JsHclEntry | undefined,
    ownerGetter: JsiiProperty | undefined,
    path: string,
    seen: ReadonlySet<string>,
    assumed: string[],
  ): SchemaNestedBlock | undefined {
    const type = unwrap(property.type);
    const single = type.fqn !== undefined;
    const structFqn = type.fqn ?? unwrap(type.collection?.elementtype ?? {}).fqn;
    const struct = structFqn ? this.type(structFqn) : undefined;
    if (!struct || seen.has(struct.fqn)) return undefined;
    // The owner's getter is the block's OutputReference, or a List/Map of them.
    const ownerType = ownerGetter?.type.fqn ? this.type(ownerGetter.type.fqn) : undefined;
    const reference =
      ownerType && (ownerType.base === "cdktf.ComplexList" || ownerType.base === "cdktf.ComplexMap")
        ? this.elementOf(ownerType)
        : ownerType;
    let nesting: NestingMode;
    if (type.collection?.kind === "map") nesting = "map";
    else if (entry?.type === "struct") nesting = "single";
    else nesting = entry?.type === "set" ? "set" : "list";
    const repeated = nesting === "list" || nesting === "set";
    return {
      typeName: tfName,
      block: this.block(struct, reference, path, seen, assumed),
      nesting,
      minItems: repeated && property.optional !== true ? 1 : 0,
      maxItems: repeated && single ? 1 : 0,
    };
  }

  /** The config struct a construct class is initialized with. */
  configOf(type: JsiiType): JsiiType | undefined {
    const config = type.initializer?.parameters?.find((p) => p.name === "config");
    const fqn = config ? unwrap(config.type).fqn : undefined;
    return fqn ? this.type(fqn) : undefined;
  }

  resource(fqn: string): Extraction {
    const type = this.type(fqn);
    if (!type) throw new Error(`${fqn}: not in the ${this.name} assembly`);
    const assumed: string[] = [];
    const block = this.block(this.configOf(type), type, "", new Set(), assumed);
    return { block, assumed };
  }
}

/**
 * Terraform's name for a construct class, from its summary link, read from the head of its
 * text (keys are sorted: `assembly`, `base`, `docs` come first) without parsing the class.
 */
function terraformNameOf(
  head: string,
  base: string,
): { kind: "resource" | "data" | "provider"; name: string } | undefined {
  const link = /"summary": "Represents a \{@link (\S+) (\w+)\}/.exec(head);
  if (!link) return undefined;
  if (base === "cdktf.TerraformProvider") return { kind: "provider", name: link[2] };
  if (link[1].includes("/docs/data-sources/")) return { kind: "data", name: link[2] };
  if (link[1].includes("/docs/resources/")) return { kind: "resource", name: link[2] };
  return undefined;
}

interface CatalogData {
  readonly resources: Readonly<Record<string, string>>;
  readonly dataSources: Readonly<Record<string, string>>;
  readonly provider: string;
}

interface Catalog extends CatalogData {
  readonly extractor: ProviderExtractor;
}

/** What a cached index holds: where each type is in the assembly, and the construct classes. */
interface IndexCache extends CatalogData {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ranges: AssemblyRanges;
}

const CONSTRUCT_BASES = [
  "cdktf.TerraformResource",
  "cdktf.TerraformDataSource",
  "cdktf.TerraformProvider",
];

function catalogData(name: BindingProviderName, assembly: Assembly): CatalogData {
  const resources: Record<string, string> = {};
  const dataSources: Record<string, string> = {};
  let provider: string | undefined;
  for (const [base, classes] of assembly.classesByBase(CONSTRUCT_BASES, 1000)) {
    for (const { fqn, head } of classes) {
      const tf = terraformNameOf(head, base);
      if (tf?.kind === "resource") resources[tf.name] = fqn;
      else if (tf?.kind === "data") dataSources[tf.name] = fqn;
      else if (tf?.kind === "provider") provider = fqn;
    }
  }
  if (!provider) throw new Error(`@cdktf/provider-${name}: no provider class in its assembly`);
  return { resources, dataSources, provider };
}

function readIndexCache(file: string, size: number, mtimeMs: number): IndexCache | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const cache = JSON.parse(readFileSync(file, "utf8")) as IndexCache;
    return cache.size === size && cache.mtimeMs === mtimeMs ? cache : undefined;
  } catch {
    // A damaged cache is rebuilt.
    return undefined;
  }
}

function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  // Written aside and renamed, so a concurrent reader never sees half a file.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, text);
  renameSync(partial, file);
}

const catalogs = new Map<BindingProviderName, Catalog>();

/**
 * The provider's construct classes. The first run reads the whole assembly (google: ~100 MB,
 * ~0.3 s) and caches where every type is; later runs read only the types they extract.
 */
function catalog(name: BindingProviderName): Catalog {
  const hit = catalogs.get(name);
  if (hit) return hit;
  const path = join(packageDir(name), ".jsii");
  const { size, mtimeMs } = statSync(path);
  const indexFile = join(
    schemaCacheDir,
    `${name}-${packageInfo(name).version}-x${EXTRACTOR_VERSION}.index.json`,
  );
  const cached = readIndexCache(indexFile, size, mtimeMs);
  let made: Catalog;
  if (cached) {
    made = { ...cached, extractor: new ProviderExtractor(name, new Assembly(path, cached.ranges)) };
  } else {
    const assembly = new Assembly(path);
    const data = catalogData(name, assembly);
    const ranges = assembly.rangesForCache();
    if (Object.keys(ranges).length > 0) {
      const index: IndexCache = { size, mtimeMs, ranges, ...data };
      writeAtomically(indexFile, JSON.stringify(index));
    }
    assembly.release();
    made = { ...data, extractor: new ProviderExtractor(name, assembly) };
  }
  catalogs.set(name, made);
  return made;
}

const extractions = new Map<string, Extraction>();

function extraction(name: BindingProviderName, fqn: string): Extraction {
  const hit = extractions.get(fqn);
  if (hit) return hit;
  const made = catalog(name).extractor.resource(fqn);
  extractions.set(fqn, made);
  return made;
}

/** A record whose values are extracted on first read (google has ~1,400 types). */
function lazyRecord(
  name: BindingProviderName,
  types: Readonly<Record<string, string>>,
): Record<string, ResourceSchema> {
  const record: Record<string, ResourceSchema> = {};
  for (const [tfName, fqn] of Object.entries(types).sort((a, b) => a[0].localeCompare(b[0]))) {
    let value: ResourceSchema | undefined;
    Object.defineProperty(record, tfName, {
      enumerable: true,
      get: () => (value ??= { version: 0, block: extraction(name, fqn).block }),
    });
  }
  return Object.freeze(record);
}

const schemas = new Map<BindingProviderName, ProviderSchema>();

/**
 * The schema of a stand-in provider, from the pinned bindings. Resource and data source
 * schemas are extracted when first read, so a caller that needs a few types pays for those.
 */
export function providerSchema(name: BindingProviderName): ProviderSchema {
  const hit = schemas.get(name);
  if (hit) return hit;
  const info = packageInfo(name);
  const entries = catalog(name);
  const schema: ProviderSchema = {
    source: info.cdktf.provider.name.replace(/^registry\.terraform\.io\//, ""),
    version: info.cdktf.provider.version,
    provider: extraction(name, entries.provider).block,
    resources: lazyRecord(name, entries.resources),
    dataSources: lazyRecord(name, entries.dataSources),
  };
  schemas.set(name, schema);
  return schema;
}

/**
 * Paths of the attributes in a resource (or data source, `data.<type>`) whose `computed` is
 * the optional + computed assumption rather than read from the bindings.
 */
export function assumedComputed(name: BindingProviderName, type: string): readonly string[] {
  const entries = catalog(name);
  const fqn = type.startsWith("data.")
    ? entries.dataSources[type.slice("data.".length)]
    : entries.resources[type];
  if (!fqn) throw new Error(`${name}: no ${type} in the bindings`);
  return extraction(name, fqn).assumed;
}

/** The cache file of a provider: keyed by the bindings' package version and the extractor's. */
export function schemaCacheFile(name: BindingProviderName): string {
  return join(schemaCacheDir, `${name}-${packageInfo(name).version}-x${EXTRACTOR_VERSION}.json`);
}

/**
 * Every resource and data source extracted, as plain data: what a stand-in serves from
 * GetProviderSchema. Read from the cache when it holds this package version's extraction;
 * otherwise extracted (google: a few seconds) and written there.
 */
export function completeProviderSchema(name: BindingProviderName): ProviderSchema {
  const file = schemaCacheFile(name);
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as ProviderSchema;
  // JSON.stringify reads every lazy entry.
  const text = JSON.stringify(providerSchema(name));
  writeAtomically(file, text);
  // The parsed assembly types and modules (google: ~300 MB of heap) are not needed again.
  const { resources, dataSources, provider } = catalog(name);
  for (const fqn of [...Object.values(resources), ...Object.values(dataSources), provider]) {
    extractions.delete(fqn);
  }
  catalogs.delete(name);
  schemas.delete(name);
  forgetJsModules();
  return JSON.parse(text) as ProviderSchema;
}
