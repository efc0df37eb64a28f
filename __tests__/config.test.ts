import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, parseConfig } from "../lib/config/load";
import { distributionMajorVersion } from "../lib/config/registry/rules";
import { renderConfigJsonSchema, renderConfigReferenceDoc } from "../lib/config/json-schema";
import {
  cloudOf,
  configFrom,
  loadEnvironment,
  merge,
  rawEnvironment,
  ROOT,
} from "./helpers/config";

type Raw = Record<string, unknown>;
/** Dotted path -> new value; `undefined` deletes the field. */
type Patch = Record<string, unknown>;

function problemsOf(input: unknown): string {
  try {
    configFrom(input);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("config was accepted");
}

function patched(raw: Raw, patch: Patch): Raw {
  for (const [path, value] of Object.entries(patch)) {
    const keys = path.split(".");
    const last = keys.pop() ?? "";
    let target: Raw = raw;
    for (const key of keys) {
      const next = target[key];
      target[key] = next && typeof next === "object" ? next : {};
      target = target[key] as Raw;
    }
    if (value === undefined) delete target[last];
    else target[last] = value;
  }
  return raw;
}

const hybrid = (patch: Patch = {}): Raw =>
  patched(rawEnvironment("environments/example.yaml"), patch);
const standalone = (patch: Patch = {}): Raw =>
  patched(rawEnvironment("environments/standalone-k3s.yaml"), patch);
const EXTERNAL_ONPREM = {
  mode: "external",
  asn: 65010,
  peerInterfaces: ["198.51.100.1"],
  networkCidrs: ["192.168.10.0/24"],
  registryIp: "192.168.10.20",
  kubeconfig: { path: "kubeconfig" },
};
const NGINX_SEED = { source: "docker.io/library/nginx:stable", target: "stack-labs/nginx:stable" };

describe("example environments", () => {
  it("parses the default environment with tutorial 000's values", () => {
    const config = loadEnvironment("environments/example.yaml");
    if (config.mode !== "hybrid" || config.onprem.mode !== "simulated") throw new Error("mode");
    expect(config.onprem.region).toBe("europe-west1");
    expect(config.onprem.network.subnetCidr).toBe("10.0.0.0/24");
    expect(cloudOf(config).network.subnetCidr).toBe("10.0.1.0/24");
    expect([config.onprem.asn, cloudOf(config).asn]).toEqual([64512, 64513]);
    expect(config.onprem.cluster.controlPlaneCidr).toBe("172.16.0.0/28");
    expect(cloudOf(config).cluster.controlPlaneCidr).toBe("172.17.0.0/28");
    expect(config.registry.fqdn).toBe("registry.onprem.internal");
  });

  it("fills documented defaults", () => {
    const config = loadEnvironment("environments/example.yaml");
    if (config.mode !== "hybrid") throw new Error("mode");
    expect(config.backend).toEqual({ type: "local", directory: "state/example" });
    expect(cloudOf(config).vpn.linkLocalRange).toBe("169.254.0.0/29");
    expect(cloudOf(config).cluster.deletionProtection).toBe(true);
    expect(cloudOf(config).cluster.releaseChannel).toBe("REGULAR");
    expect(config.registry.pki.keyAlgorithm).toBe("ECDSA");
    expect(config.registry.exposure).toEqual({ type: "internalLoadBalancer" });
    expect(cloudOf(config).artifactRegistry.enabled).toBe(false);
  });

  it("parses the standalone environment with tutorial 004's values", () => {
    const config = loadEnvironment("environments/standalone-k3s.yaml");
    expect(config.mode).toBe("standalone");
    expect(config.registry.exposure).toEqual({ type: "loadBalancer", ip: "192.168.0.202" });
    expect(config.registry.storage).toEqual({
      type: "pvc",
      storageClass: "longhorn",
      size: "15Gi",
      retainOnDestroy: true,
      preventDestroy: true,
    });
    expect(config.registry.namespace).toBe("docker-registry");
  });

  it("keeps the checked-in JSON Schema in sync with the zod schema (npm run schema)", () => {
    const checkedIn = readFileSync(join(ROOT, "environments/schema.json"), "utf8");
    expect(checkedIn).toBe(renderConfigJsonSchema());
  });

  it("keeps the generated docs/configuration.md in sync (npm run schema)", () => {
    const checkedIn = readFileSync(join(ROOT, "docs/configuration.md"), "utf8");
    expect(checkedIn).toBe(renderConfigReferenceDoc());
    expect(checkedIn).toContain('| `cloud.vpn.linkLocalRange` | string |  | `"169.254.0.0/29"` |');
    expect(checkedIn).toMatch(
      /\| `backend\.bucket` \| string \| yes \|.*Only when `backend\.type` is `gcs`/,
    );
  });

  it("points every environment file at the JSON Schema for editor completion", () => {
    for (const file of ["example.yaml", "standalone-k3s.yaml"]) {
      const text = readFileSync(join(ROOT, "environments", file), "utf8");
      expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=./schema.json");
    }
  });
});

describe("the configuration reference (docs/configuration.md)", () => {
  const doc = readFileSync(join(ROOT, "docs/configuration.md"), "utf8");
  const editorSchema = JSON.parse(readFileSync(join(ROOT, "environments/schema.json"), "utf8")) as {
    $id: string;
    properties: Raw;
    allOf: Array<{ then: { properties: Raw } }>;
  };
  /** Every key a file may have at its top level, in any mode. */
  const topLevelKeys = [
    ...new Set([
      ...Object.keys(editorSchema.properties),
      ...editorSchema.allOf.flatMap((branch) => Object.keys(branch.then.properties)),
    ]),
  ];
  const sectionOf = (heading: string) => doc.split(`\n## ${heading}\n\n`)[1]?.split("\n## ")[0];
  const tableRows = (text: string) => text.split("\n").filter((line) => line.startsWith("| `"));

  it("has a section per top-level key, headed by the key alone (#key links to it)", () => {
    expect(topLevelKeys).toEqual(
      expect.arrayContaining(["mode", "environment", "backend", "app", "registry"]),
    );
    expect(topLevelKeys).toEqual(
      expect.arrayContaining(["onprem", "cloud", "sides", "alerts", "cluster"]),
    );
    for (const key of topLevelKeys) {
      const section = sectionOf(key);
      expect({ key, section: typeof section }).toEqual({ key, section: "string" });
      expect(doc).toContain(`- [\`${key}\`](#${key})`);
      // A one-line explanation first, then the section's fields only.
      expect(section.split("\n")[0]).toMatch(/^[A-Z`].{15,}\.$/);
      const rows = tableRows(section);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.startsWith(`| \`${key}`)).toBe(true);
    }
    expect(doc).toContain("- [Editor support](#editor-support)");
  });

  it("describes every field", () => {
    const rows = tableRows(doc);
    expect(rows.length).toBeGreaterThan(200);
    for (const row of rows) {
      // | field | type | required | default | description |, with \| inside cells
      const cells = row.split(/(?<!\\)\|/).map((text) => text.trim());
      expect(cells).toHaveLength(7);
      const [, field, , , , description] = cells;
      const text = description.replace(/^Only when .*?\. /, "");
      expect({ field, text }).toEqual({ field, text: expect.stringMatching(/^\S+ \S+/) });
    }
  });

  it("marks a field required as a user meets it: once its section is written", () => {
    // cloud is optional and sides' entries are its user's own: both sides' fields are required alike.
    expect(doc).toContain("| `cloud.projectId` | string | yes |");
    expect(doc).toContain("| `sides.<name>.projectId` | string | yes |");
    expect(doc).toContain(
      "| `registry.seedSource.username` | string | yes, if `registry.seedSource` is set |",
    );
    expect(sectionOf("cloud")).toContain("Only when `mode` is `hybrid`. Optional.");
    expect(sectionOf("onprem")).toContain("Only when `mode` is `hybrid`. Required.");
  });

  it("explains how a file outside environments/ points at the schema", () => {
    const editor = sectionOf("Editor support");
    expect(editor).toContain("$schema=./schema.json");
    expect(editor).toContain("$schema=../environments/schema.json");
    expect(editor).toMatch(/\$schema=\/\S+\/environments\/schema\.json/);
    expect(editor).toMatch(/\$schema=https:\/\/\S+/);
    expect(editor).toContain(editorSchema.$id);
  });
});

describe("validation rules: each rejected with its field path", () => {
  const cases: Array<[string, Raw, RegExp]> = [
    [
      "overlapping subnets across sides",
      hybrid({ "cloud.network.subnetCidr": "10.0.0.0/24" }),
      /cloud\.network\.subnetCidr: overlaps onprem\.network\.subnetCidr/,
    ],
    [
      "pod range overlapping the other side's service range",
      hybrid({ "cloud.network.podsCidr": "10.101.0.0/16" }),
      /cloud\.network\.podsCidr: overlaps onprem\.network\.servicesCidr/,
    ],
    [
      "control plane inside a subnet",
      hybrid({ "onprem.cluster.controlPlaneCidr": "10.0.0.16/28" }),
      /onprem\.cluster\.controlPlaneCidr: overlaps onprem\.network\.subnetCidr/,
    ],
    [
      "VPN link-local range overlapping a configured range",
      hybrid({ "cloud.network.servicesCidr": "169.254.0.0/24" }),
      /cloud\.vpn\.linkLocalRange: overlaps cloud\.network\.servicesCidr/,
    ],
    ["public ASN", hybrid({ "onprem.asn": 15169 }), /onprem\.asn: is not a private ASN/],
    ["equal ASNs", hybrid({ "cloud.asn": 64512 }), /cloud\.asn: equals onprem\.asn/],
    [
      "control plane not a /28",
      hybrid({ "cloud.cluster.controlPlaneCidr": "172.17.0.0/24" }),
      /cloud\.cluster\.controlPlaneCidr: must be a \/28/,
    ],
    [
      "control plane not RFC 1918",
      hybrid({ "cloud.cluster.controlPlaneCidr": "100.64.0.0/28" }),
      /cloud\.cluster\.controlPlaneCidr: is not an RFC 1918 private range/,
    ],
    [
      "registry IP outside its subnet",
      hybrid({ "onprem.registryIp": "10.0.1.10" }),
      /onprem\.registryIp: is not a usable address of onprem\.network\.subnetCidr/,
    ],
    [
      "registry IP on a GCP-reserved address",
      hybrid({ "onprem.registryIp": "10.0.0.1" }),
      /onprem\.registryIp: is not a usable address/,
    ],
    [
      "invalid FQDN",
      hybrid({ "registry.fqdn": "Registry_onprem" }),
      /registry\.fqdn: is not a valid lowercase fully qualified domain name/,
    ],
    [
      "mDNS .local FQDN",
      hybrid({ "registry.fqdn": "artifactory.local" }),
      /registry\.fqdn: uses \.local, which is reserved for multicast DNS/,
    ],
    [
      "0.0.0.0/0 in authorized networks",
      hybrid({ "onprem.cluster.authorizedNetworks": [{ cidr: "0.0.0.0/0", displayName: "all" }] }),
      /onprem\.cluster\.authorizedNetworks\.0\.cidr: opens the control plane to the whole internet/,
    ],
    [
      "missing project id",
      hybrid({ "cloud.projectId": undefined }),
      /cloud\.projectId: is required: the GCP project id/,
    ],
    [
      "gcs backend without bucket",
      hybrid({ backend: { type: "gcs" } }),
      /backend\.bucket: is required for the gcs backend/,
    ],
    [
      "cloud backend without organization",
      hybrid({ backend: { type: "cloud" } }),
      /backend\.organization: is required for the cloud backend/,
    ],
    [
      "unknown backend type",
      hybrid({ backend: { type: "s3" } }),
      /backend\.type: must be one of "local", "gcs", "cloud"/,
    ],
    [
      "region of the wrong shape",
      hybrid({ "cloud.region": "Europe West" }),
      /cloud\.region: must be a GCP region such as europe-west1/,
    ],
    [
      "cluster location outside its region",
      hybrid({ "cloud.cluster.location": "us-central1-a" }),
      /cloud\.cluster\.location: is not in the side's region europe-west1/,
    ],
    [
      "link-local range outside 169.254.0.0/16",
      hybrid({ "cloud.vpn": { linkLocalRange: "10.200.0.0/29" } }),
      /cloud\.vpn\.linkLocalRange: is not inside 169\.254\.0\.0\/16/,
    ],
    [
      "link-local range too small for the tunnels",
      hybrid({ "cloud.vpn": { linkLocalRange: "169.254.0.0/30" } }),
      /cloud\.vpn\.linkLocalRange: cannot hold 2 tunnel \/30s/,
    ],
    [
      "CIDR with host bits",
      hybrid({ "cloud.network.subnetCidr": "10.0.1.5/24" }),
      /cloud\.network\.subnetCidr: must be an IPv4 network in CIDR notation with no host bits set/,
    ],
    [
      "subnet smaller than /28",
      hybrid({ "cloud.network.subnetCidr": "10.0.1.0/29" }),
      /cloud\.network\.subnetCidr: is smaller than a \/28/,
    ],
    [
      "autoscaling bounds reversed",
      hybrid({ "cloud.cluster.nodePool.autoscaling": { minNodes: 3, maxNodes: 1 } }),
      /cloud\.cluster\.nodePool\.autoscaling: has minNodes greater than maxNodes/,
    ],
    [
      "GKE version without native CA trust",
      hybrid({ "cloud.cluster.minMasterVersion": "1.27.2-gke.100" }),
      /cloud\.cluster\.minMasterVersion: is older than 1\.27\.3-gke\.1700/,
    ],
    [
      "non-internal exposure in simulated mode",
      hybrid({ "registry.exposure": { type: "loadBalancer", ip: "10.0.0.20" } }),
      /registry\.exposure\.type: must be internalLoadBalancer when onprem\.mode is simulated/,
    ],
    [
      "NodePort exposure in hybrid mode",
      hybrid({ "registry.exposure": { type: "nodePort" } }),
      /registry\.exposure\.type: must be one of "internalLoadBalancer", "loadBalancer"/,
    ],
    [
      "same user for push and pull",
      hybrid({ "registry.pullUser": "pusher" }),
      /registry\.pullUser: equals registry\.pushUser/,
    ],
    [
      "duplicate seed targets",
      hybrid({ "registry.seedImages": [NGINX_SEED, NGINX_SEED] }),
      /registry\.seedImages\.1\.target: is listed twice/,
    ],
    [
      "unknown setting",
      hybrid({ "cloud.cluster.nodePool.nodeCont": 3 }),
      /cloud\.cluster\.nodePool\.nodeCont: is not a known setting/,
    ],
    [
      "unknown mode",
      hybrid({ "onprem.mode": "simulatd" }),
      /onprem\.mode: must be one of "simulated", "external"/,
    ],
    [
      "cache outside the registry zone",
      hybrid({ app: { pullThroughCache: { enabled: true, fqdn: "cache.example.internal" } } }),
      /app\.pullThroughCache\.fqdn: is not in the registry's DNS zone onprem\.internal/,
    ],
    [
      "cache IP outside the application subnet",
      hybrid({ app: { pullThroughCache: { enabled: true, ip: "10.0.0.20" } } }),
      /app\.pullThroughCache\.ip: is not a usable address of cloud\.network\.subnetCidr/,
    ],
    [
      "external peer with 3 interfaces",
      hybrid({
        onprem: {
          ...EXTERNAL_ONPREM,
          peerInterfaces: ["198.51.100.1", "198.51.100.2", "198.51.100.3"],
        },
        "registry.exposure": { type: "loadBalancer", ip: "192.168.10.20" },
      }),
      /onprem\.peerInterfaces: must list 1, 2 or 4 public IPs/,
    ],
    [
      "external registry IP outside the on-prem ranges",
      hybrid({
        onprem: { ...EXTERNAL_ONPREM, registryIp: "192.168.20.20" },
        "registry.exposure": { type: "loadBalancer", ip: "192.168.20.20" },
      }),
      /onprem\.registryIp: is not inside any of onprem\.networkCidrs/,
    ],
    [
      "standalone with an internal load balancer",
      standalone({ "registry.exposure": { type: "internalLoadBalancer" } }),
      /registry\.exposure\.type: must be one of "loadBalancer", "nodePort", "clusterIP"/,
    ],
    [
      "standalone ClusterIP without the node proxy",
      standalone({ "registry.exposure": { type: "clusterIP" } }),
      /registry\.exposure\.nodeProxy: leaves the nodes no way to reach a ClusterIP registry/,
    ],
    [
      "standalone with a pull-through cache",
      standalone({ app: { pullThroughCache: { enabled: true } } }),
      /app\.pullThroughCache\.enabled: has nothing to cache in standalone mode/,
    ],
  ];

  it.each(cases)("%s", (_name, input, expected) => {
    const message = problemsOf(input);
    expect(message).toMatch(expected);
    expect(message).toMatch(/hint: /);
  });

  it("reports every problem at once", () => {
    const message = problemsOf(
      hybrid({ "cloud.network.subnetCidr": "10.0.0.0/24", "cloud.asn": 64512 }),
    );
    expect(message).toMatch(/\(2 problems\)/);
    expect(message).toMatch(/cloud\.network\.subnetCidr: overlaps/);
    expect(message).toMatch(/cloud\.asn: equals onprem\.asn/);
  });

  it("reports schema and cross-field problems together", () => {
    const message = problemsOf(
      hybrid({
        "cloud.projectId": undefined,
        "cloud.network.subnetCidr": "10.0.0.0/24",
        "cloud.asn": 64512,
        backend: { type: "gcs" },
        "onprem.cluster.controlPlaneCidr": "172.16.0.0/27",
      }),
    );
    expect(message).toMatch(/\(5 problems\)/);
    expect(message).toMatch(/cloud\.projectId: is required/);
    expect(message).toMatch(/backend\.bucket: is required for the gcs backend/);
    expect(message).toMatch(/cloud\.network\.subnetCidr: overlaps onprem\.network\.subnetCidr/);
    expect(message).toMatch(/cloud\.asn: equals onprem\.asn/);
    expect(message).toMatch(/onprem\.cluster\.controlPlaneCidr: must be a \/28/);
  });

  it("names the offending value", () => {
    expect(problemsOf(hybrid({ "onprem.asn": 15169 }))).toMatch(/\(got 15169\)/);
  });

  it("rejects invalid YAML with its line", () => {
    expect(() => parseConfig("mode: hybrid\n  bad: [", "broken.yaml")).toThrow(/is not valid YAML/);
  });
});

describe("lists whose entries must differ", () => {
  it("refuses an alert address twice, in any case, naming both positions", () => {
    const report = problemsOf(
      hybrid({
        "alerts.enabled": true,
        "alerts.emails": ["ops@example.com", "dev@example.com", "OPS@example.com"],
      }),
    );
    expect(report).toContain("alerts.emails.2: repeats entry 0 of this list (ops@example.com)");
  });

  it("refuses repeated channels, ranges and namespaces", () => {
    expect(
      problemsOf(hybrid({ "onprem.advertisedRanges": ["10.50.0.0/24", "10.50.0.0/24"] })),
    ).toContain("onprem.advertisedRanges.1: repeats entry 0 of this list (10.50.0.0/24)");
    expect(
      problemsOf(
        hybrid({ "registry.networkPolicy.metricsNamespaces": ["monitoring", "monitoring"] }),
      ),
    ).toContain("registry.networkPolicy.metricsNamespaces.1: repeats entry 0");
  });
});

describe("several faults: every one in one report", () => {
  it("names a cross-field fault inside a section that has another invalid setting", () => {
    const report = problemsOf(
      hybrid({
        "registry.namespace": "Registry_NS",
        "registry.pushUser": "deployer",
        "registry.pullUser": "deployer",
        "cloud.cluster.controlPlaneCidr": "172.17.0.0/27",
        "cloud.cluster.minMasterVersion": "1.26.5-gke.100",
      }),
    );
    expect(report).toContain("registry.namespace: must be a lowercase RFC 1123 label");
    expect(report).toContain("registry.pullUser: equals registry.pushUser");
    expect(report).toContain("cloud.cluster.controlPlaneCidr: must be a /28");
    expect(report).toContain("cloud.cluster.minMasterVersion: is older than 1.27.3-gke.1700");
  });

  it("says nothing that comes only from the default standing in for an invalid setting", () => {
    // pushUser is invalid; its default ("pusher") equals pullUser, which is not a fault.
    const report = problemsOf(
      hybrid({ "registry.pushUser": "Bad User", "registry.pullUser": "pusher" }),
    );
    expect(report).toContain("registry.pushUser: must be a lowercase RFC 1123 label");
    expect(report).not.toContain("equals registry.pushUser");
  });
});

describe("distributionMajorVersion", () => {
  it.each([
    ["registry:2", 2],
    ["registry:2.8.3", 2],
    ["registry:3.0.0", 3],
    ["ghcr.io/distribution/distribution:v3.0.0", 3],
    ["localhost:5000/registry:3.1.0", 3],
    ["registry", undefined],
    ["registry:latest", undefined],
  ])("%s -> %s", (image, major) => {
    expect(distributionMajorVersion(image)).toBe(major);
  });
});

describe("the registry image is a pinned Distribution 3", () => {
  const withImage = (image: string) =>
    configFrom(merge(rawEnvironment("environments/standalone-k3s.yaml"), { registry: { image } }));

  it("defaults to registry:3.1.1, the latest 3.x release", () => {
    expect(loadEnvironment("environments/example.yaml").registry.image).toBe("registry:3.1.1");
  });

  it.each([
    "registry:3.0.0",
    "ghcr.io/distribution/distribution:v3.1.1",
    `registry@sha256:${"a".repeat(64)}`,
  ])("accepts %s", (image) => {
    expect(withImage(image).registry.image).toBe(image);
  });

  it.each(["registry:2", "registry:2.8.3", "registry:latest", "registry", "registry:edge"])(
    "refuses %s",
    (image) => {
      expect(() => withImage(image)).toThrow(/registry\.image: is (Distribution 2\.x|not pinned)/);
    },
  );
});
