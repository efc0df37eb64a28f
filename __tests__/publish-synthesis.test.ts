import childProcess from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataResource, TerraformOutput, TerraformStack, type App } from "cdktf";
import { Password } from "@cdktf/provider-random/lib/password";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { publishSynthesis } from "../lib/synth/publish-synthesis";

/** An app of provider-less stacks, each with one output: enough to exercise the file handling. */
function stacks(...names: string[]) {
  return (app: App) => {
    for (const name of names) {
      const stack = new TerraformStack(app, name);
      new TerraformOutput(stack, "name", { value: name });
    }
  };
}

function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}

describe("publishSynthesis", () => {
  let outdir: string;
  beforeEach(() => {
    outdir = join(mkdtempSync(join(tmpdir(), "hybrid-publish-")), "cdktf.out");
  });
  afterEach(() => rmSync(join(outdir, ".."), { recursive: true, force: true }));

  it("runs no terraform binary: a terraform_data resource synthesizes without asking its version", () => {
    // cdktf's validation of terraform_data runs `terraform version` through execSync.
    const execSync = jest.spyOn(childProcess, "execSync");
    try {
      const published = publishSynthesis({
        outdir,
        build: (app) => {
          const stack = new TerraformStack(app, "guarded");
          new DataResource(stack, "guard", { input: { checked: "yes" } });
        },
      });
      expect(published.map((stack) => stack.name)).toEqual(["guarded"]);
      expect(execSync).not.toHaveBeenCalled();
    } finally {
      execSync.mockRestore();
    }
  });

  it("refuses a stack that uses a provider it does not declare, and writes nothing", () => {
    const build = (declare: boolean) => (app: App) => {
      const stack = new TerraformStack(app, "secrets");
      if (declare) new RandomProvider(stack, "random");
      new Password(stack, "password", { length: 16 });
    };
    expect(() => publishSynthesis({ outdir, build: build(false) })).toThrow(
      /to your stack 'secrets' for the following providers: random/,
    );
    expect(listing(outdir)).toEqual([]);
    expect(publishSynthesis({ outdir, build: build(true) })).toHaveLength(1);
  });

  it("writes every stack and the manifest, and nothing else", () => {
    const published = publishSynthesis({ outdir, build: stacks("one", "two") });
    expect(published.map((stack) => stack.name)).toEqual(["one", "two"]);
    expect(listing(outdir)).toEqual([
      "manifest.json",
      "stacks",
      "stacks/one",
      "stacks/one/cdk.tf.json",
      "stacks/two",
      "stacks/two/cdk.tf.json",
    ]);
  });

  it("a mode switch removes the orphaned stack and keeps Terraform's files of the others", () => {
    publishSynthesis({ outdir, build: stacks("one", "two") });
    const kept = join(outdir, "stacks", "one");
    mkdirSync(join(kept, ".terraform", "providers"), { recursive: true });
    writeFileSync(join(kept, ".terraform.lock.hcl"), "# lock\n");
    publishSynthesis({ outdir, build: stacks("one") });
    expect(readdirSync(join(outdir, "stacks"))).toEqual(["one"]);
    expect(readdirSync(kept).sort()).toEqual([".terraform", ".terraform.lock.hcl", "cdk.tf.json"]);
    expect(readFileSync(join(kept, ".terraform.lock.hcl"), "utf8")).toBe("# lock\n");
  });

  it("leaves orphans to the cdktf CLI when asked (it removes them itself)", () => {
    publishSynthesis({ outdir, build: stacks("one", "two") });
    publishSynthesis({ outdir, build: stacks("one"), removeOrphans: false });
    expect(readdirSync(join(outdir, "stacks")).sort()).toEqual(["one", "two"]);
  });

  it("a failing build leaves the previous output whole and no staging folder", () => {
    publishSynthesis({ outdir, build: stacks("one", "two") });
    const before = listing(outdir).map((file) => [file, snapshotOf(join(outdir, file))]);
    expect(() =>
      publishSynthesis({
        outdir,
        build: (app) => {
          stacks("one")(app);
          throw new Error("interrupted");
        },
      }),
    ).toThrow("interrupted");
    expect(listing(outdir).map((file) => [file, snapshotOf(join(outdir, file))])).toEqual(before);
  });

  it("removes a staging folder a killed run left behind", () => {
    mkdirSync(join(outdir, ".staging-abc123", "stacks"), { recursive: true });
    publishSynthesis({ outdir, build: stacks("one") });
    expect(readdirSync(outdir).sort()).toEqual(["manifest.json", "stacks"]);
  });
});

function snapshotOf(path: string): string {
  return statSync(path).isDirectory() ? "<dir>" : readFileSync(path, "utf8");
}
