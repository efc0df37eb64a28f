/**
 * The rehearsal's plugin core under real Terraform (1.11, offline): two stand-in providers
 * with small hand-made schemas (hashicorp/random's random_id as the real provider shapes it,
 * and a test-only hashicorp/example with a nested block, a dynamic attribute and a data
 * source) installed from the filesystem mirror writeMirror produces, then init, plan, apply,
 * an empty second plan, a replacement, an in-place update, schema validation by Terraform
 * itself, import and destroy. Timings go to the console (see the report in the commit).
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ProviderSchema, SchemaAttribute } from "../../lib/rehearsal/provider-schema";
import { writeMirror } from "../../lib/rehearsal/plugin/mirror";
import type { StandInProvider } from "../../lib/rehearsal/plugin/provider";
import { cleanupTempDirs, makeTempDir, requireTool, run, runOk } from "./support/tools";

const attribute = (
  name: string,
  type: SchemaAttribute["type"],
  flags: Partial<Pick<SchemaAttribute, "required" | "optional" | "computed" | "sensitive">>,
): SchemaAttribute => ({
  name,
  type,
  required: false,
  optional: false,
  computed: false,
  sensitive: false,
  ...flags,
});

const none = { attributes: [], blockTypes: [] };

/**
 * random_id's arguments as hashicorp/terraform-provider-random v3.7.2 declares them
 * (internal/provider/resource_id.go Schema: byte_length, keepers and prefix force
 * replacement; the encodings are computed). A subset: enough to be a real-looking resource.
 */
const random: StandInProvider = {
  schema: {
    source: "hashicorp/random",
    version: "3.7.2",
    provider: none,
    resources: {
      random_id: {
        version: 0,
        block: {
          attributes: [
            attribute("id", "string", { computed: true }),
            attribute("byte_length", "number", { required: true }),
            attribute("prefix", "string", { optional: true }),
            attribute("keepers", ["map", "string"], { optional: true }),
            attribute("hex", "string", { computed: true }),
            attribute("b64_std", "string", { computed: true }),
            attribute("dec", "string", { computed: true }),
          ],
          blockTypes: [],
        },
      },
    },
    dataSources: {},
  },
  forceNew: { random_id: [["byte_length"], ["prefix"], ["keepers"]] },
};

