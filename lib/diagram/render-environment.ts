import type { App } from "cdktf";
import { synthesizedStacks } from "../synth/synthesized-stacks";
import { renderMermaid } from "./mermaid";
import { renderSvg } from "./svg";
import { topologyOf, type SynthesizedStack } from "./topology";

/** The diagrams of what `build` synthesizes, read back from the written Terraform JSON. */
export function renderDiagrams(build: (app: App) => void): { mermaid: string; svg: string } {
  const topology = topologyOf(synthesizedStacks<SynthesizedStack>(build));
  return { mermaid: renderMermaid(topology), svg: renderSvg(topology) };
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
