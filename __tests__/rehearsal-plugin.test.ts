/**
 * The stand-in providers' plugin core without Terraform: the cty msgpack/JSON codec, the
 * generic plan/apply/read behaviour, the go-plugin server certificate and the mirror layout.
 * __tests__/e2e/rehearsal-plugin.e2e.ts runs the same code under real Terraform.
 */
import { X509Certificate } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProviderSchema, SchemaAttribute } from "../lib/rehearsal/provider-schema";
import { serverCertificate } from "../lib/rehearsal/plugin/cert";
import {
  DynamicValue,
  fromJson,
  fromMsgpack,
  impliedType,
  toMsgpack,
  Unknown,
  type Value,
  type WireType,
} from "../lib/rehearsal/plugin/cty";
import {
  defaultApply,
  defaultImport,
  defaultPlan,
  defaultReadData,
  type StandInProvider,
} from "../lib/rehearsal/plugin/provider";
import { terraformPlatform, writeMirror } from "../lib/rehearsal/plugin/mirror";
import { providerServiceWithSchemaCache } from "../lib/rehearsal/plugin/server";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const roundTrip = (type: WireType, value: Value): Value =>
  fromMsgpack(type, toMsgpack(type, value));

describe("cty msgpack codec", () => {
  it("encodes a wholly unknown value as cty does: fixext1, type 0, one zero byte", () => {
    // zclconf/go-cty cty/msgpack/unknown.go:26 unknownValBytes = {0xd4, 0, 0}
    expect(hex(toMsgpack("string", Unknown))).toBe("d40000");
    expect(fromMsgpack("number", Buffer.from("d40000", "hex"))).toBe(Unknown);
  });

  it("reads a refined unknown (extension 0x0c with a refinement map) as unknown", () => {
    // cty/msgpack/unknown.go:32 and marshalUnknownValue: ext8, length 3, type 0x0c, {1: false}
    // (nullness refinement: definitely not null).
    expect(fromMsgpack("string", Buffer.from("c7030c8101c2", "hex"))).toBe(Unknown);
  });

  it("writes object attributes sorted, every one present, null where unset", () => {
    // cty/msgpack/marshal.go:175 sorts attribute names; absent attributes are null (0xc0).
    const type: WireType = ["object", { b: "number", a: "string" }];
    // 82 (map of 2) a1 'a' a1 'x' a1 'b' c0 (nil)
    expect(hex(toMsgpack(type, { a: "x" }))).toBe("82a161a178a162c0");
    expect(fromMsgpack(type, Buffer.from("82a161a178a162c0", "hex"))).toEqual({ a: "x", b: null });
  });

  it("writes integers compactly and fractions as float64", () => {
    // marshal.go:91-93: EncodeInt for exact integers (compact), EncodeFloat64 otherwise.
    expect(hex(toMsgpack("number", 5))).toBe("05");
    expect(hex(toMsgpack("number", 300))).toBe("cd012c");
    expect(hex(toMsgpack("number", -1))).toBe("ff");
    expect(hex(toMsgpack("number", 0.5))).toBe("cb3fe0000000000000");
    // A number too large for int64 and float64 comes as a decimal string (unmarshal.go).
    expect(fromMsgpack("number", Buffer.from("a3313233", "hex"))).toBe(123);
  });

  it("wraps dynamic values as [type JSON bytes, value]", () => {
    // cty/msgpack/dynamic.go:24-25: array of 2, bin(type JSON), value.
    const encoded = toMsgpack("dynamic", new DynamicValue("string", "hi"));
    expect(hex(encoded)).toBe(`92c408${Buffer.from('"string"').toString("hex")}a26869`);
    expect(fromMsgpack("dynamic", encoded)).toEqual(new DynamicValue("string", "hi"));
    // A plain value is typed as cty would type a literal: arrays are tuples.
    expect(roundTrip("dynamic", ["a", 1])).toEqual(
      new DynamicValue(["tuple", ["string", "number"]], ["a", 1]),
    );
    // Unknown and null of dynamic type are not wrapped (marshal.go marshal, unmarshal.go:30).
    expect(hex(toMsgpack("dynamic", Unknown))).toBe("d40000");
    expect(hex(toMsgpack("dynamic", null))).toBe("c0");
  });

  it("round-trips nested objects, lists, sets and maps with unknowns inside", () => {
    const type: WireType = [
      "object",
      {
        name: "string",
        enabled: "bool",
        tags: ["set", "string"],
        labels: ["map", "string"],
        rules: ["list", ["object", { port: "number", cidrs: ["list", "string"] }]],
        extra: "dynamic",
      },
    ];
    const value: Value = {
      name: "a",
      enabled: Unknown,
      tags: ["x", "y"],
      labels: { app: "registry", tier: Unknown },
      rules: [
        { port: 443, cidrs: ["10.0.0.0/8", Unknown] },
        { port: Unknown, cidrs: Unknown },
      ],
      extra: new DynamicValue(["object", { n: "number" }], { n: 1.25 }),
    };
    expect(roundTrip(type, value)).toEqual(value);
    expect(roundTrip(type, null)).toBeNull();
    expect(roundTrip(["list", "string"], [])).toEqual([]);
    expect(roundTrip(["map", ["set", "number"]], { a: [1, 2], b: null })).toEqual({
      a: [1, 2],
      b: null,
    });
  });

  it("refuses a value that does not fit its type, naming the path", () => {
    const type: WireType = ["object", { rules: ["list", ["object", { port: "number" }]] }];
    expect(() => toMsgpack(type, { rules: [{ port: "443" }] })).toThrow(
      "rules.0.port: number expected",
    );
    expect(() => toMsgpack(type, { rules: [], stray: 1 })).toThrow("stray: attribute not in");
  });

  it("reads stored JSON state, dynamic values as {value, type}, dropping removed attributes", () => {
    // cty/json value.go: dynamic values are {"value": ..., "type": ...}.
    const type: WireType = ["object", { id: "string", count: "number", any: "dynamic" }];
    expect(
      fromJson(type, {
        id: "x",
        count: 2,
        any: { value: ["a"], type: ["list", "string"] },
        old: 1,
      }),
    ).toEqual({ id: "x", count: 2, any: new DynamicValue(["list", "string"], ["a"]) });
  });
});

