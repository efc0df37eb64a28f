/**
 * Safe display of text taken from an environment file: a message must never let the file
 * drive the terminal (escape sequences, bidirectional overrides) or flood it (huge values).
 */

/** Longest value shown in a message before it is cut. */
export const MAX_SHOWN_CHARACTERS = 80;

/**
 * C0 and C1 controls, DEL, and the Unicode bidirectional marks, embeddings, overrides and
 * isolates (Unicode TR9; CVE-2021-42574 "Trojan Source").
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

function escapeCharacter(character: string): string {
  const code = character.codePointAt(0) ?? 0;
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** The text with every control and bidi character written as an escape. */
export function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE, escapeCharacter);
}

/** At most `max` characters of the text, escaped, with its full length when it was cut. */
export function shownText(text: string, max = MAX_SHOWN_CHARACTERS): string {
  const characters = Array.from(text);
  const escaped = escapeUnsafe(characters.slice(0, max).join(""));
  return characters.length > max ? `${escaped}… (${characters.length} characters)` : escaped;
}

/**
 * A value from the file as a message shows it: strings quoted, long ones cut, objects and
 * lists summarised rather than dumped (they may be large or even cyclic through YAML aliases).
 */
export function shownValue(value: unknown): string {
  if (typeof value === "string") return `"${shownText(value)}"`;
  if (value === null || typeof value !== "object") return shownText(String(value));
  const summary = Array.isArray(value)
    ? `a list of ${value.length} item(s)`
    : `an object with ${Object.keys(value).length} key(s)`;
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch {
    return summary; // cyclic through a YAML alias
  }
  return Array.from(json).length <= MAX_SHOWN_CHARACTERS ? escapeUnsafe(json) : summary;
}
