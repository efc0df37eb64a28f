/**
 * OCI image references, checked with the grammar of distribution/reference (reference.go):
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [domain "/"] path-component ["/" path-component]*
 *   domain    := host [":" port]; a first component is a domain when it holds "." or ":"
 *                or is "localhost"
 *   path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := "." | "_" | "__" | "-"+
 *   tag       := [\w][\w.-]{0,127}
 *   digest    := algorithm ":" hex (sha256: 64 hex digits)
 * Names are at most 255 characters (reference.go NameTotalLengthMax).
 * https://github.com/distribution/reference/blob/main/reference.go
 */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const NAME_MAX = 255;

/** Why `reference` is not a valid image reference, or undefined when it is. */
export function imageReferenceProblem(reference: string): string | undefined {
  const at = reference.indexOf("@");
  const withoutDigest = at < 0 ? reference : reference.slice(0, at);
  if (at >= 0 && !DIGEST.test(reference.slice(at + 1))) {
    return "has a digest that is not sha256:<64 hex digits>";
  }
  const slash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.lastIndexOf(":");
  const hasTag = colon > slash;
  const name = hasTag ? withoutDigest.slice(0, colon) : withoutDigest;
  if (hasTag && !TAG.test(withoutDigest.slice(colon + 1))) {
    return "has an invalid tag (letters, digits, _ . -, at most 128, not starting with . or -)";
  }
  if (name.length === 0) return "has no repository name";
  if (name.length > NAME_MAX) return `has a name longer than ${NAME_MAX} characters`;
  const components = name.split("/");
  const first = components[0];
  const isDomain =
    components.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
  if (isDomain) {
    const [host, port] = first.split(":");
    if (!host.split(".").every((part) => DOMAIN_COMPONENT.test(part))) {
      return `has an invalid registry host ${first}`;
    }
    if (port !== undefined && !/^[0-9]{1,5}$/.test(port)) return `has an invalid port in ${first}`;
    components.shift();
  }
  if (!components.every((component) => PATH_COMPONENT.test(component))) {
    return "has an invalid repository path (lowercase letters, digits and . _ - between them)";
  }
  return undefined;
}
