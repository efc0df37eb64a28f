/**
 * Offline end-to-end test of the remote-state wiring between the stacks, with real Terraform.
 *
 * The app is synthesized with the local backend into a temporary folder. Each stack's
 * cdk.tf.json is then reduced to what Terraform can run without providers: the backend, the
 * `terraform_remote_state` data sources and the outputs. Output values that need a resource or
 * another data source become placeholders of the contract's type; remote-state reads stay real
 * expressions, and every read found anywhere in a consumer's original JSON gets an extra output
 * so that `terraform plan`/`apply` evaluates it. Then every stack is planned and applied in
 * order, and the values that crossed the remote states are compared with what the producers
 * published. Last, an output a consumer reads is renamed in onprem-network, which must make the
 * consumer's plan fail. The cases are one side (`cloud:`, simulated and external on-prem) and
 * three sides (`sides`: registry and per-side stacks, the registry contract).
 *
 * Run with `npx jest -c jest.e2e.config.js` (not part of `npm test`). Needs `terraform` on the
 * PATH; downloads nothing. Set KEEP_E2E_TMP=1 to keep the temporary folders.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { parse, stringify } from "yaml";
import { cloudNetworkContract, cloudNetworkContractOf } from "../../lib/contract/cloud-network";
import {
  outputName,
  type Contract,
  type OutputSpec,
  type OutputSpecs,
  type OutputType,
} from "../../lib/contract/contract";
import { onpremNetworkContract } from "../../lib/contract/onprem-network";
import { registryContract } from "../../lib/contract/registry";
import {
  CLOUD_NETWORK_STACK,
  ONPREM_NETWORK_STACK,
  REGISTRY_STACK,
  WORKLOADS_STACK,
  cloudNetworkStackOf,
  sideWorkloadsStackOf,
} from "../../lib/contract/stack-names";

const ROOT = join(__dirname, "..", "..");
const THREE_SIDES = ["dev", "staging", "prod"] as const;
/** Every contract of every case, found by producer stack name. */
const CONTRACTS: ReadonlyArray<Contract<OutputSpecs>> = [
  onpremNetworkContract,
  cloudNetworkContract,
  registryContract,
  ...THREE_SIDES.map((side) => cloudNetworkContractOf(cloudNetworkStackOf(side))),
];
/** Prefix of the outputs this test adds to consumers, one per remote-state read. */
const READ_OUTPUT_PREFIX = "wiring_read__";

const TF_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  TF_IN_AUTOMATION: "1",
  TF_INPUT: "0",
  CHECKPOINT_DISABLE: "1",
  TF_CLI_CONFIG_FILE: "/dev/null",
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function objectAt(parent: JsonObject, key: string): JsonObject {
  const value = parent[key];
  return isObject(value) ? value : {};
}

function allStrings(value: Json): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (isObject(value)) return Object.values(value).flatMap(allStrings);
  return [];
}

// ---------------------------------------------------------------------------------------------
// Terraform expressions inside JSON strings

/** Scan an interpolation body from `start`; push its code (string literals blanked). */
function scanExpression(text: string, start: number, found: string[]): number {
  let depth = 1;
  let code = "";
  let i = start;
  while (i < text.length) {
    const char = text[i];
    if (char === '"') {
      i = scanStringLiteral(text, i + 1, found);
      code += '""';
      continue;
    }
    if (char === "{") depth++;
    if (char === "}" && --depth === 0) {
      found.push(code);
      return i + 1;
    }
    code += char;
    i++;
  }
  found.push(code);
  return i;
}

/** Skip a quoted string literal inside an expression, collecting its nested templates. */
function scanStringLiteral(text: string, start: number, found: string[]): number {
  let i = start;
  while (i < text.length) {
    if (text[i] === "\\") i += 2;
    else if (text[i] === '"') return i + 1;
    else if (text.startsWith("$${", i)) i += 3;
    else if (text.startsWith("${", i)) i = scanExpression(text, i + 2, found);
    else i++;
  }
  return i;
}

