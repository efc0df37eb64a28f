/**
 * environments/schema.json as an editor uses it, run by a real JSON Schema validator (ajv,
 * draft 2020-12): the shipped files pass, malformed CIDRs, IPs and ASNs fail, and a mistake in
 * a standalone file is reported once, at its field, not once per branch of every union.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020, { type ErrorObject } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { merge, rawEnvironment, ROOT } from "./helpers/config";
import { ENVIRONMENTS } from "./helpers/environments";

const schema = JSON.parse(readFileSync(join(ROOT, "environments/schema.json"), "utf8")) as object;
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

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
});
