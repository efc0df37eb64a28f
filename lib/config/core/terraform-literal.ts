/**
 * Terraform evaluates `${...}` and `%{...}` in every string of its JSON syntax that is an
 * expression (resource and provider arguments, outputs, remote-state configs): a config value
 * such as `${file("...")}` would be run, not written. `$${` and `%%{` are the escapes that make
 * Terraform read the sequence literally
 * (https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences-1).
 * Backend blocks are the exception: Terraform reads them without evaluation, so an escape
 * would be kept as is; the schema refuses these sequences in backend settings instead.
 */

/** The string with every template sequence escaped. */
export function terraformLiteral(text: string): string {
  return text.replaceAll("${", "$$${").replaceAll("%{", "%%{");
}

/** True when Terraform would read the string as a template rather than literally. */
export function hasTemplateSequence(text: string): boolean {
  return text.includes("${") || text.includes("%{");
}

/** A deep copy of a parsed config with every string made a Terraform literal. */
export function terraformLiterals<T>(value: T): T {
  return mapStrings(value) as T;
}

function mapStrings(value: unknown): unknown {
  if (typeof value === "string") return terraformLiteral(value);
  if (Array.isArray(value)) return value.map(mapStrings);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, child]) => [terraformLiteral(key), mapStrings(child)]),
    );
  }
  return value;
}
