import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { App } from "cdktf";
import { publishSynthesis } from "./publish-synthesis";

/**
 * The Terraform JSON of every stack `build` adds, by stack name, synthesized into a temporary
 * folder that is removed afterwards (for the tools that read an environment's stacks).
 */
export function synthesizedStacks<Stack>(build: (app: App) => void): Record<string, Stack> {
  const outdir = mkdtempSync(join(tmpdir(), "hybrid-stacks-"));
  try {
    return Object.fromEntries(
      publishSynthesis({ outdir, build }).map((stack) => [
        stack.name,
        JSON.parse(
          readFileSync(join(outdir, stack.workingDirectory, "cdk.tf.json"), "utf8"),
        ) as Stack,
      ]),
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