/** The code of every `${...}` interpolation in a template string, nested ones included. */
function expressionsIn(template: string): string[] {
  const found: string[] = [];
  let i = 0;
  while (i < template.length) {
    if (template.startsWith("$${", i)) i += 3;
    else if (template.startsWith("${", i)) i = scanExpression(template, i + 2, found);
    else i++;
  }
  return found;
}

/** `root.next` traversals that start an expression (not `.attr` after another traversal). */
const TRAVERSAL = /(?<![\w.$-])([A-Za-z_][\w-]*)\s*\.\s*([A-Za-z_][\w-]*)?/g;

/**
 * True when the expression refers to anything but a remote-state output: a resource, another
 * data source, a variable, a local, a module, a loop variable. Function calls are fine.
 */
function isForeignExpression(code: string): boolean {
  return [...code.matchAll(TRAVERSAL)].some(
    ([, root, next]) => !(root === "data" && next === "terraform_remote_state"),
  );
}

function hasForeignReference(value: Json): boolean {
  return allStrings(value).some((text) => expressionsIn(text).some(isForeignExpression));
}

const REMOTE_READ =
  /data\.terraform_remote_state\.([\w-]+)\.outputs(?:\.([A-Za-z_][\w-]*)|\["([^"]+)"\])/g;
const PURE_REMOTE_READ = /^\$\{data\.terraform_remote_state\.([\w-]+)\.outputs\.([\w-]+)\}$/;

// ---------------------------------------------------------------------------------------------
// Wiring-only configurations

interface RemoteRead {
  /** Logical id of the terraform_remote_state data source. */
  readonly stateId: string;
  /** Stack whose state it reads. */
  readonly producer: string;
  readonly output: string;
  /** Output this test adds to the consumer to evaluate the read. */
  readonly checkOutput: string;
}

interface Wiring {
  readonly stack: string;
  readonly config: JsonObject;
  /** Every distinct remote-state read of the original stack JSON. */
  readonly reads: readonly RemoteRead[];
  /** Outputs of the original stack whose value was replaced by a placeholder. */
  readonly placeholders: readonly string[];
  /** Outputs of the original stack kept as they are (literals, remote-state expressions). */
  readonly kept: readonly string[];
}

function contractOf(stack: string): Contract<OutputSpecs> | undefined {
  return CONTRACTS.find((contract) => contract.producer === stack);
}

/** Contract specs of a producer by Terraform output name. */
function specsByOutputName(stack: string): Map<string, OutputSpec> {
  const contract = contractOf(stack);
  return new Map(
    Object.entries(contract?.outputs ?? {}).map(([key, spec]) => [outputName(key), spec]),
  );
}

function placeholderOf(type: OutputType, name: string): Json {
  switch (type) {
    case "string":
      return `placeholder-${name}`;
    case "number":
      return 64512;
    case "list":
      return ["placeholder"];
  }
}

/** Outside the contract: replace each string that needs a resource, keep the shape. */
function replaceForeignStrings(value: Json, name: string): Json {
  if (typeof value === "string") return hasForeignReference(value) ? `placeholder-${name}` : value;
  if (Array.isArray(value)) return value.map((item) => replaceForeignStrings(item, name));
  if (isObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, replaceForeignStrings(item, name)]),
    );
  }
  return value;
}

/** Stack name of a local remote-state data source: `../../../state/<stack>.tfstate`. */
function producerOf(stateId: string, block: JsonObject): string {
  const path = objectAt(block, "config").path;
  if (block.backend !== "local" || typeof path !== "string") {
    throw new Error(`terraform_remote_state.${stateId} does not use the local backend`);
  }
  return basename(path, ".tfstate");
}

