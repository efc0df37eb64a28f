/** Reports that lead to the fix: where the setting is written, and what a typo meant. */
import { ConfigError, parseConfig } from "../lib/config/load";
import { nearestName } from "../lib/config/core/key-suggestion";
import { knownSettingsAt } from "../lib/config/known-settings";

function reportOf(text: string): string {
  try {
    parseConfig(text, "env.yaml");
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

const STANDALONE = `mode: standalone
cluster:
  kubeconfig: { path: ~/.kube/config }
registry:
  imagee: registry:3.1.1
  exposure: { type: nodePort, nodePort: 80 }
  storage:
    type: pvc
    retainOnDestory: true
`;

describe("unknown settings suggest the nearest valid name", () => {
  it("in the report, with the full path", () => {
    const report = reportOf(STANDALONE);
    expect(report).toContain(
      "registry.imagee: is not a known setting, at line 5, column 3\n    hint: did you mean registry.image?",
    );
    expect(report).toContain("hint: did you mean registry.storage.retainOnDestroy?");
  });

  it("a setting of another variant is named as such, not as a typo of itself", () => {
    const report = reportOf(
      STANDALONE.replace(
        "    type: pvc\n    retainOnDestory: true\n",
        "    type: emptyDir\n    size: 5Gi\n",
      ),
    );
    expect(report).toContain(
      "registry.storage.size: is not a known setting, at line 9, column 5\n    hint: size belongs to another variant of registry.storage (another type or mode)",
    );
  });

  it("only when the name is close enough to be a typo", () => {
    expect(nearestName("imagee", ["image", "fqdn"])).toBe("image");
    expect(nearestName("retainOnDestory", ["retainOnDestroy", "size"])).toBe("retainOnDestroy");
    expect(nearestName("Namespace", ["namespace"])).toBe("namespace");
    expect(nearestName("colour", ["image", "fqdn"])).toBeUndefined();
    expect(nearestName("x".repeat(100), ["x"])).toBeUndefined();
  });

  it("knows the names of every variant of a union at the path", () => {
    expect(knownSettingsAt(["registry", "storage"])).toEqual(
      expect.arrayContaining(["size", "storageClass", "path", "node", "retainOnDestroy"]),
    );
    expect(knownSettingsAt(["onprem"])).toEqual(
      expect.arrayContaining(["projectId", "peerInterfaces", "kubeconfig"]),
    );
    expect(knownSettingsAt(["onprem", "cluster", "authorizedNetworks", "0"])).toEqual(
      expect.arrayContaining(["cidr", "displayName"]),
    );
    expect(knownSettingsAt(["no", "such"])).toEqual([]);
  });
});

describe("problems carry the line and column of their setting", () => {
  it("schema problems point at the key", () => {
    expect(reportOf(STANDALONE)).toContain(
      "registry.exposure.nodePort: must be at least 30000 (got 80), at line 6, column 31",
    );
  });

  it("a missing setting points at its parent", () => {
    const report = reportOf("mode: standalone\ncluster:\n  kubeconfig: {}\n");
    expect(report).toMatch(/cluster\.kubeconfig\.path: is required, at line 3, column 3/);
  });

  it("cross-field problems point at the field too", () => {
    const report = reportOf(
      STANDALONE.replace("  imagee: registry:3.1.1\n", "").replace(
        "retainOnDestory: true",
        "retainOnDestroy: true",
      ) + "app:\n  pullThroughCache: { enabled: true }\n",
    );
    expect(report).toMatch(/app\.pullThroughCache\.enabled: .*, at line \d+, column \d+/);
  });
});

describe("every problem at once, and what could not be checked", () => {
  it("reports faults in every valid section and names the sections whose cross-field rules waited", () => {
    const report = reportOf(`mode: hybrid
onprem:
  mode: simulated
  projectId: onprem-project-123
  region: europe-west1
  asn: 64512
  network: { name: on-prem, subnetCidr: 10.0.0.0/24, podsCidr: 10.100.0.0/16, servicesCidr: nope }
  cluster: { name: registry-cluster, controlPlaneCidr: 172.16.0.0/27 }
cloud:
  projectId: app-project-123
  region: europe-west1
  asn: 64512
  network: { name: app, subnetCidr: 10.0.1.0/24, podsCidr: 10.110.0.0/16, servicesCidr: 10.111.0.0/20 }
  cluster: { name: application-cluster, controlPlaneCidr: 172.17.0.0/28 }
registry:
  resources: { requests: { cpu: 2, memory: 1Gi }, limits: { cpu: 1, memory: 512Mi } }
`);
    expect(report).toContain("onprem.network.servicesCidr: must be an IPv4 network");
    expect(report).toContain("onprem.cluster.controlPlaneCidr: must be a /28");
    expect(report).toContain("cloud.asn: equals onprem.asn");
    expect(report).toContain(
      "Not checked yet: the cross-field rules that need onprem.network, registry (invalid above) run once those are fixed.",
    );
  });
});
