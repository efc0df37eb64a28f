/**
 * The real cdktf CLI (cdktf-cli 0.21.0 from devDependencies) running this app: a switch from
 * hybrid to standalone and back synthesizes cleanly (the CLI removes orphaned stack folders
 * itself and failed with ENOENT when the app had already removed them), Terraform's working
 * files beside the JSON survive, and a bad environment fails without touching the output.
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/cdktf-cli.e2e.ts`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/config";
import { cleanupTempDirs, makeTempDir, run } from "./support/tools";

describe("cdktf synth through the real cdktf CLI", () => {
  const outdir = makeTempDir("cdktf-cli-");
  afterAll(() => cleanupTempDirs());

  const synth = (environment: string) =>
    run("npx", ["--no-install", "cdktf", "synth", "--output", outdir], {
      cwd: ROOT,
      env: { ...process.env, HYBRID_CONFIG: environment, CHECKPOINT_DISABLE: "1", CI: "1" },
    });
  const stacks = () => readdirSync(join(outdir, "stacks")).sort();

  it("hybrid, then standalone, then hybrid again, keeping .terraform of the stack that stays", () => {
    const hybrid = synth("environments/example.yaml");
    expect(hybrid.status).toBe(0);
    // The CLI prints its own summary, without the environment: the app says it on stderr,
    // which the CLI passes on (as an [ERROR] log line, on its own stdout).
    expect(hybrid.output).toContain(
      "hybrid-registry: synthesized environment example from environments/example.yaml (3 stacks)",
    );
    expect(stacks()).toEqual(["cloud-network", "onprem-network", "workloads"]);

    const kept = join(outdir, "stacks", "workloads");
    mkdirSync(join(kept, ".terraform"), { recursive: true });
    writeFileSync(join(kept, ".terraform.lock.hcl"), "# providers\n");

    const standalone = synth("environments/standalone-k3s.yaml");
    expect(standalone.output).not.toContain("ENOENT");
    expect(standalone.status).toBe(0);
    expect(stacks()).toEqual(["workloads"]);
    expect(existsSync(join(kept, ".terraform"))).toBe(true);
    expect(readFileSync(join(kept, ".terraform.lock.hcl"), "utf8")).toBe("# providers\n");

    const back = synth("environments/example.yaml");
    expect(back.status).toBe(0);
    expect(stacks()).toEqual(["cloud-network", "onprem-network", "workloads"]);
  });

  it("a bad environment fails with the report and leaves the output as it was", () => {
    const before = readFileSync(join(outdir, "stacks", "workloads", "cdk.tf.json"), "utf8");
    const failed = synth("environments/does-not-exist.yaml");
    expect(failed.status).not.toBe(0);
    expect(failed.output).toContain("not found:");
    expect(readFileSync(join(outdir, "stacks", "workloads", "cdk.tf.json"), "utf8")).toBe(before);
    expect(readdirSync(outdir).filter((entry) => entry.startsWith(".staging-"))).toEqual([]);
  });
});