function remoteReadsOf(original: JsonObject): RemoteRead[] {
  const states = objectAt(objectAt(original, "data"), "terraform_remote_state");
  const reads = new Map<string, RemoteRead>();
  for (const text of allStrings(original)) {
    for (const [, stateId, dotted, quoted] of text.matchAll(REMOTE_READ)) {
      const output = dotted ?? quoted;
      const key = `${stateId}.${output}`;
      if (reads.has(key)) continue;
      reads.set(key, {
        stateId,
        producer: producerOf(stateId, objectAt(states, stateId)),
        output,
        checkOutput: `${READ_OUTPUT_PREFIX}${stateId}__${output}`,
      });
    }
  }
  return [...reads.values()].sort((a, b) => a.checkOutput.localeCompare(b.checkOutput));
}

/**
 * The wiring-only configuration of a stack: backend, remote states and outputs, plus one
 * output per remote-state read. `upstream` holds the wirings of the stacks applied before it.
 */
function deriveWiring(
  stack: string,
  original: JsonObject,
  upstream: ReadonlyMap<string, Wiring>,
): Wiring {
  const backend = objectAt(original, "terraform").backend;
  if (!isObject(backend)) throw new Error(`${stack} has no terraform.backend`);
  const specs = specsByOutputName(stack);
  const outputs: JsonObject = {};
  const placeholders: string[] = [];
  const kept: string[] = [];
  for (const [name, block] of Object.entries(objectAt(original, "output"))) {
    if (!isObject(block)) continue;
    const value = block.value ?? null;
    const spec = specs.get(name);
    let wired = value;
    if (hasForeignReference(value)) {
      wired = spec ? placeholderOf(spec.type, name) : replaceForeignStrings(value, name);
      placeholders.push(name);
    } else {
      kept.push(name);
    }
    outputs[name] = {
      value: wired,
      sensitive: block.sensitive === true,
      ...(typeof block.description === "string" ? { description: block.description } : {}),
    };
  }
  const reads = remoteReadsOf(original);
  for (const read of reads) {
    if (read.checkOutput in outputs) throw new Error(`${stack} already has ${read.checkOutput}`);
    const producerOutput = objectAt(
      objectAt(upstream.get(read.producer)?.config ?? {}, "output"),
      read.output,
    );
    outputs[read.checkOutput] = {
      value: `\${data.terraform_remote_state.${read.stateId}.outputs.${read.output}}`,
      sensitive: producerOutput.sensitive === true,
      description: `e2e: ${stack} reads ${read.producer}.${read.output}`,
    };
  }
  const remoteStates = objectAt(objectAt(original, "data"), "terraform_remote_state");
  // The stack's identity marker is a builtin terraform_data of literals: it runs as it is.
  const identity = objectAt(
    objectAt(objectAt(original, "resource"), "terraform_data"),
    "state_identity",
  );
  const config: JsonObject = {
    "//": "Wiring-only configuration derived by __tests__/e2e/wiring.e2e.ts",
    terraform: { backend },
    ...(Object.keys(identity).length > 0
      ? { resource: { terraform_data: { state_identity: identity } } }
      : {}),
    ...(Object.keys(remoteStates).length > 0
      ? { data: { terraform_remote_state: remoteStates } }
      : {}),
    ...(Object.keys(outputs).length > 0 ? { output: outputs } : {}),
  };
  return { stack, config, reads, placeholders, kept };
}

// ---------------------------------------------------------------------------------------------
// Running the app and Terraform

interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv) {
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8" });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function terraform(dir: string, args: readonly string[]): RunResult {
  return run("terraform", [...args, "-no-color"], dir, TF_ENV);
}

function terraformOk(dir: string, args: readonly string[]): string {
  const result = terraform(dir, args);
  if (result.status !== 0) {
    throw new Error(
      `terraform ${args.join(" ")} failed in ${dir}:\n${result.stderr}\n${result.stdout}`,
    );
  }
  return result.stdout;
}

interface PublishedOutput {
  readonly sensitive: boolean;
  readonly value: Json;
}

