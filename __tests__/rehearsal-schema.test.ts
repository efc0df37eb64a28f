/**
 * The stand-in providers' schemas generated from the pinned bindings
 * (lib/rehearsal/binding-schema.ts): every resource, data source and provider block the
 * project synthesizes fits them, and facts of the real providers hold.
 */
import {
  assumedComputed,
  BINDING_PROVIDERS,
  providerSchema,
  type BindingProviderName,
} from "../lib/rehearsal/binding-schema";
import type { CtyType, SchemaBlock, SchemaNestedBlock } from "../lib/rehearsal/provider-schema";
import { SYNTH_NAMES, stacksOf } from "./helpers/environments";

type Json = Record<string, unknown>;

/** Terraform's meta-arguments and cdktf's metadata key: not part of any schema. */
const META = new Set([
  "//",
  "count",
  "for_each",
  "depends_on",
  "lifecycle",
  "provider",
  "provisioner",
  "connection",
]);

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A whole-value expression (`${...}`) can stand for any type. */
function isExpression(value: unknown): boolean {
  return typeof value === "string" && value.startsWith("${") && value.endsWith("}");
}

/** Shape problems of a literal value against a cty type (not conversions Terraform makes). */
function typeProblems(value: unknown, type: CtyType, path: string): string[] {
  if (type === "dynamic" || isExpression(value) || value === null) return [];
  if (typeof type === "string") {
    return isObject(value) || Array.isArray(value) ? [`${path}: ${type} expected`] : [];
  }
  if (type[0] === "object") {
    const fields = type[1];
    if (!isObject(value)) return [`${path}: object expected`];
    return Object.entries(value).flatMap(([key, item]) =>
      key in fields
        ? typeProblems(item, fields[key], `${path}.${key}`)
        : [`${path}.${key}: not in the object type`],
    );
  }
  const [kind, inner] = type;
  if (kind === "map") {
    if (!isObject(value)) return [`${path}: map expected`];
    return Object.entries(value).flatMap(([key, item]) =>
      typeProblems(item, inner, `${path}.${key}`),
    );
  }
  if (!Array.isArray(value)) return [`${path}: ${kind} expected`];
  return value.flatMap((item, index) => typeProblems(item, inner, `${path}[${index}]`));
}

function blockBodies(value: unknown, nested: SchemaNestedBlock, path: string): [Json[], string[]] {
  if (isExpression(value)) return [[], []];
  if (isObject(value)) {
    // An object is one block: cdktf writes single-item blocks (max 1, or nesting single) so.
    return nested.nesting === "single" || nested.maxItems === 1
      ? [[value], []]
      : [[], [`${path}: an object where the schema has a ${nested.nesting} block without max 1`]];
  }
  if (!Array.isArray(value)) return [[], [`${path}: not a block`]];
  if (nested.nesting === "single") return [[], [`${path}: an array for a single block`]];
  const problems =
    nested.maxItems > 0 && value.length > nested.maxItems
      ? [`${path}: ${value.length} blocks, at most ${nested.maxItems}`]
      : [];
  return [value.filter(isObject), problems];
}

/** What Terraform would reject in a block body: unknown names, wrong shapes, missing required. */
function problemsOf(body: Json, block: SchemaBlock, path: string, top: boolean): string[] {
  const problems: string[] = [];
  const attributes = new Map(block.attributes.map((a) => [a.name, a]));
  const blocks = new Map(block.blockTypes.map((b) => [b.typeName, b]));
  const seen = new Set<string>();
  for (const [key, value] of Object.entries(body)) {
    if (top && META.has(key)) continue;
    if (key === "dynamic" && isObject(value)) {
      for (const [name, dynamic] of Object.entries(value)) {
        const nested = blocks.get(name);
        seen.add(name);
        if (!nested) problems.push(`${path}.dynamic.${name}: no such block`);
        else if (isObject(dynamic) && isObject(dynamic.content)) {
          problems.push(...problemsOf(dynamic.content, nested.block, `${path}.${name}`, false));
        }
      }
      continue;
    }
    seen.add(key);
    const attribute = attributes.get(key);
    const nested = blocks.get(key);
    if (attribute) {
      if (attribute.computed && !attribute.optional && !attribute.required) {
        problems.push(`${path}.${key}: computed only, cannot be set`);
      }
      problems.push(...typeProblems(value, attribute.type, `${path}.${key}`));
    } else if (nested) {
      const [bodies, shape] = blockBodies(value, nested, `${path}.${key}`);
      problems.push(...shape);
      bodies.forEach((item, index) =>
        problems.push(...problemsOf(item, nested.block, `${path}.${key}[${index}]`, false)),
      );
    } else problems.push(`${path}.${key}: no such attribute or block`);
  }
  for (const attribute of block.attributes) {
    if (attribute.required && !seen.has(attribute.name)) {
      problems.push(`${path}.${attribute.name}: required, missing`);
    }
  }
  for (const nested of block.blockTypes) {
    if (nested.minItems > 0 && !seen.has(nested.typeName)) {
      problems.push(`${path}.${nested.typeName}: required block, missing`);
    }
  }
  return problems;
}

