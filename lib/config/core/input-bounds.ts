import { shownText } from "./display";
import type { ConfigProblem } from "./problem";

/**
 * Bounds on the raw environment file, checked before any schema rule runs: a bad file must be
 * refused quickly and cleanly, never hang, crash or exhaust memory.
 */

/** An environment file is a few kilobytes; anything near this is not one. */
export const MAX_FILE_BYTES = 256 * 1024;
/** The schema nests 6 levels; lists of objects add one or two. */
export const MAX_DEPTH = 16;
/** No setting needs more (a kubeconfig path, a hostPath or a description are far shorter). */
export const MAX_STRING_CHARACTERS = 1024;
/**
 * cdktf encodes its references as strings such as `${TfToken[TOKEN.1]}` and resolves any
 * string that looks like one: an unknown key stops synthesis with a stack trace
 * (cdktf lib/tokens/private/encoding.ts `tokenizeNext`), a known one would splice in an
 * internal value.
 */
const CDKTF_TOKEN_MARKER = "TfToken[";
/** YAML aliases expanded when the document is converted (a "billion laughs" guard). */
export const MAX_ALIAS_COUNT = 100;

/** Flow collections (`[`, `{`) nested deeper than this are refused before YAML parses them. */
export const MAX_FLOW_NESTING = 64;

/**
 * Deepest nesting of `[`/`{` in the text. The `yaml` parser recurses per flow level: a few
 * thousand levels exhaust the stack, and about ten thousand make the process abort with an
 * out-of-memory error that cannot be caught. This linear scan runs first. It counts brackets
 * inside quotes and comments too: that can only over-count, never let deep nesting through.
 */
export function flowNestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (const c of text) {
    if (c === "[" || c === "{") deepest = Math.max(deepest, ++depth);
    else if ((c === "]" || c === "}") && depth > 0) depth--;
  }
  return deepest;
}

/** The file's input with every out-of-bounds part replaced, and what was replaced. */
export interface BoundedInput {
  /** A tree copy: no cycles, no deeper than MAX_DEPTH, no string over the limit. */
  readonly input: unknown;
  readonly problems: ConfigProblem[];
  /** Paths whose values were replaced: schema issues at or under them are not reported. */
  readonly replacedPaths: readonly string[];
}

type Json = Record<string, unknown>;

function joinPath(path: string, key: string | number): string {
  return path === "" ? String(key) : `${path}.${key}`;
}

/**
 * Copy the parsed YAML, replacing cycles (an alias inside its own anchor), nesting deeper than
 * MAX_DEPTH and over-long strings or keys by `null`, each with a problem. Iterative, so the
 * depth of the input never reaches the JavaScript stack.
 */
export function boundInput(parsed: unknown): BoundedInput {
  const problems: ConfigProblem[] = [];
  const replacedPaths: string[] = [];
  const replace = (path: string, problem: Omit<ConfigProblem, "path">) => {
    problems.push({ path, ...problem });
    replacedPaths.push(path);
    return null;
  };

  interface Frame {
    readonly value: unknown;
    readonly path: string;
    readonly depth: number;
    readonly ancestors: ReadonlySet<object>;
    readonly assign: (copy: unknown) => void;
  }
  let root: unknown = null;
  const stack: Frame[] = [
    { value: parsed, path: "", depth: 0, ancestors: new Set(), assign: (copy) => (root = copy) },
  ];
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    const { value, path } = frame;
    if (typeof value === "string" && value.includes(CDKTF_TOKEN_MARKER)) {
      frame.assign(
        replace(path, {
          value: undefined,
          message: `contains "${CDKTF_TOKEN_MARKER}", cdktf's marker for its internal references`,
          hint: "remove it: cdktf would try to resolve it and stop",
        }),
      );
      continue;
    }
    if (typeof value === "string") {
      frame.assign(
        value.length > MAX_STRING_CHARACTERS
          ? replace(path, {
              value: undefined,
              message: `is ${value.length} characters long: at most ${MAX_STRING_CHARACTERS} are allowed (got "${shownText(value)}")`,
              hint: "no setting needs a value this long; check that the right text is there",
            })
          : value,
      );
      continue;
    }
    if (value === null || typeof value !== "object") {
      frame.assign(value);
      continue;
    }
    if (frame.ancestors.has(value)) {
      frame.assign(
        replace(path, {
          value: undefined,
          message: "contains itself through a YAML alias",
          hint: "an alias (*name) cannot be used inside the node its anchor (&name) marks",
        }),
      );
      continue;
    }
    if (frame.depth >= MAX_DEPTH) {
      frame.assign(
        replace(path, {
          value: undefined,
          message: `nests deeper than ${MAX_DEPTH} levels`,
          hint: "the schema is a few levels deep; see environments/schema.json",
        }),
      );
      continue;
    }
    const ancestors = new Set(frame.ancestors).add(value);
    const entries: Array<[string | number, unknown]> = Array.isArray(value)
      ? value.map((item, i) => [i, item])
      : Object.entries(value as Json);
    const copy: unknown[] | Json = Array.isArray(value) ? new Array(value.length) : {};
    frame.assign(copy);
    for (const [key, child] of entries) {
      const childPath = joinPath(path, key);
      if (typeof key === "string" && key.length > MAX_STRING_CHARACTERS) {
        // Dropped from the copy; the rest of the object is still checked.
        problems.push({
          path,
          value: undefined,
          message: `has a key of ${key.length} characters ("${shownText(key)}")`,
          hint: "no setting has a name this long; check the YAML",
        });
        continue;
      }
      // Reserved now, so the copy keeps the file's key order (frames are taken last in, first
      // out): the order of sides decides the order of their stacks.
      (copy as Record<string | number, unknown>)[key] = undefined;
      stack.push({
        value: child,
        path: childPath,
        depth: frame.depth + 1,
        ancestors,
        assign: (childCopy) => {
          (copy as Record<string | number, unknown>)[key] = childCopy;
        },
      });
    }
  }
  return { input: root, problems, replacedPaths };
}

/** True when `path` is `replaced` or inside it. */
export function isUnder(path: string, replaced: string): boolean {
  return replaced === "" || path === replaced || path.startsWith(`${replaced}.`);
}