function outputsOf(dir: string): Record<string, PublishedOutput> {
  return JSON.parse(terraformOk(dir, ["output", "-json"])) as Record<string, PublishedOutput>;
}

interface PlannedOutput {
  readonly after: Json;
  readonly after_unknown: boolean;
  readonly after_sensitive: boolean;
}

function synthesize(configPath: string, outdir: string): void {
  const result = run(process.execPath, ["scripts/synth.cjs", "--quiet"], ROOT, {
    ...process.env,
    HYBRID_CONFIG: configPath,
    CDKTF_OUTDIR: outdir,
  });
  if (result.status !== 0) {
    throw new Error(`synth of ${configPath} failed:\n${result.stderr}\n${result.stdout}`);
  }
}

function writeConfig(dir: string, config: JsonObject): void {
  writeFileSync(join(dir, "cdk.tf.json"), `${JSON.stringify(config, null, 2)}\n`);
}

// ---------------------------------------------------------------------------------------------
// The cases

interface CaseState {
  tmp: string;
  stackDirs: Map<string, string>;
  wirings: Map<string, Wiring>;
  /** `terraform output -json` of every stack after its apply. */
  published: Map<string, Record<string, PublishedOutput>>;
  /** Output changes of each stack's plan, before its apply. */
  plans: Map<string, Record<string, PlannedOutput>>;
  timings: string[];
}

/** Each case's stacks in apply order: every stack only reads stacks before it. */
const ONE_SIDE = [ONPREM_NETWORK_STACK, CLOUD_NETWORK_STACK, WORKLOADS_STACK];
const CASES = [
  { name: "default (simulated on-prem)", config: "environments/example.yaml", stacks: ONE_SIDE },
  { name: "external peer", config: "__tests__/fixtures/external-peer.yaml", stacks: ONE_SIDE },
  {
    name: "three application sides",
    config: "examples/hybrid-three-sides.yaml",
    stacks: [
      ONPREM_NETWORK_STACK,
      REGISTRY_STACK,
      ...THREE_SIDES.flatMap((side) => [cloudNetworkStackOf(side), sideWorkloadsStackOf(side)]),
    ],
  },
] as const;

