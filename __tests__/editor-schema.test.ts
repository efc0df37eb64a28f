/**
 * environments/schema.json as an editor uses it, run by a real JSON Schema validator (ajv,
 * draft 2020-12): the shipped files pass, malformed CIDRs, IPs and ASNs fail, and a mistake in
 * a standalone file is reported once, at its field, not once per branch of every union. What
 * the editor shows is checked too: a sentence for every pattern, nothing odd to complete, and a
 * "required" column in the reference that is what the schema (and zod) require.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { configReferenceRows, JSON_SCHEMA_ID, JSON_SCHEMA_TITLE } from "../lib/config/json-schema";
import type { ReferenceRow } from "../lib/config/reference";
import { configSchema } from "../lib/config/schema";
import { merge, rawEnvironment, ROOT } from "./helpers/config";
import { ENVIRONMENTS, EXAMPLES } from "./helpers/environments";

type Json = Record<string, unknown>;

const schema = JSON.parse(readFileSync(join(ROOT, "environments/schema.json"), "utf8")) as Json;
// strict: false lets ajv pass over the editor-only keywords (patternErrorMessage,
// enumDescriptions), as every validator that does not know them must.
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

function isJson(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every schema object in the editor schema, with where it is. */
function nodesOf(node: unknown, at = ""): Array<{ at: string; node: Json }> {
  if (Array.isArray(node)) return node.flatMap((item, i) => nodesOf(item, `${at}/${i}`));
  if (!isJson(node)) return [];
  const children = Object.entries(node).filter(
    ([key]) => !["const", "enum", "default", "enumDescriptions"].includes(key),
  );
  return [{ at, node }, ...children.flatMap(([key, value]) => nodesOf(value, `${at}/${key}`))];
}
const NODES = nodesOf(schema);

/** A validator whose errors carry their schema object, where patternErrorMessage is. */
let verbose: ValidateFunction | undefined;
function withSchemas(): ValidateFunction {
  if (!verbose) {
    const ajvVerbose = new Ajv2020({ allErrors: true, strict: false, verbose: true });
    addFormats(ajvVerbose);
    verbose = ajvVerbose.compile(schema);
  }
  return verbose;
}

/** The validator's errors, without the "must match then schema" summary of each `if`. */
function errorsOf(document: unknown): ErrorObject[] {
  if (validate(document)) return [];
  return (validate.errors ?? []).filter((error) => error.keyword !== "if");
}

