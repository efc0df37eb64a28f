/**
 * The shape of a provider's schema as the rehearsal's stand-in providers serve it: the same
 * concepts as Terraform's plugin protocol (tfplugin6 `Schema`, `Schema.Block`,
 * `Schema.Attribute`, `Schema.NestedBlock`), as plain data. Generated from the pinned
 * `@cdktf/provider-*` bindings, never written by hand.
 */

/**
 * A cty type in Terraform's JSON type encoding (what `Schema.Attribute.type` carries as bytes):
 * `"string"`, `"number"`, `"bool"`, `"dynamic"`, `["list", T]`, `["set", T]`, `["map", T]`,
 * `["object", { name: T }]`.
 */
export type CtyType =
  | "string"
  | "number"
  | "bool"
  | "dynamic"
  | readonly ["list" | "set" | "map", CtyType]
  | readonly ["object", Readonly<Record<string, CtyType>>];

export interface SchemaAttribute {
  readonly name: string;
  readonly type: CtyType;
  readonly required: boolean;
  readonly optional: boolean;
  readonly computed: boolean;
  readonly sensitive: boolean;
  /**
   * Terraform keeps no value of it in plan or state (Terraform >= 1.11), and accepts ephemeral
   * values only in such attributes.
   * @default false
   */
  readonly writeOnly?: boolean;
}

/** How a nested block repeats (tfplugin6 `Schema.NestedBlock.NestingMode`). */
export type NestingMode = "single" | "list" | "set" | "map" | "group";

export interface SchemaNestedBlock {
  readonly typeName: string;
  readonly block: SchemaBlock;
  readonly nesting: NestingMode;
  /** @default 0 */
  readonly minItems: number;
  /** 0 means unlimited. */
  readonly maxItems: number;
}

export interface SchemaBlock {
  readonly attributes: readonly SchemaAttribute[];
  readonly blockTypes: readonly SchemaNestedBlock[];
}

export interface ResourceSchema {
  readonly version: number;
  readonly block: SchemaBlock;
}

/** One provider: its own configuration, its resources and data sources by type name. */
export interface ProviderSchema {
  /** e.g. `hashicorp/google`. */
  readonly source: string;
  /** The version the bindings were generated from, e.g. `6.50.0`. */
  readonly version: string;
  readonly provider: SchemaBlock;
  readonly resources: Readonly<Record<string, ResourceSchema>>;
  readonly dataSources: Readonly<Record<string, ResourceSchema>>;
}
