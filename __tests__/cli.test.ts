import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { rawEnvironment, ROOT } from "./helpers/config";

// One real run of the app per case: exit code, stderr and the output folder are the contract.
function runApp(config: unknown): { status: number | null; stderr: string; outdir: string } {
  const dir = mkdtempSync(join(tmpdir(), "hybrid-cli-"));
  const file = join(dir, "env.yaml");
  writeFileSync(file, stringify(config));
  const outdir = join(dir, "out");
  const result = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], {
    cwd: ROOT,
    env: { ...process.env, HYBRID_CONFIG: file, CDKTF_OUTDIR: outdir },
    encoding: "utf8",
  });
  return { status: result.status, stderr: result.stderr, outdir };
}

describe("main.ts", () => {
  let tmp: string[] = [];
  afterAll(() => tmp.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("rejects overlapping subnets and equal ASNs: both named, no stack trace, nothing written", () => {
    const raw = rawEnvironment("environments/example.yaml") as {
      cloud: { asn: number; network: { subnetCidr: string } };
    };
    raw.cloud.asn = 64512;
    raw.cloud.network.subnetCidr = "10.0.0.0/24";
    const run = runApp(raw);
    tmp = [...tmp, join(run.outdir, "..")];
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/cloud\.network\.subnetCidr: overlaps onprem\.network\.subnetCidr/);
    expect(run.stderr).toMatch(/cloud\.asn: equals onprem\.asn/);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(run.outdir)).toBe(false);
  });

  it("synthesizes only the workloads stack in standalone mode", () => {
    const run = runApp(rawEnvironment("environments/standalone-k3s.yaml"));
    tmp = [...tmp, join(run.outdir, "..")];
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(readdirSync(join(run.outdir, "stacks"))).toEqual(["workloads"]);
  });
});
