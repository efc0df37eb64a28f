/**
 * A hostile or broken environment file is refused quickly and cleanly: no crash, no hang, no
 * unbounded memory, no terminal control from the file, and a bounded report.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { ConfigError, loadConfig, parseConfig } from "../lib/config/load";
import { MAX_FILE_BYTES, MAX_STRING_CHARACTERS } from "../lib/config/core/input-bounds";
import { merge, rawEnvironment, readEnvironment } from "./helpers/config";

function reportOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

const example = () => rawEnvironment("environments/example.yaml");
const parse = (text: string) => reportOf(() => parseConfig(text, "test.yaml"));
const parseObject = (value: unknown) => parse(stringify(value));

describe("files that are not environment files", () => {
  const dir = mkdtempSync(join(tmpdir(), "hybrid-bounds-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a missing file: not found, with the absolute path", () => {
    const report = reportOf(() => loadConfig("environments/nope.yaml"));
    expect(report).toContain(`not found: ${resolve("environments/nope.yaml")}`);
  });

  it("a FIFO is refused without being opened (opening would block)", () => {
    const fifo = join(dir, "fifo.yaml");
    execFileSync("mkfifo", [fifo]);
    const started = Date.now();
    expect(reportOf(() => loadConfig(fifo))).toContain("is not a regular file");
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it.each(["/dev/zero", "/dev/null", "/tmp"])("%s is refused as not a regular file", (path) => {
    expect(reportOf(() => loadConfig(path))).toContain(`is not a regular file: ${path}`);
  });

  it("a file over the size limit is refused before it is parsed", () => {
    const big = join(dir, "big.yaml");
    writeFileSync(big, `# ${"x".repeat(MAX_FILE_BYTES)}\nmode: hybrid\n`);
    expect(reportOf(() => loadConfig(big))).toContain(
      `is larger than ${MAX_FILE_BYTES / 1024} KiB`,
    );
  });
});

describe("YAML that would crash or exhaust the parser", () => {
  it.each([100, 3000, 10000])("%i nested flow lists: refused at once", (depth) => {
    const started = Date.now();
    const report = parse(`mode: hybrid\nx: ${"[".repeat(depth)}${"]".repeat(depth)}\n`);
    expect(report).toMatch(/nests \[ \] or \{ \} deeper than \d+ levels/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("deep block nesting is refused with its path", () => {
    const deep = Array.from({ length: 40 }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n");
    expect(parse(`mode: hybrid\n${deep} 1\n`)).toMatch(
      /k0\.k1\.[\w.]+: nests deeper than 16 levels/,
    );
  });

  it("an alias inside its own anchor (a cycle) is reported, not a crash", () => {
    const text = readEnvironment("environments/example.yaml").replace(
      "    authorizedNetworks:\n      - cidr: 203.0.113.0/24\n        displayName: ops-office\n",
      "    authorizedNetworks: &c [*c]\n",
    );
    expect(text).toContain("&c [*c]");
    const report = parse(text);
    expect(report).toContain("contains itself through a YAML alias");
    expect(report).not.toContain("circular structure");
  });

  it("an alias bomb is refused by the alias budget", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 8; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      lines.push(`${next}: &${next} [${Array(10).fill(`*${prev}`).join(", ")}]`);
    }
    expect(parse(`mode: hybrid\n${lines.join("\n")}\n`)).toMatch(/is not valid YAML: .*alias/i);
  });
});

describe("values in messages", () => {
  it("a long string is refused with its length and shown cut, and the field's other rules stay quiet", () => {
    const value = "y".repeat(2_000_000);
    const started = Date.now();
    const report = reportOf(() =>
      parseConfig(
        stringify(merge(example(), { registry: { storage: { storageClass: value } } }), {
          lineWidth: 0,
        }).slice(0, MAX_FILE_BYTES - 1),
        "test.yaml",
      ),
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(report).toMatch(/registry\.storage\.storageClass: is \d+ characters long/);
    expect(report).toContain(`at most ${MAX_STRING_CHARACTERS}`);
    expect(report).toMatch(/y{80}… \(\d+ characters\)/);
    expect(report.length).toBeLessThan(2000);
  });

  it("control and bidirectional characters from the file are escaped in keys and values", () => {
    const key = "\u001b]0;owned\u0007";
    const report = parseObject(
      merge(example(), {
        [key]: 1,
        registry: { fqdn: "evil\u202egpj.example.com" },
      }),
    );
    const unsafe = [...report].filter(
      (c) => c !== "\n" && (c < " " || c === "\u007f" || c === "\u202e"),
    );
    expect(unsafe).toEqual([]);
    expect(report).toContain("\\x1b]0;owned\\x07: is not a known setting");
    expect(report).toContain("evil\\u202egpj.example.com");
  });

  it("a cyclic value is summarised, never serialised", () => {
    const text = "mode: hybrid\nonprem: &o\n  self: *o\n";
    expect(() => parse(text)).not.toThrow();
  });
});