function providerOf(type: string): BindingProviderName | undefined {
  const prefix = type.split("_")[0];
  return BINDING_PROVIDERS.find((name) => name === prefix);
}

interface Use {
  readonly where: string;
  readonly body: Json;
}

/** Every resource, data source and provider configuration the project synthesizes, by type. */
function emitted(): {
  resources: Map<string, Use[]>;
  data: Map<string, Use[]>;
  providers: Map<string, Use[]>;
} {
  const resources = new Map<string, Use[]>();
  const data = new Map<string, Use[]>();
  const providers = new Map<string, Use[]>();
  const add = (into: Map<string, Use[]>, type: string, use: Use): void => {
    into.set(type, [...(into.get(type) ?? []), use]);
  };
  for (const name of SYNTH_NAMES) {
    for (const [stackName, stack] of Object.entries(stacksOf(name))) {
      for (const [type, byId] of Object.entries(stack.resource ?? {})) {
        for (const [id, body] of Object.entries(byId))
          add(resources, type, { where: `${name}/${stackName}/${id}`, body });
      }
      for (const [type, byId] of Object.entries(stack.data ?? {})) {
        for (const [id, body] of Object.entries(byId))
          add(data, type, { where: `${name}/${stackName}/data.${id}`, body });
      }
      for (const [type, configs] of Object.entries(stack.provider ?? {})) {
        for (const body of configs)
          add(providers, type, { where: `${name}/${stackName}/provider.${type}`, body });
      }
    }
  }
  return { resources, data, providers };
}

