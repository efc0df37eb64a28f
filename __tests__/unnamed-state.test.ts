/**
 * A named environment's first synthesis while its state may still be where state lived before
 * environments had names: refused with the explicit move, never silently planned anew.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unnamedStateProblem } from "../lib/backend/unnamed-state";
import { ROOT } from "./helpers/config";

const STACKS = ["onprem-network", "cloud-network", "workloads"];

/** A Terraform state whose identity marker records `environment`. */
function stateOf(environment: string): string {
  return JSON.stringify({
    version: 4,
    resources: [
      {
        mode: "managed",
        type: "terraform_data",
        name: "state_identity",
        instances: [
          { attributes: { output: { value: { environment, stack: "onprem-network" } } } },
        ],
      },
    ],
  });
}

describe("state from before environment names", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "hybrid-unnamed-"));
    mkdirSync(join(root, "state"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const problem = (directory = "state/prod") =>
    unnamedStateProblem({ environment: "prod", directory, stackNames: STACKS, root });

  it("is in the way when it records no environment or this one, and says how to move it", () => {
    writeFileSync(join(root, "state", "onprem-network.tfstate"), JSON.stringify({ version: 4 }));
    writeFileSync(join(root, "state", "workloads.tfstate"), stateOf("prod"));
    expect(problem()).toBe(
      [
        "Environment prod keeps its state in state/prod/, but state written before environments had names is in state/: state/onprem-network.tfstate, state/workloads.tfstate.",
        "If it is this environment's deployment, move it (state/*.tfstate.backup too, if you keep them), then synthesize again:",
        "  mkdir -p state/prod && mv state/onprem-network.tfstate state/workloads.tfstate state/prod/",
        "If it is another environment's (a file without environment:), apply that one once with this version: its state then records its name. Or keep this environment's state where it was with backend.directory: state.",
      ].join("\n"),
    );
  });

  it("is not in the way when another environment claimed it, or once this one has its own", () => {
    writeFileSync(join(root, "state", "onprem-network.tfstate"), stateOf("example"));
    expect(problem()).toBeUndefined();
    writeFileSync(join(root, "state", "workloads.tfstate"), JSON.stringify({ version: 4 }));
    mkdirSync(join(root, "state", "prod"));
    writeFileSync(join(root, "state", "prod", "workloads.tfstate"), stateOf("prod"));
    expect(problem()).toBeUndefined();
  });

  it("is not looked for where the file chose the directory itself", () => {
    writeFileSync(join(root, "state", "onprem-network.tfstate"), JSON.stringify({ version: 4 }));
    expect(problem("elsewhere")).toBeUndefined();
  });

  it("stops the synthesis before anything is written", () => {
    writeFileSync(join(root, "state", "workloads.tfstate"), JSON.stringify({ version: 4 }));
    const outdir = join(root, "cdktf.out");
    const run = spawnSync(process.execPath, [join(ROOT, "scripts", "synth.cjs")], {
      cwd: root,
      env: {
        ...process.env,
        HYBRID_CONFIG: join(ROOT, "environments", "standalone-k3s.yaml"),
        CDKTF_OUTDIR: outdir,
      },
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("not synthesized.\nEnvironment standalone-k3s keeps its state");
    expect(run.stderr).toContain("mv state/workloads.tfstate state/standalone-k3s/");
    expect(existsSync(outdir)).toBe(false);
    expect(existsSync(join(root, "state", "standalone-k3s"))).toBe(false);
  });
});