describe("the editor schema (environments/schema.json)", () => {
  it.each(Object.values(ENVIRONMENTS))("%s passes", (file) => {
    expect(errorsOf(parse(readFileSync(join(ROOT, file), "utf8")))).toEqual([]);
  });

  it("has no oneOf left: discriminated unions are if/then on their discriminator", () => {
    expect(JSON.stringify(schema)).not.toContain('"oneOf"');
  });

  it.each([
    [
      "a CIDR with a bad octet",
      { cloud: { network: { subnetCidr: "10.0.300.0/24" } } },
      "/cloud/network/subnetCidr",
    ],
    [
      "a CIDR without a prefix",
      { cloud: { network: { podsCidr: "10.4.0.0" } } },
      "/cloud/network/podsCidr",
    ],
    ["an address that is not IPv4", { onprem: { registryIp: "10.0.0.256" } }, "/onprem/registryIp"],
    ["a public ASN", { cloud: { asn: 15169 } }, "/cloud/asn"],
    ["ASN 65535 (reserved)", { onprem: { asn: 65535 } }, "/onprem/asn"],
  ])("rejects %s", (_name, patch, path) => {
    const errors = errorsOf(merge(rawEnvironment("environments/example.yaml"), patch));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((error) => error.instancePath === path)).toBe(true);
  });

  it("one typo in a standalone file: errors at that field only, none from the hybrid branch", () => {
    const errors = errorsOf(
      merge(rawEnvironment("environments/standalone-k3s.yaml"), {
        registry: { exposure: { type: "loadBalancer", ip: "192.168.0.2022" } },
      }),
    );
    expect(errors.map((error) => error.instancePath)).toEqual(
      expect.arrayContaining(["/registry/exposure/ip"]),
    );
    expect(errors.filter((error) => error.instancePath !== "/registry/exposure/ip")).toEqual([]);
  });

  it("an unknown key in a standalone file is one error at its object", () => {
    const errors = errorsOf(
      merge(rawEnvironment("environments/standalone-k3s.yaml"), { registry: { imagee: "x" } }),
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      instancePath: "/registry",
      keyword: "additionalProperties",
      params: { additionalProperty: "imagee" },
    });
  });

  it("has a stable identity, whatever path or URL a file loads it from", () => {
    expect(schema).toMatchObject({
      $id: "urn:hybrid-registry:environment",
      title: "hybrid-registry environment",
    });
    expect([JSON_SCHEMA_ID, JSON_SCHEMA_TITLE]).toEqual([schema.$id, schema.title]);
  });

  it("gives every pattern a sentence for the editor to show instead of the expression", () => {
    const patterned = NODES.filter(({ node }) => typeof node.pattern === "string");
    expect(patterned.length).toBeGreaterThan(100);
    // A sentence, not the expression again: no anchors, classes, escapes or quantifiers.
    const unreadable = patterned.filter(({ node }) => {
      const message = node.patternErrorMessage;
      return (
        typeof message !== "string" ||
        !/^[A-Z][a-z]* [a-z]/.test(message) ||
        message.includes(String(node.pattern)) ||
        /\\[dws]|\[\^|\)[?*+]/.test(message)
      );
    });
    expect(unreadable).toEqual([]);
  });

  it("uses patternErrorMessage, not errorMessage, which editors also show for type and required errors", () => {
    expect(NODES.filter(({ node }) => "errorMessage" in node)).toEqual([]);
  });

  it.each([
    [
      "a CIDR with a bad octet",
      { cloud: { network: { subnetCidr: "10.0.300.0/24" } } },
      "Must be an IPv4 network in CIDR notation with no host bits set, e.g. 10.0.0.0/24",
    ],
    [
      "a project id with capitals",
      { cloud: { projectId: "My-Project" } },
      "Must be a GCP project id: 6-30 characters, lowercase letters, digits and '-'",
    ],
    [
      "a side name with an underscore",
      { cloud: null, sides: { my_side: rawEnvironment("environments/example.yaml").cloud } },
      "Is not a side name: start with a letter, then a-z, 0-9 and '-', at most 20 characters",
    ],
  ])("shows a sentence for %s", (_name, patch, message) => {
    const check = withSchemas();
    expect(check(merge(rawEnvironment("environments/example.yaml"), patch))).toBe(false);
    const patternErrors = (check.errors ?? []).filter((error) => error.keyword === "pattern");
    expect(patternErrors.map((error) => (error.parentSchema as Json).patternErrorMessage)).toEqual([
      message,
    ]);
  });

  it("offers nothing odd to complete", () => {
    const odd = NODES.flatMap(({ at, node }) => {
      const enums = Array.isArray(node.enum) ? node.enum : [];
      const labels = Array.isArray(node.enumDescriptions) ? node.enumDescriptions : undefined;
      return [
        // Offered as a "Default value" that inserts an empty object.
        JSON.stringify(node.default) === "{}" && `${at}: default {}`,
        // The reference's @default convention reads "Default: ..." in an editor.
        String(node.description ?? "").includes("@default") && `${at}: @default`,
        (enums.includes("") || new Set(enums).size !== enums.length) && `${at}: enum`,
        labels &&
          (labels.length !== enums.length || !labels.every((text) => /^[A-Z].{10,}/.test(text))) &&
          `${at}: enumDescriptions`,
      ].filter((problem) => problem !== false && problem !== undefined);
    });
    expect(odd).toEqual([]);
    // A discriminator is offered once, from its enum: each branch's `then` names it, unconstrained.
    const branches = NODES.filter(({ node }) => isJson(node.if));
    expect(branches.length).toBeGreaterThan(10);
    const repeated = branches.filter(({ node }) => {
      const [key] = Object.keys((node.if as { properties: Json }).properties);
      return (node.then as { properties: Json }).properties[key] !== true;
    });
    expect(repeated).toEqual([]);
  });
});

