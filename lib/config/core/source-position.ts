import { isMap, isNode, isPair, isScalar, isSeq, type Document, type LineCounter } from "yaml";

/** Where a setting is written in the file (1-based, as editors count). */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/**
 * The position of the setting at a dotted path: its key when the file has it, else the
 * nearest enclosing setting that the file has (a missing field points at its parent).
 */
export function positionOf(
  document: Document,
  lineCounter: LineCounter,
  path: string,
): SourcePosition | undefined {
  if (path === "") return undefined;
  let node: unknown = document.contents;
  let offset: number | undefined;
  for (const segment of path.split(".")) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === segment,
      );
      if (!pair || !isNode(pair.key)) break;
      offset = pair.key.range?.[0];
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (!isNode(item)) break;
      offset = item.range?.[0];
      node = item;
    } else {
      break;
    }
  }
  if (offset === undefined) return undefined;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}
