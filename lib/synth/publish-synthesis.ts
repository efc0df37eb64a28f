import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { join } from "node:path";
import { App, TerraformStack } from "cdktf";
// After the package root, which its module's own imports need loaded first (circular).
import { ValidateProviderPresence } from "cdktf/lib/validations/validate-provider-presence";

/** What one synthesis wrote, per stack, in the order the app added the stacks. */
export interface PublishedStack {
  readonly name: string;
  /** Directory of the stack's Terraform JSON, relative to the output directory. */
  readonly workingDirectory: string;
}

export interface PublishSynthesisOptions {
  /** cdktf's output directory (`cdktf.out`). */
  readonly outdir: string;
  /** Adds the stacks to the app. */
  readonly build: (app: App) => void;
  /**
   * Delete stack directories the new synthesis no longer has (e.g. after a hybrid to standalone
   * switch). The cdktf CLI deletes them itself after the app exits, and fails if they are
   * already gone (cli-core synth-stack.js, `orphanedDirectories`): leave them to it there.
   * @default true
   */
  readonly removeOrphans?: boolean;
}

interface ManifestJson {
  readonly stacks: Record<string, { readonly workingDirectory: string }>;
}

const STACKS_FOLDER = "stacks";
const MANIFEST = "manifest.json";
const STAGING_PREFIX = ".staging-";

/**
 * Synthesizes into a staging directory inside `outdir` and only then moves each stack's files
 * into place, one rename per file: an interrupted or failed run leaves the previous output
 * whole, and Terraform's own files beside the JSON (`.terraform/`, `.terraform.lock.hcl`) are
 * never touched.
 */
export function publishSynthesis(options: PublishSynthesisOptions): PublishedStack[] {
  const { outdir } = options;
  mkdirSync(outdir, { recursive: true });
  // Left behind by a run that was killed: never part of the output.
  for (const entry of readdirSync(outdir)) {
    if (entry.startsWith(STAGING_PREFIX))
      rmSync(join(outdir, entry), { recursive: true, force: true });
  }
  const staging = mkdtempSync(join(outdir, STAGING_PREFIX));
  try {
    // cdktf's own validations run `terraform version` once for every terraform_data resource
    // and cloud backend (cdktf lib/validations/validate-terraform-version.js, via
    // validate-binary-version.js: execSync), about 0.1 s each and 80 times with 20 sides, and
    // on the machine that synthesizes rather than the one that runs Terraform. Each stack's
    // terraform.required_version makes Terraform check its version itself (required-version.ts),
    // so synthesis skips them and runs the one other check they do, cdktf's own provider presence.
    const app = new App({ outdir: staging, skipValidation: true });
    options.build(app);
    for (const child of app.node.children) {
      if (!TerraformStack.isStack(child)) continue;
      const missing = new ValidateProviderPresence(child).validate();
      if (missing.length > 0) throw new Error(missing.join("\n"));
    }
    app.synth();
    const manifest = JSON.parse(readFileSync(join(staging, MANIFEST), "utf8")) as ManifestJson;
    // In the order the app added them (the manifest sorts by name): producers first.
    const stacks = app.node.children
      .filter((child) => TerraformStack.isStack(child))
      .map((stack) => ({
        name: stack.node.id,
        workingDirectory: manifest.stacks[stack.node.id].workingDirectory,
      }));
    for (const stack of stacks) {
      const from = join(staging, stack.workingDirectory);
      const to = join(outdir, stack.workingDirectory);
      mkdirSync(to, { recursive: true });
      for (const entry of readdirSync(from)) {
        const target = join(to, entry);
        // A file replaces its old self atomically; a directory (assets) is replaced whole.
        if (statSync(join(from, entry)).isDirectory())
          rmSync(target, { recursive: true, force: true });
        renameSync(join(from, entry), target);
      }
    }
    renameSync(join(staging, MANIFEST), join(outdir, MANIFEST));
    if (options.removeOrphans ?? true) {
      const kept = new Set(stacks.map((stack) => stack.name));
      for (const entry of readdirSync(join(outdir, STACKS_FOLDER), { withFileTypes: true })) {
        if (entry.isDirectory() && !kept.has(entry.name)) {
          rmSync(join(outdir, STACKS_FOLDER, entry.name), { recursive: true, force: true });
        }
      }
    }
    return stacks;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