const tempDirs: string[] = [];
afterAll(() => {
  if (process.env.KEEP_E2E_TMP) {
    console.log(`kept e2e folders: ${tempDirs.join(", ")}`);
    return;
  }
  tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

beforeAll(() => {
  const version = spawnSync("terraform", ["version"], { env: TF_ENV, encoding: "utf8" });
  if (version.error || version.status !== 0) {
    throw new Error("terraform is not on the PATH: the wiring e2e test needs it");
  }
});

describe.each(CASES)("remote-state wiring with real Terraform: $name", ({ config, stacks }) => {
  const STACKS: readonly string[] = stacks;
  const consumers = STACKS.filter((stack) => stack !== ONPREM_NETWORK_STACK);
  const contracts = CONTRACTS.filter((contract) => STACKS.includes(contract.producer));
  const state: CaseState = {
    tmp: "",
    stackDirs: new Map(),
    wirings: new Map(),
    published: new Map(),
    plans: new Map(),
    timings: [],
  };
  const timed = <T>(label: string, action: () => T): T => {
    const start = Date.now();
    const result = action();
    state.timings.push(`${label} ${((Date.now() - start) / 1000).toFixed(1)}s`);
    return result;
  };
  const dirOf = (stack: string): string => {
    const dir = state.stackDirs.get(stack);
    if (!dir) throw new Error(`no folder for ${stack}`);
    return dir;
  };
  const wiringOf = (stack: string): Wiring => {
    const wiring = state.wirings.get(stack);
    if (!wiring) throw new Error(`no wiring for ${stack}`);
    return wiring;
  };
  const publishedBy = (stack: string): Record<string, PublishedOutput> =>
    state.published.get(stack) ?? {};

  beforeAll(() => {
    state.tmp = mkdtempSync(join(tmpdir(), "hybrid-wiring-"));
    tempDirs.push(state.tmp);
    const outdir = join(state.tmp, "cdktf.out");
    timed("synth", () => synthesize(config, outdir));
    mkdirSync(join(state.tmp, "original"));
    for (const stack of STACKS) {
      const dir = join(outdir, "stacks", stack);
      const text = readFileSync(join(dir, "cdk.tf.json"), "utf8");
      writeFileSync(join(state.tmp, "original", `${stack}.tf.json`), text);
      const wiring = deriveWiring(stack, JSON.parse(text) as JsonObject, state.wirings);
      writeConfig(dir, wiring.config);
      state.stackDirs.set(stack, dir);
      state.wirings.set(stack, wiring);
    }
    for (const stack of STACKS) {
      const dir = dirOf(stack);
      timed(`${stack}: init`, () => terraformOk(dir, ["init", "-input=false"]));
      timed(`${stack}: plan`, () =>
        terraformOk(dir, ["plan", "-input=false", "-out=wiring.tfplan"]),
      );
      const plan = JSON.parse(terraformOk(dir, ["show", "-json", "wiring.tfplan"])) as {
        output_changes?: Record<string, PlannedOutput>;
      };
      state.plans.set(stack, plan.output_changes ?? {});
      timed(`${stack}: apply`, () => terraformOk(dir, ["apply", "-input=false", "wiring.tfplan"]));
      state.published.set(stack, outputsOf(dir));
    }
  });

  it("publishes every contract output with its declared type and sensitivity", () => {
    for (const contract of contracts) {
      const published = publishedBy(contract.producer);
      for (const [key, spec] of Object.entries(contract.outputs)) {
        const output = published[outputName(key)];
        expect({ output: outputName(key), published: output !== undefined }).toEqual({
          output: outputName(key),
          published: true,
        });
        expect({ output: outputName(key), sensitive: output.sensitive }).toEqual({
          output: outputName(key),
          sensitive: spec.sensitive,
        });
        const kind = Array.isArray(output.value) ? "list" : typeof output.value;
        expect({ output: outputName(key), type: kind }).toEqual({
          output: outputName(key),
          type: spec.type,
        });
      }
    }
    // Sensitivity is exercised: some contract publishes a sensitive output (onprem-network
    // keeps its private keys out of its outputs on purpose).
    expect(
      contracts.some((contract) => Object.values(contract.outputs).some((spec) => spec.sensitive)),
    ).toBe(true);
  });

  it("publishes the placeholders and literals of the wiring configuration", () => {
    for (const stack of STACKS) {
      const outputs = objectAt(wiringOf(stack).config, "output");
      for (const [name, block] of Object.entries(outputs)) {
        const value = isObject(block) ? (block.value ?? null) : null;
        if (allStrings(value).some((text) => text.includes("${"))) continue;
        expect({ stack, name, value: publishedBy(stack)[name]?.value }).toEqual({
          stack,
          name,
          value,
        });
      }
    }
  });

  it("exercises remote-state reads in every consumer", () => {
    expect(wiringOf(ONPREM_NETWORK_STACK).reads).toEqual([]);
    for (const stack of consumers) {
      expect({ stack, reads: wiringOf(stack).reads.length > 0 }).toEqual({ stack, reads: true });
      for (const read of wiringOf(stack).reads) {
        const upstreamIndex = STACKS.indexOf(read.producer);
        expect({ read: read.checkOutput, producerIsUpstream: upstreamIndex >= 0 }).toEqual({
          read: read.checkOutput,
          producerIsUpstream: true,
        });
        expect(upstreamIndex).toBeLessThan(STACKS.indexOf(stack));
        const declared = Object.keys(contractOf(read.producer)?.outputs ?? {}).map(outputName);
        expect({
          read: `${read.producer}.${read.output}`,
          declared: declared.includes(read.output),
        }).toEqual({ read: `${read.producer}.${read.output}`, declared: true });
      }
    }
  });

  it("resolves every read to the value its producer published", () => {
    for (const stack of consumers) {
      const published = publishedBy(stack);
      for (const read of wiringOf(stack).reads) {
        const upstream = publishedBy(read.producer)[read.output];
        expect(upstream).toBeDefined();
        expect({ read: read.checkOutput, value: published[read.checkOutput]?.value }).toEqual({
          read: read.checkOutput,
          value: upstream.value,
        });
        expect({
          read: read.checkOutput,
          sensitive: published[read.checkOutput]?.sensitive,
        }).toEqual({ read: read.checkOutput, sensitive: upstream.sensitive });
      }
    }
  });

  it("knows every read at plan time", () => {
    for (const stack of consumers) {
      for (const read of wiringOf(stack).reads) {
        const change = state.plans.get(stack)?.[read.checkOutput];
        const upstream = publishedBy(read.producer)[read.output];
        expect({
          read: `${stack}: ${read.checkOutput}`,
          unknown: change?.after_unknown,
          after: change?.after,
        }).toEqual({
          read: `${stack}: ${read.checkOutput}`,
          unknown: false,
          after: upstream.value,
        });
      }
    }
  });

  it("passes remote-state values through consumer outputs unchanged", () => {
    for (const stack of consumers) {
      const wiring = wiringOf(stack);
      const remoteStates = objectAt(objectAt(wiring.config, "data"), "terraform_remote_state");
      for (const name of wiring.kept) {
        const block = objectAt(objectAt(wiring.config, "output"), name);
        const match = typeof block.value === "string" ? PURE_REMOTE_READ.exec(block.value) : null;
        if (!match) continue;
        const producer = producerOf(match[1], objectAt(remoteStates, match[1]));
        expect({ stack, name, value: publishedBy(stack)[name]?.value }).toEqual({
          stack,
          name,
          value: publishedBy(producer)[match[2]]?.value,
        });
      }
    }
  });

  it("fails the consumer's plan when the producer renames an output it reads", () => {
    const onpremDir = dirOf(ONPREM_NETWORK_STACK);
    // The first consumer: cloud-network, or with sides the registry.
    const cloudDir = dirOf(consumers[0]);
    const onpremWiring = wiringOf(ONPREM_NETWORK_STACK);
    const readByCloud = wiringOf(consumers[0]).reads.filter(
      (read) => read.producer === ONPREM_NETWORK_STACK,
    );
    expect(readByCloud.length).toBeGreaterThan(0);
    const victim = readByCloud[0].output;
    const outputs = { ...objectAt(onpremWiring.config, "output") };
    outputs[`${victim}_renamed`] = outputs[victim];
    delete outputs[victim];
    writeConfig(onpremDir, { ...onpremWiring.config, output: outputs });
    timed("negative: producer apply", () =>
      terraformOk(onpremDir, ["apply", "-auto-approve", "-input=false"]),
    );
    expect(Object.keys(outputsOf(onpremDir))).not.toContain(victim);

    const broken = timed("negative: consumer plan", () =>
      terraform(cloudDir, ["plan", "-input=false"]),
    );
    expect(broken.status).not.toBe(0);
    // The contract's postcondition names the producer and the missing output before any
    // reference to it fails ("Unsupported attribute" without it).
    const flat = broken.stderr.replace(/\s+/g, " ");
    expect(flat).toContain(`The state of onprem-network`);
    expect(flat).toMatch(new RegExp(`has no output [a-z_, ]*\\b${victim}\\b`));
    expect(flat).toContain("Apply the onprem-network stack first");

    // Restoring the producer heals the consumer: the failure came from the rename alone.
    writeConfig(onpremDir, onpremWiring.config);
    terraformOk(onpremDir, ["apply", "-auto-approve", "-input=false"]);
    timed("negative: consumer plan after restore", () =>
      terraformOk(cloudDir, ["plan", "-input=false"]),
    );
    state.timings.push(`renamed ${ONPREM_NETWORK_STACK}.${victim}`);
  });

  afterAll(() => {
    const lines = STACKS.map((stack) => {
      const wiring = state.wirings.get(stack);
      if (!wiring) return `  ${stack}: not derived`;
      const sensitive = Object.values(publishedBy(stack)).filter((o) => o.sensitive).length;
      return (
        `  ${stack}: ${wiring.placeholders.length} placeholder + ${wiring.kept.length} kept ` +
        `outputs (${sensitive} sensitive), ${wiring.reads.length} remote-state reads checked`
      );
    });
    console.log(
      [`wiring e2e (${config}):`, ...lines, `  steps: ${state.timings.join(", ")}`].join("\n"),
    );
  });
});

describe("two environment files resolving to one state location (real Terraform)", () => {
  const tmp = mkdtempSync(join(tmpdir(), "hybrid-identity-"));
  tempDirs.push(tmp);
  const outdir = join(tmp, "cdktf.out");
  const dirOf = (stack: string) => join(outdir, "stacks", stack);
  /** The example named `name`, its local state in one directory both files share. */
  const environmentFile = (name: string): string => {
    const raw = parse(readFileSync(join(ROOT, "environments/example.yaml"), "utf8")) as JsonObject;
    const file = join(tmp, `${name}.yaml`);
    writeFileSync(
      file,
      stringify({ ...raw, environment: name, backend: { type: "local", directory: "shared" } }),
    );
    return file;
  };
  /** Synthesize `name` into the one output folder and reduce two stacks to their wiring. */
  const synthesizeWiring = (name: string): void => {
    synthesize(environmentFile(name), outdir);
    const wirings = new Map<string, Wiring>();
    for (const stack of [ONPREM_NETWORK_STACK, CLOUD_NETWORK_STACK]) {
      const text = readFileSync(join(dirOf(stack), "cdk.tf.json"), "utf8");
      const wiring = deriveWiring(stack, JSON.parse(text) as JsonObject, wirings);
      wirings.set(stack, wiring);
      writeConfig(dirOf(stack), wiring.config);
    }
  };
  const flat = (result: RunResult) => `${result.stderr}${result.stdout}`.replace(/\s+/g, " ");

  beforeAll(() => {
    synthesizeWiring("dev");
    for (const stack of [ONPREM_NETWORK_STACK, CLOUD_NETWORK_STACK]) {
      terraformOk(dirOf(stack), ["init", "-input=false"]);
      terraformOk(dirOf(stack), ["apply", "-auto-approve", "-input=false"]);
    }
  });

  it("the environment that wrote the state plans no change (the marker keeps its record)", () => {
    for (const stack of [ONPREM_NETWORK_STACK, CLOUD_NETWORK_STACK]) {
      const plan = terraform(dirOf(stack), ["plan", "-detailed-exitcode", "-input=false"]);
      expect({ stack, status: plan.status }).toEqual({ stack, status: 0 });
    }
  });

  it("another environment's plan fails on the stack's own state and on what it reads, naming both", () => {
    synthesizeWiring("prod");
    const own = terraform(dirOf(ONPREM_NETWORK_STACK), ["plan", "-input=false"]);
    expect(own.status).not.toBe(0);
    expect(flat(own)).toContain(
      "This state belongs to environment dev (stack onprem-network), but this synthesis is environment prod (stack onprem-network)",
    );
    const reader = terraform(dirOf(CLOUD_NETWORK_STACK), ["plan", "-input=false"]);
    expect(reader.status).not.toBe(0);
    expect(flat(reader)).toContain(
      "The state of onprem-network (shared/onprem-network.tfstate) belongs to environment dev, not to prod",
    );
  });

  it("a deliberate rename adopts the state with the printed -replace", () => {
    const adopted = terraform(dirOf(ONPREM_NETWORK_STACK), [
      "plan",
      "-input=false",
      "-replace=terraform_data.state_identity",
    ]);
    expect(adopted.status).toBe(0);
  });
});
