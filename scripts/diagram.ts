/**
 * `npm run diagram`: the topology of an environment, from its synthesized stacks. Without
 * HYBRID_CONFIG it renders the default environment into README.md (Mermaid, between markers)
 * and docs/topology.svg, which a test keeps current; with HYBRID_CONFIG it prints the Mermaid
 * chart and writes cdktf.out/topology.svg.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { buildApp } from "../main";
import { startTool } from "../lib/cli/command-line";
import { DEFAULT_CONFIG_PATH, loadEnvironmentOrReport } from "../lib/config/load";
import { renderDiagrams, withDiagram } from "../lib/diagram/render-environment";

const USAGE = `usage: [HYBRID_CONFIG=<file>] npm run diagram

The topology of an environment, drawn from its synthesized stacks.
Without HYBRID_CONFIG: the default environment's diagram is written into README.md (Mermaid,
between its markers) and docs/topology.svg; a test fails while they are out of date.
With HYBRID_CONFIG: the Mermaid chart is printed and the picture written to
cdktf.out/topology.svg; nothing in the project changes.`;

startTool({ command: "npm run diagram", usage: USAGE, flags: {} }, () => {
  const chosen = process.env.HYBRID_CONFIG;
  const config = loadEnvironmentOrReport(chosen ?? DEFAULT_CONFIG_PATH);
  if (!config) return 1;
  const diagrams = renderDiagrams((app) => buildApp(app, config));
  if (chosen === undefined) {
    writeFileSync("README.md", withDiagram(readFileSync("README.md", "utf8"), diagrams.mermaid));
    writeFileSync("docs/topology.svg", diagrams.svg);
    console.log("wrote the diagram into README.md and docs/topology.svg");
    return 0;
  }
  mkdirSync("cdktf.out", { recursive: true });
  writeFileSync("cdktf.out/topology.svg", diagrams.svg);
  process.stdout.write(diagrams.mermaid);
  console.error("wrote cdktf.out/topology.svg");
  return 0;
});
