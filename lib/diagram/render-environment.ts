import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { App } from "cdktf";
import { publishSynthesis } from "../synth/publish-synthesis";
import { renderMermaid } from "./mermaid";
import { renderSvg } from "./svg";
import { topologyOf, type SynthesizedStack } from "./topology";

/** The diagrams of what `build` synthesizes, read back from the written Terraform JSON. */
export function renderDiagrams(build: (app: App) => void): { mermaid: string; svg: string } {
  const outdir = mkdtempSync(join(tmpdir(), "hybrid-diagram-"));
  try {
    const stacks = Object.fromEntries(
      publishSynthesis({ outdir, build }).map((stack) => [
        stack.name,
        JSON.parse(
          readFileSync(join(outdir, stack.workingDirectory, "cdk.tf.json"), "utf8"),
        ) as SynthesizedStack,
      ]),
    );
    const topology = topologyOf(stacks);
    return { mermaid: renderMermaid(topology), svg: renderSvg(topology) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** README markers between which the default environment's diagram lives. */
export const README_DIAGRAM_BEGIN = "<!-- diagram:begin (npm run diagram) -->";
export const README_DIAGRAM_END = "<!-- diagram:end -->";

/** The README with its diagram section replaced. */
export function withDiagram(readme: string, mermaid: string): string {
  const start = readme.indexOf(README_DIAGRAM_BEGIN);
  const end = readme.indexOf(README_DIAGRAM_END);
  if (start < 0 || end < start) {
    throw new Error(`README.md lacks the ${README_DIAGRAM_BEGIN} … ${README_DIAGRAM_END} markers`);
  }
  return `${readme.slice(0, start + README_DIAGRAM_BEGIN.length)}\n\n\`\`\`mermaid\n${mermaid}\`\`\`\n\n${readme.slice(end)}`;
}
