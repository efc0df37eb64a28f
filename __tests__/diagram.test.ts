import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderMermaid } from "../lib/diagram/mermaid";
import { withDiagram } from "../lib/diagram/render-environment";
import { renderSvg } from "../lib/diagram/svg";
import { topologyOf } from "../lib/diagram/topology";
import { ROOT } from "./helpers/config";
import { stacksOf } from "./helpers/environments";

const topology = (name: Parameters<typeof stacksOf>[0]) => topologyOf(stacksOf(name));

describe("the topology read back from synthesized stacks", () => {
  it("default: two VPCs, HA VPN with BGP, the registry at the reserved IP, DNS, state edges", () => {
    const t = topology("default");
    expect(t.sides.map((side) => [side.stack, side.network?.subnet, side.router?.asn])).toEqual([
      ["onprem-network", "10.0.0.0/24", "64512"],
      ["cloud-network", "10.0.1.0/24", "64513"],
    ]);
    expect(t.sides[1].vpn).toEqual({ tunnels: 4, perSide: 2, bgpSessions: 2 });
    expect(t.registry).toEqual({
      fqdn: "registry.onprem.internal",
      address: "10.0.0.10:443",
      exposure: "LoadBalancer",
    });
    expect(t.sides[1].dns?.records).toEqual([["registry.onprem.internal.", "10.0.0.10"]]);
    expect(t.stateEdges).toEqual(
      expect.arrayContaining([
        { producer: "onprem-network", consumer: "cloud-network" },
        { producer: "onprem-network", consumer: "workloads" },
        { producer: "cloud-network", consumer: "workloads" },
      ]),
    );
  });

  it("external site: the device's interfaces and ranges, a MetalLB address", () => {
    const t = topology("externalPeerFourIps");
    expect(t.sides[0].site?.peerInterfaces).toHaveLength(4);
    expect(t.sides[1].vpn?.perSide).toBe(4);
    expect(t.registry?.address).toBe("192.168.10.20:443");
  });

  it("the pull-through cache and Artifact Registry", () => {
    const t = topology("artifactRegistry");
    expect(t.sides[1].cache?.address).toBe("10.0.1.10:443");
    expect(t.sides[1].artifactRegistry).toMatch(/^europe-west1-docker\.pkg\.dev\//);
    expect(renderMermaid(t)).toContain('cache -- "3 miss: fetch over the VPN" --> registry');
  });

  it("three sides: each its VPN link to the one on-prem router, its zone, its own pull path", () => {
    const t = topology("threeSides");
    expect(t.sides.map((side) => side.stack)).toEqual([
      "onprem-network",
      "cloud-network-dev",
      "cloud-network-staging",
      "cloud-network-prod",
    ]);
    expect(t.sides.slice(1).map((side) => side.vpn?.perSide)).toEqual([2, 2, 2]);
    expect(t.sides[0].dns?.zone).toBe("onprem.internal.");
    expect(t.sides[3].cache?.address).toBe("10.150.0.10:443");
    expect(t.sides[1].cache).toBeUndefined();
    const chart = renderMermaid(t);
    for (const side of [1, 2, 3]) expect(chart).toContain(`==> s${side}_router`);
    expect(chart).toContain('s3_cluster -- "2 pull" --> cache3');
    expect(chart).toContain('s1_cluster -- "2 pull over the VPN" --> registry');
    // The registry stack is its own node, apart from the registry server.
    expect(chart).toContain('registry_stack -. "remote state" .-> workloads_prod');
    expect(renderSvg(t)).toContain("cloud-network-prod");
  });

  it("reads the producer of a remote state from gcs prefixes and workspace names too", () => {
    const reads = (config: Record<string, unknown>) => ({
      data: { terraform_remote_state: { state: { backend: "gcs", config } } },
    });
    const t = topologyOf({
      registry: {},
      "cloud-network-dev": {},
      "workloads-dev": reads({ bucket: "b", prefix: "hybrid-registry/cloud-network-dev" }),
      "workloads-prod": reads({ workspaces: { name: "hybrid-registry-registry" } }),
    });
    expect(t.stateEdges).toEqual([
      { producer: "cloud-network-dev", consumer: "workloads-dev" },
      { producer: "registry", consumer: "workloads-prod" },
    ]);
  });

  it("standalone: one cluster and its registry", () => {
    const t = topology("standaloneNodePort");
    expect(t.sides).toEqual([]);
    expect(t.registry?.address).toBe("every node:30500");
  });
});

describe("the committed diagrams are current (npm run diagram)", () => {
  const t = topology("default");

  it("README.md holds the default environment's Mermaid chart", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme).toBe(withDiagram(readme, renderMermaid(t)));
  });

  it("docs/topology.svg is the default environment's SVG", () => {
    expect(readFileSync(join(ROOT, "docs", "topology.svg"), "utf8")).toBe(renderSvg(t));
  });
});