const exampleSchema: ProviderSchema = {
  source: "hashicorp/example",
  version: "1.0.0",
  provider: { attributes: [attribute("region", "string", { optional: true })], blockTypes: [] },
  resources: {
    example_thing: {
      version: 1,
      block: {
        attributes: [
          attribute("id", "string", { computed: true }),
          attribute("name", "string", { required: true }),
          attribute("size", "number", { optional: true }),
          attribute("labels", ["map", "string"], { optional: true }),
          attribute("settings", "dynamic", { optional: true }),
          attribute("zone", "string", { optional: true, computed: true }),
          attribute("secret", "string", { computed: true, sensitive: true }),
        ],
        blockTypes: [
          {
            typeName: "disk",
            nesting: "list",
            minItems: 1,
            maxItems: 0,
            block: {
              attributes: [
                attribute("type", "string", { required: true }),
                attribute("self_link", "string", { computed: true }),
              ],
              blockTypes: [],
            },
          },
          {
            typeName: "timeouts",
            nesting: "single",
            minItems: 0,
            maxItems: 0,
            block: {
              attributes: [attribute("create", "string", { optional: true })],
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
          attribute("id", "string", { computed: true }),
          attribute("name", "string", { required: true }),
          attribute("members", ["list", "string"], { computed: true }),
        ],
        blockTypes: [],
      },
    },
  },
};
const example: StandInProvider = {
  schema: exampleSchema,
  forceNew: { example_thing: [["name"], ["disk", "type"]] },
};

interface Knobs {
  readonly byteLength: number;
  readonly size: number;
  readonly diskType: string;
  /** Extra HCL inside random_id.a. */
  readonly extra?: string;
}

function mainTf(knobs: Knobs): string {
  return `
terraform {
  required_providers {
    random  = { source = "hashicorp/random", version = "3.7.2" }
    example = { source = "hashicorp/example", version = "1.0.0" }
  }
}

provider "example" {
  region = "europe-west1"
}

resource "random_id" "a" {
  byte_length = ${knobs.byteLength}
  keepers     = { stage = "one" }
  ${knobs.extra ?? ""}
}

resource "example_thing" "t" {
  name     = "thing-\${random_id.a.hex}"
  size     = ${knobs.size}
  labels   = { app = "registry" }
  settings = { replicas = 2, hosts = ["a", "b"] }
  disk {
    type = "${knobs.diskType}"
  }
}

data "example_lookup" "l" {
  name = example_thing.t.id
}

output "hex" {
  value = random_id.a.hex
}

output "members" {
  value = data.example_lookup.l.members
}

output "settings" {
  value = example_thing.t.settings
}
`;
}

describe("stand-in providers under real Terraform", () => {
  const terraform = requireTool("terraform", "terraform (on the PATH of the development image)");
  const dir = makeTempDir("rehearsal-plugin");
  const stack = join(dir, "stack");
  const userCache = join(dir, "user-plugin-cache");
  const knobs: Knobs = { byteLength: 8, size: 1, diskType: "ssd" };
  let env: NodeJS.ProcessEnv = {};
  const timings: string[] = [];

  const tf = (args: readonly string[], cwd = stack) => {
    const started = Date.now();
    const result = run(terraform, ["-chdir=" + cwd, ...args, "-no-color"], { env });
    timings.push(`${args[0]} ${cwd === stack ? "" : "(large) "}${Date.now() - started} ms`);
    return result;
  };
  const tfOk = (args: readonly string[], cwd = stack) => {
    const result = tf(args, cwd);
    if (result.status !== 0) throw new Error(`terraform ${args.join(" ")}:\n${result.output}`);
    return result;
  };
  const writeConfig = (next: Knobs) => writeFileSync(join(stack, "main.tf"), mainTf(next));

  beforeAll(async () => {
    for (const [name, provider] of Object.entries({ random, example })) {
      writeFileSync(
        join(dir, `${name}.ts`),
        `export const provider = ${JSON.stringify(provider)};\n`,
      );
    }
    const installation = await writeMirror(join(dir, "rehearsal"), [
      { source: "hashicorp/random", version: "3.7.2", module: join(dir, "random.ts") },
      { source: "hashicorp/example", version: "1.0.0", module: join(dir, "example.ts") },
    ]);
    // Never the user's CLI configuration (the development image sets one in the environment),
    // nor their plugin cache.
    env = { ...process.env, TF_PLUGIN_CACHE_DIR: userCache, ...installation.env };
    runOk("mkdir", ["-p", stack, userCache]);
    writeConfig(knobs);
  });

  afterAll(() => {
    console.log(`terraform timings:\n  ${timings.join("\n  ")}`);
    cleanupTempDirs();
  });

  it("installs both providers from the mirror with terraform init", () => {
    const init = tfOk(["init", "-input=false"]);
    expect(init.output).toContain("Installing hashicorp/random v3.7.2");
    expect(init.output).toContain("Installing hashicorp/example v1.0.0");
    // The lock file records the mirror's packages, which is why the rehearsal works on a copy.
    const lock = readFileSync(join(stack, ".terraform.lock.hcl"), "utf8");
    expect(lock).toContain('provider "registry.terraform.io/hashicorp/random"');
    expect(readdirSync(userCache)).toEqual([]);
  });

  it("plans computed attributes as unknown, nested blocks and data sources included", () => {
    tfOk(["plan", "-input=false", "-out=create.plan"]);
    const plan = JSON.parse(tfOk(["show", "-json", "create.plan"]).stdout) as {
      resource_changes: {
        address: string;
        change: { actions: string[]; after_unknown: Record<string, unknown> };
      }[];
    };
    const changes = Object.fromEntries(plan.resource_changes.map((c) => [c.address, c.change]));
    expect(changes["random_id.a"]?.actions).toEqual(["create"]);
    expect(changes["random_id.a"]?.after_unknown).toMatchObject({ id: true, hex: true, dec: true });
    expect(changes["example_thing.t"]?.after_unknown).toMatchObject({
      id: true,
      zone: true,
      name: true, // built from random_id.a.hex
      disk: [{ self_link: true }],
    });
    // The data source depends on an unknown id, so Terraform reads it during apply.
    expect(changes["data.example_lookup.l"]?.actions).toEqual(["read"]);
    const text = tfOk(["show", "create.plan"]).stdout;
    expect(text).toContain("hex         = (known after apply)");
    expect(text).toContain("Plan: 2 to add, 0 to change, 0 to destroy.");
  });

  it("applies with deterministic values, reads the data source, and keeps dynamic values", () => {
    tfOk(["apply", "-input=false", "create.plan"]);
    const outputs = JSON.parse(tfOk(["output", "-json"]).stdout) as Record<
      string,
      { value: unknown }
    >;
    expect(outputs.hex?.value).toMatch(/^random_id-[0-9a-f]{8}$/);
    expect(outputs.members?.value).toEqual([]);
    expect(outputs.settings?.value).toEqual({ replicas: 2, hosts: ["a", "b"] });
  });

  it("plans no changes a second time", () => {
    const second = tf(["plan", "-input=false", "-detailed-exitcode"]);
    expect(second.output).toContain("No changes.");
    expect(second.status).toBe(0);
  });

  it("shows a forceNew change as a replacement and another as an in-place update", () => {
    writeConfig({ ...knobs, byteLength: 16 });
    const replace = tfOk(["plan", "-input=false"]).stdout;
    expect(replace).toContain("# random_id.a must be replaced");
    expect(replace).toMatch(/byte_length += 8 -> 16 # forces replacement/);
    // example_thing.t's name follows random_id.a.hex, a forceNew attribute of its own.
    expect(replace).toContain("# example_thing.t must be replaced");

    writeConfig({ ...knobs, size: 2 });
    const update = tfOk(["plan", "-input=false"]).stdout;
    expect(update).toContain("# example_thing.t will be updated in-place");
    expect(update).toMatch(/size += 1 -> 2/);
    expect(update).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");

    writeConfig({ ...knobs, diskType: "hdd" });
    const nested = tfOk(["plan", "-input=false"]).stdout;
    expect(nested).toMatch(/type += "ssd" -> "hdd" # forces replacement/);
    writeConfig(knobs);
  });

  it("fails an attribute the schema lacks with Terraform's own message", () => {
    writeConfig({ ...knobs, extra: 'bogus = "x"' });
    const hcl = tf(["plan", "-input=false"]);
    expect(hcl.status).toBe(1);
    expect(hcl.output).toContain("Unsupported argument");
    expect(hcl.output).toContain('An argument named "bogus" is not expected here.');
    writeConfig(knobs);
    // cdktf writes JSON, where Terraform words the same check differently.
    const json = join(stack, "extra.tf.json");
    writeFileSync(
      json,
      JSON.stringify({ resource: { random_id: { b: { byte_length: 4, bogus: 1 } } } }),
    );
    const fromJson = tf(["validate"]);
    expect(fromJson.status).toBe(1);
    expect(fromJson.output).toContain('No argument or block type is named "bogus".');
    rmSync(json);
  });

  it("imports an existing object and destroys everything", () => {
    writeFileSync(
      join(stack, "imported.tf"),
      'resource "example_thing" "imported" {\n  name = "old"\n  disk {\n    type = "ssd"\n  }\n}\n',
    );
    const imported = tfOk(["import", "-input=false", "example_thing.imported", "thing-7"]);
    expect(imported.output).toContain("Import successful!");
    const state = tfOk(["state", "show", "example_thing.imported"]).stdout;
    expect(state).toMatch(/id += "thing-7"/);
    const destroy = tfOk(["destroy", "-auto-approve", "-input=false"]);
    expect(destroy.output).toContain("Destroy complete! Resources: 3 destroyed.");
  });

  it("handles a stack-sized configuration (60 resources) in one plan and apply", () => {
    const large = join(dir, "large");
    runOk("mkdir", ["-p", large]);
    const resources = Array.from(
      { length: 30 },
      (_, i) => `
resource "random_id" "r${i}" {
  byte_length = 4
}
resource "example_thing" "t${i}" {
  name = random_id.r${i}.hex
  disk {
    type = "ssd"
  }
}`,
    ).join("\n");
    writeFileSync(
      join(large, "main.tf"),
      `${mainTf(knobs).split('provider "example"')[0] ?? ""}\n${resources}\n`,
    );
    tfOk(["init", "-input=false"], large);
    tfOk(["plan", "-input=false", "-out=large.plan"], large);
    const apply = tfOk(["apply", "-input=false", "large.plan"], large);
    expect(apply.output).toContain("Apply complete! Resources: 60 added");
    const again = tf(["plan", "-input=false", "-detailed-exitcode"], large);
    expect(again.status).toBe(0);
  });
});
