/**
 * Lazy access to a jsii assembly (`node_modules/@cdktf/provider-<name>/.jsii`) without parsing
 * all of it: google's is ~100 MB (a full `JSON.parse` takes ~1.5 s and ~400 MB), and a schema
 * for one resource needs a few dozen of its ~10,000 types. jsii writes the assembly indented by
 * two spaces, so every type is a line `    "<fqn>": {` at depth two of `"types"`; the index
 * records where each starts and parses a type's text only when it is asked for. An assembly in
 * another layout falls back to one full parse.
 */
import { closeSync, openSync, readFileSync, readSync } from "node:fs";

/** A jsii type reference (the subset the cdktf bindings use). */
export interface TypeRef {
  readonly primitive?: string;
  readonly fqn?: string;
  readonly collection?: { readonly kind: "array" | "map"; readonly elementtype: TypeRef };
  readonly union?: { readonly types: readonly TypeRef[] };
}

export interface JsiiDocs {
  readonly summary?: string;
  readonly remarks?: string;
}

export interface JsiiProperty {
  readonly name: string;
  readonly type: TypeRef;
  readonly optional?: boolean;
  readonly static?: boolean;
  readonly docs?: JsiiDocs;
}

export interface JsiiMethod {
  readonly name: string;
  readonly static?: boolean;
  readonly returns?: { readonly type: TypeRef };
}

export interface JsiiType {
  readonly fqn: string;
  readonly kind: string;
  readonly base?: string;
  readonly docs?: JsiiDocs;
  readonly properties?: readonly JsiiProperty[];
  readonly methods?: readonly JsiiMethod[];
  readonly initializer?: { readonly parameters?: readonly { name: string; type: TypeRef }[] };
  readonly locationInModule?: { readonly filename: string };
}

const TYPES_KEY = '\n  "types": {\n';
const TYPE_KEY = '\n    "';
/** The `}` closing `"types"`: the first line indented by two spaces after it. */
const TYPES_END = "\n  }";
const BASE_LINE = '\n      "base": "';

/** Where each type's text is in the file: what a cached index keeps between runs. */
export type AssemblyRanges = Readonly<Record<string, readonly [number, number]>>;

export class Assembly {
  /** The whole file, when this run indexed it; otherwise types are read by position. */
  private buffer: Buffer | undefined;
  private readonly ranges: Map<string, readonly [number, number]>;
  private readonly parsed = new Map<string, JsiiType>();
  /** Set when the layout was not the expected one: every type, parsed at once. */
  private readonly whole: Map<string, JsiiType> | undefined;

  /** `ranges` from an earlier run's index of the same file skip reading all of it. */
  constructor(
    private readonly path: string,
    ranges?: AssemblyRanges,
  ) {
    if (ranges) {
      this.ranges = new Map(Object.entries(ranges));
      return;
    }
    this.buffer = readFileSync(path);
    this.ranges = Assembly.index(this.buffer);
    if (this.ranges.size === 0) this.whole = Assembly.parseWhole(this.buffer);
  }

  private static parseWhole(buffer: Buffer): Map<string, JsiiType> {
    const assembly = JSON.parse(buffer.toString("utf8")) as { types: Record<string, JsiiType> };
    return new Map(Object.entries(assembly.types));
  }

  /** One pass of `Buffer.indexOf` (memmem) over the types section. */
  private static index(buffer: Buffer): Map<string, readonly [number, number]> {
    const ranges = new Map<string, readonly [number, number]>();
    const start = buffer.indexOf(TYPES_KEY);
    if (start < 0) return ranges;
    const end = buffer.indexOf(TYPES_END, start + TYPES_KEY.length - 1);
    if (end < 0) return ranges;
    let at = buffer.indexOf(TYPE_KEY, start + TYPES_KEY.length - 2);
    let previous: { fqn: string; from: number } | undefined;
    while (at >= 0 && at < end) {
      const quoteEnd = buffer.indexOf('"', at + TYPE_KEY.length);
      const fqn = buffer.toString("latin1", at + TYPE_KEY.length, quoteEnd);
      // `": {`: the object starts three bytes after the closing quote.
      const from = quoteEnd + 3;
      if (previous) ranges.set(previous.fqn, [previous.from, at]);
      previous = { fqn, from };
      at = buffer.indexOf(TYPE_KEY, from);
    }
    if (previous) ranges.set(previous.fqn, [previous.from, end]);
    return ranges;
  }

  /** The index, for a cache (empty when the layout was not the expected one). */
  rangesForCache(): AssemblyRanges {
    return this.whole ? {} : Object.fromEntries(this.ranges);
  }

  private text(range: readonly [number, number]): string {
    if (this.buffer) return this.buffer.toString("utf8", range[0], range[1]);
    const bytes = Buffer.alloc(range[1] - range[0]);
    const fd = openSync(this.path, "r");
    try {
      readSync(fd, bytes, 0, bytes.length, range[0]);
    } finally {
      closeSync(fd);
    }
    return bytes.toString("utf8");
  }

  /** A type by fqn, parsed on first use; undefined for types of other assemblies (cdktf.*). */
  type(fqn: string): JsiiType | undefined {
    if (this.whole) return this.whole.get(fqn);
    const hit = this.parsed.get(fqn);
    if (hit) return hit;
    const range = this.ranges.get(fqn);
    if (!range) return undefined;
    // The text runs to the next key; drop the separating comma.
    const type = JSON.parse(this.text(range).replace(/,\s*$/, "")) as JsiiType;
    this.parsed.set(fqn, type);
    return type;
  }

  /**
   * Classes by base class (`cdktf.TerraformResource` -> fqns) with the head of their text
   * (keys are sorted, so `base` and `docs` come first), found by their `"base"` lines
   * without parsing them.
   */
  classesByBase(
    bases: readonly string[],
    headBytes: number,
  ): Map<string, { fqn: string; head: string }[]> {
    const found = new Map<string, { fqn: string; head: string }[]>(bases.map((b) => [b, []]));
    if (this.whole) {
      for (const type of this.whole.values()) {
        found.get(type.base ?? "")?.push({ fqn: type.fqn, head: JSON.stringify(type) });
      }
      return found;
    }
    const buffer = this.buffer ?? readFileSync(this.path);
    const starts = [...this.ranges.entries()].sort((a, b) => a[1][0] - b[1][0]);
    let cursor = 0;
    for (let at = buffer.indexOf(BASE_LINE); at >= 0; at = buffer.indexOf(BASE_LINE, at + 1)) {
      const valueStart = at + BASE_LINE.length;
      const base = buffer.toString("latin1", valueStart, buffer.indexOf('"', valueStart));
      const list = found.get(base);
      if (!list) continue;
      // Offsets grow monotonically: advance through the sorted ranges.
      while (cursor + 1 < starts.length && starts[cursor + 1][1][0] < at) cursor += 1;
      const [fqn, range] = starts[cursor];
      list.push({
        fqn,
        head: buffer.toString("utf8", range[0], Math.min(range[1], range[0] + headBytes)),
      });
    }
    return found;
  }

  /** Drop the whole file once the types a caller needs can be read by position. */
  release(): void {
    if (!this.whole) this.buffer = undefined;
  }
}
