/**
 * Property-based checks of the config loader with fast-check (fixed seed, so a failure
 * reproduces): random and mutated environment files never crash or hang; a rejection is a
 * clean, bounded report; an accepted file synthesizes.
 */
import fc from "fast-check";
import { stringify } from "yaml";
import { ConfigError, parseConfig } from "../lib/config/load";
import type { Config } from "../lib/config/schema";
import { rawEnvironment, readEnvironment } from "./helpers/config";
import { configOf, stacksOf } from "./helpers/environments";
import { invariantViolations } from "./helpers/invariants";
import type { StackJson } from "./helpers/json";
import { synthesizeInProcess } from "./helpers/synth-process";

const SEED = 20261122;

const BASES = [
  "environments/example.yaml",
  "environments/standalone-k3s.yaml",
  "__tests__/fixtures/external-peer.yaml",
  "__tests__/fixtures/artifact-registry.yaml",
  "__tests__/fixtures/standalone-node-proxy.yaml",
  // Sides, replicas on a bucket, and every day-2 setting (backups, maintenance, metrics,
  // alerts, cache), so mutations reach them too.
  "examples/hybrid-three-sides.yaml",
  "examples/standalone-s3-replicas.yaml",
  "__tests__/fixtures/day-two.yaml",
];

type Json = Record<string, unknown>;
type Path = Array<string | number>;

/** Every path to a value in a parsed file (objects and lists included). */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== "object") return [prefix];
  const entries: Array<[string | number, unknown]> = Array.isArray(value)
    ? value.map((item, i) => [i, item])
    : Object.entries(value as Json);
  return [prefix, ...entries.flatMap(([key, child]) => pathsOf(child, [...prefix, key]))];
}

function withValueAt(root: unknown, path: Path, value: unknown, remove = false): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path;
  const copy: Json | unknown[] = Array.isArray(root) ? [...root] : { ...(root as Json) };
  const record = copy as Record<string | number, unknown>;
  if (rest.length === 0 && remove) {
    if (Array.isArray(copy)) copy.splice(Number(key), 1);
    else delete record[key];
  } else {
    record[key] = withValueAt(record[key], rest, value, remove);
  }
  return copy;
}

/** Values that have broken parsers and platforms before. */
const oddString = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "",
    " ",
    '${file("/etc/hostname")}',
    "%{ if true }x%{ endif }",
    "${TfToken[TOKEN.1]}",
    "\u001b]0;owned\u0007",
    "evil\u202egpj",
    "..",
    "/data/../etc",
    "0.0.0.0/0",
    "255.255.255.255",
    "224.0.0.1",
    "10.0.0.0",
    "registry:2",
    "UPPER-case",
    "a".repeat(64),
    "9".repeat(2000),
    "x".repeat(300),
    // Schedules, zones, durations, sizes, classes, labels and namespaces that passed a
    // shallower check than their consumer's.
    "0 3 * * 7",
    "60 * * * *",
    "0 0 1-31/0 * *",
    "- - - - -",
    "europe/berlin",
    "Local",
    "2562048h",
    "10000000000000s",
    "0",
    "Fast SSD",
    "kube-system",
    "default",
    "kube prometheus",
    "1registry",
  ),
);
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  oddString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 65536, 65537, 2 ** 53, 4294967295, 1e308),
  fc.boolean(),
  fc.constant(null),
  fc.array(oddString, { maxLength: 3 }),
  fc.dictionary(
    fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("\u001b]0;x\u0007", "k\u202e", "\u0000")),
    oddString,
    { maxKeys: 3 },
  ),
);

const parsedBases = new Map<string, { base: Json; paths: Path[] }>();

/**
 * A base file parsed, and its paths, once per file rather than on every run (`chain` calls back
 * on every run). Mutations copy along their path and never change it.
 */
function parsedBase(file: string): { base: Json; paths: Path[] } {
  const known = parsedBases.get(file);
  if (known) return known;
  const base = rawEnvironment(file);
  const parsed = { base, paths: pathsOf(base).filter((path) => path.length > 0) };
  parsedBases.set(file, parsed);
  return parsed;
}

const mutatedObject = fc.constantFrom(...BASES).chain((file) => {
  const { base, paths } = parsedBase(file);
  const mutation = fc.oneof(
    fc.record({ path: fc.constantFrom(...paths), value: oddValue, remove: fc.constant(false) }),
    fc.record({
      path: fc.constantFrom(...paths),
      value: fc.constant(null),
      remove: fc.constant(true),
    }),
  );
  return fc
    .array(mutation, { minLength: 1, maxLength: 4 })
    .map((mutations) =>
      mutations.reduce<unknown>((doc, m) => withValueAt(doc, m.path, m.value, m.remove), base),
    );
});