const attribute = (
  name: string,
  type: SchemaAttribute["type"],
  flags: Partial<Pick<SchemaAttribute, "required" | "optional" | "computed">>,
): SchemaAttribute => ({
  name,
  type,
  required: false,
  optional: false,
  computed: false,
  sensitive: false,
  ...flags,
});

const schema: ProviderSchema = {
  source: "hashicorp/example",
  version: "1.0.0",
  provider: { attributes: [], blockTypes: [] },
  resources: {
    example_thing: {
      version: 0,
      block: {
        attributes: [
          attribute("id", "string", { computed: true }),
          attribute("name", "string", { required: true }),
          attribute("size", "number", { optional: true }),
          attribute("zone", "string", { optional: true, computed: true }),
        ],
        blockTypes: [
          {
            typeName: "disk",
            nesting: "list",
            minItems: 0,
            maxItems: 0,
            block: {
              attributes: [
                attribute("type", "string", { required: true }),
                attribute("self_link", "string", { computed: true }),
              ],
              blockTypes: [],
            },
          },
        ],
      },
    },
  },
  dataSources: {
    example_lookup: {
      version: 0,
      block: {
        attributes: [
          attribute("name", "string", { required: true }),
          attribute("members", ["list", "string"], { computed: true }),
          attribute("count", "number", { computed: true }),
        ],
        blockTypes: [],
      },
    },
  },
};
const provider: StandInProvider = {
  schema,
  forceNew: { example_thing: [["name"], ["disk", "type"]] },
};

