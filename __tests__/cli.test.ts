import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { misplacedStateNote } from "../lib/backend/state-directory";
import { rawEnvironment, ROOT } from "./helpers/config";
import { stacksOf } from "./helpers/environments";

// One real run of the app per case: exit code, stderr and the output folder are the contract.
function runApp(config: unknown): { status: number | null; stderr: string; outdir: string } {
  const dir = mkdtempSync(join(tmpdir(), "hybrid-cli-"));
  const file = join(dir, "env.yaml");
  writeFileSync(file, stringify(config));
  const outdir = join(dir, "out");
  const result = spawnSync(process.execPath, ["scripts/synth.cjs"], {
    cwd: ROOT,
    env: { ...process.env, HYBRID_CONFIG: file, CDKTF_OUTDIR: outdir },
    encoding: "utf8",
  });
  return { status: result.status, stderr: result.stderr, outdir };
}

// The standalone run is shared by two cases (each run loads cdktf and the providers anew).
let standalone: ReturnType<typeof runApp> | undefined;
function standaloneRun(): ReturnType<typeof runApp> {
  standalone ??= runApp(rawEnvironment("environments/standalone-k3s.yaml"));
  return standalone;
}
afterAll(() => {
  if (standalone) rmSync(join(standalone.outdir, ".."), { recursive: true, force: true });
});

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
    const run = standaloneRun();
    expect(run.status).toBe(0);
    expect(readdirSync(join(run.outdir, "stacks"))).toEqual(["workloads"]);
  });

  it("with CDKTF_OUTDIR outside the project, says where the local state will go and makes it owner-only there", () => {
    const run = standaloneRun();
    // The backend's path is relative to the stack folder (../../../state/<name>), so with the
    // stacks in <tmp>/out/stacks the state goes to <tmp>/state, not the project's state/.
    const there = join(run.outdir, "..", "state", "standalone-k3s");
    expect(run.stderr).toBe(
      `note: the stacks are synthesized into ${run.outdir}, so Terraform keeps this environment's local state in ${there} (the state path is relative to the stack folders), not in state/standalone-k3s/ of this project. Synthesize into a folder directly inside the project (cdktf.out, the default) to keep it there, or use a gcs or cloud backend.\n`,
    );
    const backend = (
      JSON.parse(readFileSync(join(run.outdir, "stacks", "workloads", "cdk.tf.json"), "utf8")) as {
        terraform: { backend: { local: { path: string } } };
      }
    ).terraform.backend.local.path;
    expect(join(run.outdir, "stacks", "workloads", backend)).toBe(join(there, "workloads.tfstate"));
    expect(statSync(there).mode & 0o777).toBe(0o700);
  });

  it("with the stacks inside the project (cdktf.out, the default) says nothing about the state", () => {
    expect(misplacedStateNote("cdktf.out", "state/dev", ROOT)).toBeUndefined();
    expect(misplacedStateNote(join(ROOT, "cdktf.out"), "state/dev", ROOT)).toBeUndefined();
    expect(misplacedStateNote("build/cdktf.out", "state/dev", ROOT)).toContain(
      "local state in build/state/dev",
    );
  });
});

describe("scripts/synth.cjs (the fast runner behind npm run synth and cdktf.json)", () => {
  it("writes exactly what the app synthesizes in process", () => {
    const run = standaloneRun();
    expect(run.status).toBe(0);
    const written = JSON.parse(
      readFileSync(join(run.outdir, "stacks", "workloads", "cdk.tf.json"), "utf8"),
    ) as Record<string, unknown>;
    // The app adds cdktf's "//" metadata (construct paths); Testing.synth leaves it out.
    expect(withoutMetadata(written)).toEqual(stacksOf("standalone").workloads);
  });
});

function withoutMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "//")
      .map(([key, child]) => [key, withoutMetadata(child)]),
  );
}

describe("scripts/synth.cjs reuses its bundle only for the same sources", () => {
  // The runner's digest names the cached bundle: any source change must give another name.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { inputsDigest } = require("../scripts/synth.cjs") as {
    inputsDigest: (base: string) => string;
  };
  let base = "";
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), "hybrid-digest-"));
    mkdirSync(join(base, "lib", "config"), { recursive: true });
    mkdirSync(join(base, "stacks"));
    writeFileSync(join(base, "main.ts"), 'import "./lib/config/a";\n');
    writeFileSync(join(base, "lib", "config", "a.ts"), "export const a = 1;\n");
    writeFileSync(join(base, "stacks", "s.ts"), "export const s = 1;\n");
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it("changes with a file's content, a new file and a renamed file; not with other files", () => {
    const first = inputsDigest(base);
    expect(inputsDigest(base)).toBe(first);
    writeFileSync(join(base, "README.md"), "not a source\n");
    expect(inputsDigest(base)).toBe(first);
    writeFileSync(join(base, "lib", "config", "a.ts"), "export const a = 2;\n");
    const edited = inputsDigest(base);
    expect(edited).not.toBe(first);
    writeFileSync(join(base, "stacks", "t.ts"), "export const t = 1;\n");
    const added = inputsDigest(base);
    expect(added).not.toBe(edited);
    renameSync(join(base, "stacks", "t.ts"), join(base, "stacks", "u.ts"));
    expect(inputsDigest(base)).not.toBe(added);
  });
});