/** The concrete places a reference path names in a file: `<name>` is each key, `[]` each entry. */
function placesOf(value: unknown, path: string[]): string[][] {
  if (path.length === 0) return value === undefined ? [] : [[]];
  const [head, ...rest] = path;
  const name = head.replace(/\[\]$/, "");
  const next = isJson(value) ? value[name] : undefined;
  if (head === "<name>") {
    if (!isJson(value)) return [];
    return Object.entries(value).flatMap(([key, child]) =>
      placesOf(child, rest).map((place) => [key, ...place]),
    );
  }
  if (head.endsWith("[]")) {
    if (!Array.isArray(next)) return [];
    return next.flatMap((item, i) =>
      placesOf(item, rest).map((place) => [name, String(i), ...place]),
    );
  }
  return placesOf(next, rest).map((place) => [name, ...place]);
}

function valueAt(document: unknown, place: readonly string[]): unknown {
  return place.reduce<unknown>(
    (node, key) => (isJson(node) || Array.isArray(node) ? (node as Json)[key] : undefined),
    document,
  );
}

function without(document: Json, place: readonly string[]): Json {
  const copy = structuredClone(document);
  const parent = valueAt(copy, place.slice(0, -1)) as Json;
  delete parent[place[place.length - 1]];
  return copy;
}

/** The concrete place of `path`, a reference path that `place` is inside. */
function prefixOf(path: string, place: readonly string[]): string[] {
  const length = path.split(".").reduce((n, key) => n + (key.endsWith("[]") ? 2 : 1), 0);
  return place.slice(0, length);
}

function accepted(document: Json): { zod: boolean; editor: boolean } {
  return { zod: configSchema.safeParse(document).success, editor: Boolean(validate(document)) };
}

/** A row applies to a file in the variants its conditions name (any value of each union). */
function appliesTo(row: ReferenceRow, document: Json): boolean {
  const unions = new Set(row.conditions.map((condition) => condition.union));
  return [...unions].every((union) =>
    row.conditions.some(
      (c) => c.union === union && valueAt(document, union.split(".")) === c.value,
    ),
  );
}

describe('the reference\'s "required" column', () => {
  const rows = configReferenceRows();
  const files = [...Object.values(ENVIRONMENTS), ...Object.values(EXAMPLES)];

  it.each(files)("is what the schema requires, field by field, in %s", (file) => {
    const document = rawEnvironment(file);
    expect(configSchema.safeParse(document).success).toBe(true);
    const checked: string[] = [];
    for (const row of rows.filter((candidate) => appliesTo(candidate, document))) {
      for (const place of placesOf(document, row.path.split("."))) {
        const field = place.join(".");
        // Leaving out a required field is refused by both; leaving out any other is not.
        const outcome = { field, ...accepted(without(document, place)) };
        expect(outcome).toEqual({ field, zod: !row.required, editor: !row.required });
        // "yes, if X is set": X itself may be left out.
        if (row.required && row.requiredWith) {
          const optional = prefixOf(row.requiredWith, place);
          const withoutOptional = { field, ...accepted(without(document, optional)) };
          expect(withoutOptional).toEqual({ field, zod: true, editor: true });
        }
        checked.push(field);
      }
    }
    expect(checked.length).toBeGreaterThan(5);
  });

  it("marks cloud.projectId like sides.<name>.projectId: required once its section is written", () => {
    const required = (pattern: RegExp) =>
      rows.filter((row) => row.required && pattern.test(row.path)).map((row) => row.path);
    expect(required(/^cloud\.projectId$|^sides\.<name>\.projectId$/)).toEqual([
      "cloud.projectId",
      "sides.<name>.projectId",
    ]);
  });
});