describe("generic stand-in behaviour", () => {
  const config = {
    id: null,
    name: "a",
    size: 1,
    zone: null,
    disk: [{ type: "ssd", self_link: null }],
  };

  it("types a block as Terraform does: nested list blocks are lists of objects", () => {
    expect(
      impliedType(schema.resources.example_thing?.block ?? { attributes: [], blockTypes: [] }),
    ).toEqual([
      "object",
      {
        id: "string",
        name: "string",
        size: "number",
        zone: "string",
        disk: ["list", ["object", { type: "string", self_link: "string" }]],
      },
    ]);
  });

  it("plans a create with computed attributes unknown, nested blocks included", () => {
    const plan = defaultPlan(provider, {
      typeName: "example_thing",
      prior: null,
      proposed: config,
      config,
    });
    expect(plan.planned).toEqual({
      ...config,
      id: Unknown,
      zone: Unknown,
      disk: [{ type: "ssd", self_link: Unknown }],
    });
    expect(plan.requiresReplace).toEqual([]);
  });

  it("applies deterministically: the same plan fills the same values", () => {
    const { planned } = defaultPlan(provider, {
      typeName: "example_thing",
      prior: null,
      proposed: config,
      config,
    });
    const request = { typeName: "example_thing", prior: null, planned, config };
    const state = defaultApply(provider, request);
    expect(state).toEqual(defaultApply(provider, request));
    expect(state?.id).toMatch(/^example_thing-[0-9a-f]{8}$/);
    expect(state?.disk).toEqual([{ type: "ssd", self_link: expect.stringMatching(/^example_/) }]);
    expect(state?.id).not.toBe(state?.zone);
    expect(defaultApply(provider, { ...request, planned: null })).toBeNull();
  });

  it("keeps stored computed values on an in-place update", () => {
    const prior = { ...config, id: "i-1", zone: "z", disk: [{ type: "ssd", self_link: "l" }] };
    const proposed = { ...prior, size: 2 };
    const plan = defaultPlan(provider, {
      typeName: "example_thing",
      prior,
      proposed,
      config: { ...config, size: 2 },
    });
    expect(plan).toEqual({ planned: proposed, requiresReplace: [] });
  });

  it("lists the changed forceNew paths, down to the list element, and plans a new object", () => {
    const prior = { ...config, id: "i-1", zone: "z", disk: [{ type: "ssd", self_link: "l" }] };
    const changed = { ...config, disk: [{ type: "hdd", self_link: null }] };
    const plan = defaultPlan(provider, {
      typeName: "example_thing",
      prior,
      proposed: { ...prior, disk: [{ type: "hdd", self_link: "l" }] },
      config: changed,
    });
    expect(plan.requiresReplace).toEqual([["disk", 0, "type"]]);
    expect(plan.planned.id).toBe(Unknown);
    // An unknown forceNew value forces replacement too (Terraform cannot tell it is equal).
    const unknownName = defaultPlan(provider, {
      typeName: "example_thing",
      prior,
      proposed: { ...prior, name: Unknown },
      config: { ...config, name: Unknown },
    });
    expect(unknownName.requiresReplace).toEqual([["name"]]);
  });

  it("reads data sources as their configuration with computed attributes filled", () => {
    expect(
      defaultReadData(provider, "example_lookup", { name: "n", members: null, count: null }),
    ).toEqual({ name: "n", members: [], count: 0 });
  });

  it("imports an object with only its id set and its list blocks empty", () => {
    expect(defaultImport(provider, "example_thing", "i-9")).toEqual({
      id: "i-9",
      name: null,
      size: null,
      zone: null,
      disk: [],
    });
  });
});