/** Text-level damage: insertions, cuts and YAML features at random places. */
const mutatedText = fc.constantFrom(...BASES).chain((file) => {
  const text = readEnvironment(file);
  return fc.oneof(
    fc
      .tuple(fc.nat(text.length), fc.string({ unit: "binary", maxLength: 20 }))
      .map(([at, insert]) => text.slice(0, at) + insert + text.slice(at)),
    fc.nat(text.length).map((at) => text.slice(0, at)),
    fc
      .tuple(
        fc.nat(text.length),
        fc.constantFrom("&a ", "*a", "!!binary ", "? ", "---\n", "[[[", "{", "\t", "<<: *a\n"),
      )
      .map(([at, insert]) => text.slice(0, at) + insert + text.slice(at)),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString("latin1")),
  );
});

/** Parses or throws a clean ConfigError; anything else fails the property. */
function outcome(text: string): Config | ConfigError {
  try {
    return parseConfig(text, "generated.yaml");
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

function expectCleanReport(error: ConfigError): void {
  const unsafe = [...error.message].filter(
    (c) =>
      c !== "\n" &&
      (c < " " || /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u.test(c)),
  );
  expect(unsafe).toEqual([]);
  expect(error.problems.length).toBeGreaterThan(0);
  // Every problem is a two-line entry with a hint, values cut at 80 characters.
  expect(error.message.split("\n").filter((line) => line.startsWith("    hint: "))).toHaveLength(
    error.problems.length,
  );
  // One expectation for all lines: one per line took most of this check's time.
  expect(error.message.split("\n").filter((line) => line.length >= 1500)).toEqual([]);
}

function timed<T>(action: () => T): T {
  const started = Date.now();
  const result = action();
  expect(Date.now() - started).toBeLessThan(2000);
  return result;
}

const SHIPPED = ["default", "standalone"] as const;

interface Synthesized {
  /** Up to four accepted mutations of the base files (fixed seed). */
  readonly accepted: Config[];
  readonly acceptedStacks: Array<Record<string, StackJson>>;
  /** The SHIPPED environments, synthesized again in another process. */
  readonly shipped: Array<Record<string, StackJson>>;
}

let synthesizedOnce: Synthesized | undefined;

/** One process synthesizes what both the property and the determinism checks need. */
function synthesized(): Synthesized {
  if (synthesizedOnce) return synthesizedOnce;
  const accepted: Config[] = [];
  // Parsed only until four are accepted: the other mutations are the first property's job.
  for (const doc of fc.sample(mutatedObject, { seed: SEED + 1, numRuns: 200 })) {
    if (accepted.length === 4) break;
    const result = outcome(stringify(doc, { lineWidth: 0 }));
    if (!(result instanceof ConfigError)) accepted.push(result);
  }
  const all = synthesizeInProcess([...accepted, ...SHIPPED.map((name) => configOf(name))]);
  synthesizedOnce = {
    accepted,
    acceptedStacks: all.slice(0, accepted.length),
    shipped: all.slice(accepted.length),
  };
  return synthesizedOnce;
}

describe("config loader properties", () => {
  it("mutated environment files parse or are refused cleanly, quickly", () => {
    fc.assert(
      fc.property(mutatedObject, (doc) => {
        const result = timed(() => outcome(stringify(doc, { lineWidth: 0 })));
        if (result instanceof ConfigError) expectCleanReport(result);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("damaged YAML text parses or is refused cleanly, quickly", () => {
    fc.assert(
      fc.property(mutatedText, (text) => {
        const result = timed(() => outcome(text));
        if (result instanceof ConfigError) expectCleanReport(result);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("an accepted mutation synthesizes JSON that keeps the platforms' rules", () => {
    const { accepted, acceptedStacks } = synthesized();
    expect(accepted.length).toBeGreaterThan(0);
    acceptedStacks.forEach((stacks, index) => {
      expect(Object.keys(stacks).length).toBeGreaterThan(0);
      // The config is in the failure message: the seed reproduces it, too.
      expect({ config: accepted[index], violations: invariantViolations(stacks) }).toEqual({
        config: accepted[index],
        violations: [],
      });
    });
  });
});

describe("synthesis is deterministic", () => {
  it("a synthesis in another process of the shipped environments is byte-identical", () => {
    const { shipped } = synthesized();
    SHIPPED.forEach((name, index) => {
      expect(JSON.stringify(shipped[index])).toBe(JSON.stringify(stacksOf(name)));
    });
  });
});