describe("stand-in provider schemas from the bindings", () => {
  const uses = emitted();

  it("carry the pinned providers' sources and versions", () => {
    expect(providerSchema("google")).toMatchObject({
      source: "hashicorp/google",
      version: "6.50.0",
    });
    expect(providerSchema("kubernetes")).toMatchObject({
      source: "hashicorp/kubernetes",
      version: "2.38.0",
    });
    expect(providerSchema("tls").version).toBe("4.1.0");
    expect(providerSchema("random").version).toBe("3.7.2");
    expect(providerSchema("time").version).toBe("0.13.1");
  });

  it("accept every attribute and block of every resource the project emits", () => {
    const problems: string[] = [];
    let checked = 0;
    for (const [type, list] of uses.resources) {
      const provider = providerOf(type);
      // terraform_data and other built-ins need no provider.
      if (!provider) continue;
      const schema = providerSchema(provider).resources[type];
      if (!schema) {
        problems.push(`${type}: not a ${provider} resource`);
        continue;
      }
      for (const use of list) problems.push(...problemsOf(use.body, schema.block, use.where, true));
      checked += 1;
    }
    expect(problems).toEqual([]);
    // The project's GKE, VPN, DNS, secrets, workloads, TLS, passwords and sleeps.
    expect(checked).toBeGreaterThan(40);
  });

  it("accept every data source and provider configuration the project emits", () => {
    const problems: string[] = [];
    for (const [type, list] of uses.data) {
      const provider = providerOf(type);
      if (!provider) continue;
      const schema = providerSchema(provider).dataSources[type];
      if (!schema) problems.push(`data.${type}: not a ${provider} data source`);
      else
        for (const use of list)
          problems.push(...problemsOf(use.body, schema.block, use.where, true));
    }
    for (const [type, list] of uses.providers) {
      const provider = BINDING_PROVIDERS.find((name) => name === type);
      if (!provider) continue;
      const block = providerSchema(provider).provider;
      // `alias` is a meta-argument of provider blocks.
      for (const use of list) {
        const body = Object.fromEntries(
          Object.entries(use.body).filter(([key]) => key !== "alias"),
        );
        problems.push(...problemsOf(body, block, use.where, false));
      }
    }
    expect(problems).toEqual([]);
    expect(uses.data.has("google_client_config")).toBe(true);
  });

  it("reject what the real provider would: a misspelled attribute, a computed-only one set, a block as a list", () => {
    const cluster = providerSchema("google").resources.google_container_cluster.block;
    expect(problemsOf({ name: "c", node_confg: {} }, cluster, "c", true)).toEqual([
      "c.node_confg: no such attribute or block",
    ]);
    expect(problemsOf({ name: "c", endpoint: "1.2.3.4" }, cluster, "c", true)).toEqual([
      "c.endpoint: computed only, cannot be set",
    ]);
    expect(problemsOf({ name: "c", resource_labels: ["x"] }, cluster, "c", true)).toEqual([
      "c.resource_labels: map expected",
    ]);
    expect(problemsOf({ name: "c", node_config: [{}, {}] }, cluster, "c", true)).toEqual([
      "c.node_config: 2 blocks, at most 1",
    ]);
    const deployment = providerSchema("kubernetes").resources.kubernetes_deployment_v1.block;
    expect(problemsOf({ metadata: {} }, deployment, "d", true)).toEqual([
      "d.spec: required block, missing",
    ]);
  });

  it("google_container_cluster: endpoint computed only, name required, node_config at most one", () => {
    const block = providerSchema("google").resources.google_container_cluster.block;
    const attribute = (name: string) => block.attributes.find((a) => a.name === name);
    expect(attribute("endpoint")).toMatchObject({
      type: "string",
      computed: true,
      optional: false,
      required: false,
    });
    expect(attribute("name")).toMatchObject({
      type: "string",
      required: true,
      optional: false,
      computed: false,
    });
    // A set in the provider (resource_container_cluster.go node_locations: schema.TypeSet).
    expect(attribute("node_locations")?.type).toEqual(["set", "string"]);
    expect(attribute("resource_labels")?.type).toEqual(["map", "string"]);
    expect(attribute("node_confg")).toBeUndefined();
    const nodeConfig = block.blockTypes.find((b) => b.typeName === "node_config");
    expect(nodeConfig).toMatchObject({ nesting: "list", minItems: 0, maxItems: 1 });
    expect(nodeConfig?.block.attributes.find((a) => a.name === "machine_type")?.type).toBe(
      "string",
    );
    // A list block of any length: node_pool.
    expect(block.blockTypes.find((b) => b.typeName === "node_pool")).toMatchObject({
      nesting: "list",
      maxItems: 0,
    });
    // The SDK's timeouts block is nested single (helper/schema/core_schema.go CoreConfigSchema).
    expect(block.blockTypes.find((b) => b.typeName === "timeouts")?.nesting).toBe("single");
    // Computed-only inside a block: master_auth.cluster_ca_certificate.
    const masterAuth = block.blockTypes.find((b) => b.typeName === "master_auth");
    expect(
      masterAuth?.block.attributes.find((a) => a.name === "cluster_ca_certificate"),
    ).toMatchObject({
      computed: true,
      optional: false,
    });
  });

  it("kubernetes_deployment_v1: metadata exactly one block, its uid computed; the manifest's manifest dynamic", () => {
    const kubernetes = providerSchema("kubernetes");
    const deployment = kubernetes.resources.kubernetes_deployment_v1.block;
    const metadata = deployment.blockTypes.find((b) => b.typeName === "metadata");
    expect(metadata).toMatchObject({ nesting: "list", minItems: 1, maxItems: 1 });
    expect(metadata?.block.attributes.find((a) => a.name === "uid")).toMatchObject({
      computed: true,
      optional: false,
    });
    expect(metadata?.block.attributes.find((a) => a.name === "labels")?.type).toEqual([
      "map",
      "string",
    ]);
    const manifest = kubernetes.resources.kubernetes_manifest.block;
    expect(manifest.attributes.find((a) => a.name === "manifest")).toMatchObject({
      type: "dynamic",
      required: true,
    });
    expect(kubernetes.dataSources.kubernetes_resources).toBeDefined();
    expect(kubernetes.provider.attributes.find((a) => a.name === "host")).toMatchObject({
      optional: true,
      computed: false,
    });
  });

  it("tls, random and time: generated values are computed", () => {
    const key = providerSchema("tls").resources.tls_private_key.block;
    expect(key.attributes.find((a) => a.name === "private_key_pem")).toMatchObject({
      computed: true,
      optional: false,
      // Not derivable: the bindings carry no sensitivity (see binding-schema.ts).
      sensitive: false,
    });
    expect(key.attributes.find((a) => a.name === "algorithm")).toMatchObject({ required: true });
    const password = providerSchema("random").resources.random_password.block;
    expect(password.attributes.find((a) => a.name === "result")).toMatchObject({
      computed: true,
      optional: false,
    });
    expect(password.attributes.find((a) => a.name === "keepers")?.type).toEqual(["map", "string"]);
    const sleep = providerSchema("time").resources.time_sleep.block;
    expect(sleep.attributes.find((a) => a.name === "triggers")?.type).toEqual(["map", "string"]);
    expect(
      providerSchema("time").resources.time_static.block.attributes.find(
        (a) => a.name === "rfc3339",
      ),
    ).toMatchObject({
      optional: true,
    });
  });

  it("tfe: tfe_variable's value_wo is write-only (the _wo naming and its docs), nothing else is", () => {
    const variable = providerSchema("tfe").resources.tfe_variable.block;
    expect(variable.attributes.find((a) => a.name === "value_wo")).toMatchObject({
      optional: true,
      computed: false,
      writeOnly: true,
    });
    expect(variable.attributes.find((a) => a.name === "value")?.writeOnly).toBeUndefined();
    const writeOnly = Object.entries(providerSchema("tfe").resources).flatMap(([type, schema]) =>
      schema.block.attributes.filter((a) => a.writeOnly).map((a) => `${type}.${a.name}`),
    );
    expect(writeOnly).toContain("tfe_variable.value_wo");
    expect(writeOnly.every((path) => path.endsWith("_wo"))).toBe(true);
  });

  it("lists where optional + computed is assumed rather than read", () => {
    const assumed = assumedComputed("google", "google_container_cluster");
    expect(assumed).toContain("project");
    expect(assumed).toContain("node_config.machine_type");
    // Read from the generator's comment on stored classes, so not assumed: effective_labels.
    expect(assumed).not.toContain("effective_labels");
  });
});