describe("GetProviderSchema answer cache", () => {
  /** Call the GetProviderSchema handler and decode what it puts on the wire. */
  const answer = async (
    forProvider: StandInProvider,
    file: string,
  ): Promise<{ resource_schemas: object }> => {
    const { definition, implementation } = providerServiceWithSchemaCache(forProvider, file);
    const method = definition.GetProviderSchema;
    const handler = implementation.GetProviderSchema as (
      call: { request: object },
      callback: (error: unknown, value: unknown) => void,
    ) => void;
    if (!method) throw new Error("no GetProviderSchema");
    const sent = await new Promise<unknown>((resolve, reject) =>
      handler({ request: {} }, (error, value) => (error ? reject(error) : resolve(value))),
    );
    return method.responseDeserialize(method.responseSerialize(sent)) as {
      resource_schemas: object;
    };
  };

  it("writes the encoded answer once and serves later processes from the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rehearsal-schema-cache-"));
    try {
      const file = join(dir, "example.pb");
      const first = await answer(provider, file);
      expect(Object.keys(first.resource_schemas)).toEqual(["example_thing"]);
      expect(statSync(file).size).toBeGreaterThan(0);
      // A provider with another schema, same file: the stored answer is what goes out.
      const other: StandInProvider = { schema: { ...schema, resources: {} } };
      const second = await answer(other, file);
      expect(Object.keys(second.resource_schemas)).toEqual(["example_thing"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("go-plugin server certificate", () => {
  it("is a self-signed CA certificate for localhost, as go-plugin's AutoMTLS trusts it", () => {
    // hashicorp/go-plugin mtls.go generateCert; client.go loadServerCert + ServerName localhost.
    const ours = serverCertificate();
    const certificate = new X509Certificate(ours.certPem);
    expect(certificate.ca).toBe(true);
    expect(certificate.checkHost("localhost")).toBe("localhost");
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
    // The handshake carries the DER as unpadded standard base64 (server.go RawStdEncoding).
    expect(ours.handshake).not.toMatch(/=$/);
    expect(Buffer.from(ours.handshake, "base64").equals(certificate.raw)).toBe(true);
  });

  it("encodes serial numbers minimally, whatever the random bytes", () => {
    // DER forbids padding an INTEGER; OpenSSL (and Go's crypto/x509) refuse such certificates.
    const padded = Buffer.from("000102030405060708090a0b0c0d0e0f", "hex");
    expect(new X509Certificate(serverCertificate(new Date(), padded).certPem).serialNumber).toBe(
      "0102030405060708090A0B0C0D0E0F",
    );
    const high = Buffer.from("ff0102030405060708090a0b0c0d0e0f", "hex");
    expect(new X509Certificate(serverCertificate(new Date(), high).certPem).serialNumber).toBe(
      "FF0102030405060708090A0B0C0D0E0F",
    );
  });
});

describe("filesystem mirror", () => {
  it("bundles the project's stand-ins once and reuses the bundle while its inputs are unchanged", async () => {
    const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), "rehearsal-mirror-")));
    try {
      const standIn = {
        source: "hashicorp/random",
        version: "3.7.2",
        module: join(__dirname, "..", "lib", "rehearsal", "stand-ins", "random.ts"),
      };
      const bundleOf = (dir: string) =>
        /exec '[^']+' '([^']+)'/.exec(
          readFileSync(
            join(
              dir,
              "providers/registry.terraform.io/hashicorp/random/3.7.2",
              terraformPlatform(),
              "terraform-provider-random_v3.7.2",
            ),
            "utf8",
          ),
        )?.[1] ?? "";
      await writeMirror(dirs[0] ?? "", [standIn]);
      const first = bundleOf(dirs[0] ?? "");
      expect(first).toContain(
        join("node_modules", ".cache", "hybrid-registry", "stand-in-random-"),
      );
      const built = statSync(first).mtimeMs;
      await writeMirror(dirs[1] ?? "", [standIn]);
      expect(bundleOf(dirs[1] ?? "")).toBe(first);
      expect(statSync(first).mtimeMs).toBe(built);
    } finally {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes an executable per provider in the unpacked layout and a CLI config for it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rehearsal-mirror-"));
    try {
      const module = join(dir, "random.ts");
      writeFileSync(module, `export const provider = ${JSON.stringify(provider)};\n`);
      const installation = await writeMirror(dir, [
        { source: "hashicorp/random", version: "3.7.2", module },
      ]);
      const executable = join(
        dir,
        "providers/registry.terraform.io/hashicorp/random/3.7.2",
        terraformPlatform(),
        "terraform-provider-random_v3.7.2",
      );
      expect(statSync(executable).mode & 0o111).toBe(0o111);
      const bundle = join(dir, "bundles", "random.cjs");
      expect(readFileSync(executable, "utf8")).toContain(
        `'${bundle}' '${join(dir, "schemas", "random-3.7.2.pb")}'`,
      );
      // The bundle runs on its own: started outside Terraform it answers as go-plugin does.
      const started = spawnSync(executable, [], { encoding: "utf8" });
      expect(started.status).toBe(1);
      expect(started.stderr).toContain("This binary is a plugin.");
      const rc = readFileSync(installation.cliConfigFile, "utf8");
      expect(rc).toContain(`path    = "${join(dir, "providers")}"`);
      expect(rc).toContain('include = ["registry.terraform.io/hashicorp/random"]');
      expect(rc).toContain('exclude = ["registry.terraform.io/hashicorp/random"]');
      expect(installation.env.TF_CLI_CONFIG_FILE).toBe(installation.cliConfigFile);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
