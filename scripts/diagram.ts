/**
 * `npm run diagram`: the topology of an environment, from its synthesized stacks. Without
 * HYBRID_CONFIG it renders the default environment into README.md (Mermaid, between markers)
 * and docs/topology.svg, which a test keeps current; with HYBRID_CONFIG it prints the Mermaid
 * chart and writes cdktf.out/topology.svg.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { buildApp } from "../main";
import { DEFAULT_CONFIG_PATH, loadEnvironmentOrReport } from "../lib/config/load";
import { renderDiagrams, withDiagram } from "../lib/diagram/render-environment";

function run(): void {
  const chosen = process.env.HYBRID_CONFIG;
  const config = loadEnvironmentOrReport(chosen ?? DEFAULT_CONFIG_PATH);
  if (!config) return;
  const diagrams = renderDiagrams((app) => buildApp(app, config));
  if (chosen === undefined) {
    writeFileSync("README.md", withDiagram(readFileSync("README.md", "utf8"), diagrams.mermaid));
    writeFileSync("docs/topology.svg", diagrams.svg);
    console.log("wrote the diagram into README.md and docs/topology.svg");
    return;
  }
  mkdirSync("cdktf.out", { recursive: true });
  writeFileSync("cdktf.out/topology.svg", diagrams.svg);
  process.stdout.write(diagrams.mermaid);
  console.error("wrote cdktf.out/topology.svg");
}

run();
