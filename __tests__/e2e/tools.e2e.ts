/**
 * Every `npm run <tool>` explains itself: `--help` prints its usage and exits 0 without
 * touching a file; an unknown flag is refused with the usage and exit 2; a tool run before
 * anything is deployed says so in one line, without a stack trace. Real `npm run`, one
 * process per case.
 */
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/config";
import { cleanupTempDirs, makeTempDir, run } from "./support/tools";

/** The tools of package.json (synth and the test runners are not tools). */
const TOOLS = [
  "diagram",
  "estimate",
  "verify",
  "migrate-to-sides",
  "device-settings",
  "bench",
  "alert-rules",
  "schema",
  "rehearse",
];

/** A digest of every file a tool could write: README, docs, environments, cdktf.out. */
function treeDigest(): string {
  const hash = createHash("sha256");
  const visit = (path: string) => {
    let entries: string[];
    try {
      entries = statSync(path).isDirectory() ? readdirSync(path).sort() : [];
    } catch {
      return;
    }
    if (entries.length === 0 && !statSync(path).isDirectory()) {
      hash.update(path).update(readFileSync(path));
      return;
    }
    for (const entry of entries) visit(join(path, entry));
  };
  for (const path of ["README.md", "docs", "environments", "cdktf.out"]) visit(join(ROOT, path));
  return hash.digest("hex");
}

const npmRun = (tool: string, args: string[], cwd = ROOT) =>
  run("npm", ["run", "--silent", tool, "--", ...args], { cwd, timeoutMs: 60000 });

describe("tools that explain themselves", () => {
  afterAll(() => cleanupTempDirs());

  it("every tool answers --help with its usage, exit 0, and writes nothing", () => {
    const before = treeDigest();
    for (const tool of TOOLS) {
      const result = npmRun(tool, ["--help"]);
      expect({ tool, status: result.status }).toEqual({ tool, status: 0 });
      expect(result.stdout).toMatch(/^usage: /);
      expect(result.stdout).toContain(`npm run ${tool}`);
    }
    expect(treeDigest()).toBe(before);
  }, 240000);

  it("every tool refuses an unknown flag with the usage and exit 2", () => {
    const before = treeDigest();
    for (const tool of TOOLS) {
      const result = npmRun(tool, ["--no-such-flag"]);
      expect({ tool, status: result.status }).toEqual({ tool, status: 2 });
      expect(result.stderr).toContain("--no-such-flag");
      expect(result.stderr).toContain("usage: ");
    }
    expect(treeDigest()).toBe(before);
  }, 240000);

  it("npm run cdktf runs the pinned CLI with its telemetry call off", () => {
    // .ci/run exports CHECKPOINT_DISABLE for everything; the script must not depend on it.
    const env = { ...process.env };
    delete env.CHECKPOINT_DISABLE;
    const result = run("npm", ["run", "--silent", "cdktf", "--", "synth"], {
      cwd: ROOT,
      env,
      timeoutMs: 120000,
    });
    expect(result.status).toBe(0);
    // Offline, a telemetry call logs "getaddrinfo ENOTFOUND checkpoint-api.hashicorp.com"
    // (@cdktf/commons checkpoint.js ReportRequest, skipped when CHECKPOINT_DISABLE is set).
    expect(result.output).not.toMatch(/checkpoint-api|ENOTFOUND|telemetry/i);
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(scripts.cdktf).toBe("CHECKPOINT_DISABLE=1 cdktf");
  }, 120000);

  it("verify and device-settings before any deploy say that nothing is deployed, in one line", () => {
    // A checkout with the environment files and nothing synthesized or deployed.
    const checkout = makeTempDir("tools-fresh");
    cpSync(join(ROOT, "environments"), join(checkout, "environments"), { recursive: true });
    cpSync(join(ROOT, "examples"), join(checkout, "examples"), { recursive: true });
    const tsx = join(ROOT, "node_modules", ".bin", "tsx");
    const verify = run(tsx, [join(ROOT, "scripts", "verify.ts")], { cwd: checkout });
    expect(verify.status).toBe(1);
    expect(verify.stderr).toContain("nothing is deployed from this checkout");
    expect(verify.stderr).toContain("npm run cdktf -- deploy workloads");
    expect(verify.stderr).not.toMatch(/\n\s+at /);
    expect(verify.stderr.trim().split("\n")).toHaveLength(1);

    // Synthesized, never initialized: Terraform would say "run terraform init".
    mkdirSync(join(checkout, "cdktf.out", "stacks", "workloads"), { recursive: true });
    const initialized = run(tsx, [join(ROOT, "scripts", "verify.ts")], { cwd: checkout });
    expect(initialized.status).toBe(1);
    expect(initialized.stderr).toMatch(/workloads is not deployed/);
    expect(initialized.stderr.trim().split("\n")).toHaveLength(1);

    const device = run(tsx, [join(ROOT, "scripts", "device-settings.ts")], {
      cwd: checkout,
      env: { ...process.env, HYBRID_CONFIG: "examples/external-one-interface.yaml" },
    });
    expect(device.status).toBe(1);
    expect(device.stderr).toMatch(/is not deployed from this checkout.*deploy it first/);
    expect(device.stderr.trim().split("\n")).toHaveLength(1);
  }, 120000);
});
