/**
 * The `sides` form of the environment file: its shape, its defaults and every cross-side rule,
 * each reported with the field and the fix before anything is written.
 */
import { ConfigError } from "../lib/config/load";
import type { ConfigProblem } from "../lib/config/core/problem";
import { applicationSidesOf } from "../lib/config/sides/application-sides";
import { configFrom, merge, rawEnvironment } from "./helpers/config";

type Json = Record<string, unknown>;

const THREE_SIDES = "examples/hybrid-three-sides.yaml";

/** The three-side example with `patch` merged in (null deletes a key). */
const threeSides = (patch: Json = {}) => merge(rawEnvironment(THREE_SIDES), patch);

function problemsOf(input: unknown): readonly ConfigProblem[] {
  try {
    configFrom(input);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("config was accepted");
}

/** The problem at `path`, failing the test when there is none. */
function problemAt(input: unknown, path: string): ConfigProblem {
  const problems = problemsOf(input);
  const found = problems.find((problem) => problem.path === path);
  if (!found) {
    throw new Error(`no problem at ${path}; got ${problems.map((p) => p.path).join(", ")}`);
  }
  return found;
}

/** A side for the example, with ranges from 10.<n>.x and its own ASN and link-local /29. */
function extraSide(n: number): Json {
  return {
    projectId: `extra-apps-${100 + n}`,
    region: "europe-west1",
    asn: 65000 + n,
    network: {
      name: `extra${n}`,
      subnetCidr: `10.200.${n}.0/24`,
      podsCidr: `10.${160 + (n % 40)}.${(n * 4) % 256}.0/22`,
      servicesCidr: `10.201.${n}.0/24`,
    },
    cluster: { name: `extra${n}-cluster`, controlPlaneCidr: `172.18.${n}.0/28` },
    vpn: { linkLocalRange: `169.254.${10 + n}.0/29` },
  };
}

describe("the sides form", () => {
  it("keeps the file's order of sides and gives each its stacks", () => {
    const config = configFrom(rawEnvironment(THREE_SIDES));
    if (config.mode !== "hybrid") throw new Error("mode");
    expect(applicationSidesOf(config).map((side) => [side.name, side.networkStack])).toEqual([
      ["dev", "cloud-network-dev"],
      ["staging", "cloud-network-staging"],
      ["prod", "cloud-network-prod"],
    ]);
  });

  it("gives a side without an app section the top-level one, and a side with one its own", () => {
    const config = configFrom(rawEnvironment(THREE_SIDES));
    if (config.mode !== "hybrid") throw new Error("mode");
    const [dev, , prod] = applicationSidesOf(config);
    expect(dev.app).toEqual(config.app);
    expect(prod.app.sampleApp.enabled).toBe(false);
    expect(prod.app.pullThroughCache.enabled).toBe(true);
    // Keys the side's app section leaves out take their defaults, not the top level's.
    expect(prod.app.namespace).toBe("apps");
  });

  it("keeps the cloud form as the one side named cloud with today's stack names", () => {
    const config = configFrom(rawEnvironment("environments/example.yaml"));
    if (config.mode !== "hybrid") throw new Error("mode");
    expect(applicationSidesOf(config)).toMatchObject([
      { name: "cloud", single: true, networkStack: "cloud-network", workloadsStack: "workloads" },
    ]);
  });

  it("refuses cloud and sides together, showing the move", () => {
    const cloud = rawEnvironment("environments/example.yaml").cloud;
    const problem = problemAt(threeSides({ cloud }), "sides");
    expect(problem.message).toBe("cannot be combined with cloud");
    expect(problem.hint).toMatch(/move the cloud section under sides/);
  });

  it("refuses a hybrid file with neither, and sides with no entry", () => {
    expect(problemAt(threeSides({ sides: null }), "cloud").message).toMatch(/is required/);
    const empty = merge(threeSides({ sides: null }), { sides: {} });
    expect(problemAt(empty, "sides").message).toBe("declares no side");
  });

  it("refuses a side name that cannot name a stack", () => {
    const raw = rawEnvironment(THREE_SIDES);
    const sides = raw.sides as Json;
    const problems = problemsOf({ ...raw, sides: { ...sides, Prod_EU: sides.prod } });
    expect(problems.map((problem) => problem.message).join("\n")).toMatch(/is not a side name/);
  });

  it("requires onprem.applicationRanges and keeps every side inside them", () => {
    expect(
      problemAt(threeSides({ onprem: { applicationRanges: null } }), "onprem.applicationRanges")
        .hint,
    ).toMatch(/adding a side inside them changes no registry stack/);
    const outside = problemAt(
      threeSides({ sides: { staging: { network: { podsCidr: "172.20.0.0/16" } } } }),
      "sides.staging.network.podsCidr",
    );
    expect(outside.message).toBe("is outside onprem.applicationRanges (10.128.0.0/9)");
    expect(outside.hint).toMatch(/changes the registry's stacks/);
  });

  it("refuses application blocks that overlap on-prem, and the blocks with cloud", () => {
    expect(
      problemAt(
        threeSides({ onprem: { applicationRanges: ["10.0.0.0/8"] } }),
        "onprem.applicationRanges.0",
      ).message,
    ).toMatch(/overlaps onprem.network.subnetCidr/);
    const single = merge(rawEnvironment("environments/example.yaml"), {
      onprem: { applicationRanges: ["10.128.0.0/9"] },
    });
    expect(problemAt(single, "onprem.applicationRanges").message).toBe("is only used with sides");
  });

  it("refuses overlapping ranges between two sides", () => {
    const problem = problemAt(
      threeSides({ sides: { prod: { network: { subnetCidr: "10.140.0.0/24" } } } }),
      "sides.prod.network.subnetCidr",
    );
    expect(problem.message).toBe("overlaps sides.staging.network.subnetCidr (10.140.0.0/24)");
  });

  it("refuses the same link-local range on two sides: their sessions share the on-prem router", () => {
    const problem = problemAt(
      threeSides({ sides: { staging: { vpn: { linkLocalRange: "169.254.0.0/29" } } } }),
      "sides.staging.vpn.linkLocalRange",
    );
    expect(problem.message).toBe("overlaps sides.dev.vpn.linkLocalRange (169.254.0.0/29)");
  });

  it("refuses an ASN another side or on-prem has", () => {
    expect(
      problemAt(threeSides({ sides: { prod: { asn: 64520 } } }), "sides.prod.asn").message,
    ).toBe("equals sides.dev.asn");
    expect(problemAt(threeSides({ sides: { dev: { asn: 64512 } } }), "sides.dev.asn").message).toBe(
      "equals onprem.asn",
    );
  });

  it("refuses a network name another side has, in any project", () => {
    const problem = problemAt(
      threeSides({ sides: { prod: { network: { name: "dev" } } } }),
      "sides.prod.network.name",
    );
    expect(problem.message).toMatch(/equals sides.dev.network.name: the VPN tunnels/);
  });

  it("refuses a cluster name another side has in the same project", () => {
    const problem = problemAt(
      threeSides({
        sides: { staging: { projectId: "dev-apps-123", cluster: { name: "dev-cluster" } } },
      }),
      "sides.staging.cluster.name",
    );
    expect(problem.message).toBe("equals sides.dev.cluster.name in the same project");
  });

  it("refuses more sides than the on-prem Cloud Router has BGP peers for (128)", () => {
    const sides = Object.fromEntries(
      Array.from({ length: 62 }, (_, n) => [`extra${n}`, extraSide(n)]),
    );
    const accepted = threeSides({
      onprem: { applicationRanges: ["10.128.0.0/9", "172.18.0.0/16"] },
      sides,
    });
    // 3 + 61 sides = 128 sessions is the limit itself.
    expect(() => configFrom(merge(accepted, { sides: { extra61: null } }))).not.toThrow();
    const problem = problemAt(accepted, "sides");
    expect(problem.message).toBe(
      "would give the on-prem Cloud Router 130 BGP sessions (2 per side); a Cloud Router carries at most 128",
    );
  });

  it("refuses the same Artifact Registry repository twice in one project and region", () => {
    const problem = problemAt(
      threeSides({
        sides: {
          dev: {
            projectId: "prod-apps-123",
            region: "europe-west4",
            artifactRegistry: { enabled: true },
          },
        },
      }),
      "sides.prod.artifactRegistry.repositoryId",
    );
    expect(problem.message).toMatch(/is also sides.dev.artifactRegistry.repositoryId/);
  });

  it("keeps every side's cache on the one certificate name", () => {
    const problem = problemAt(
      threeSides({
        sides: { prod: { app: { pullThroughCache: { fqdn: "cache.onprem.internal" } } } },
      }),
      "sides.prod.app.pullThroughCache.fqdn",
    );
    expect(problem.message).toMatch(/differs from app.pullThroughCache.fqdn/);
  });

  it("checks a side's cache address against that side's subnet", () => {
    const problem = problemAt(
      threeSides({ sides: { prod: { app: { pullThroughCache: { ip: "10.128.0.10" } } } } }),
      "sides.prod.app.pullThroughCache.ip",
    );
    expect(problem.message).toBe(
      "is not a usable address of sides.prod.network.subnetCidr (10.150.0.0/24)",
    );
  });

  it("checks a side's own app section where it is", () => {
    const restricted = problemAt(
      threeSides({
        sides: { prod: { app: { podSecurity: "restricted", sampleApp: { enabled: true } } } },
      }),
      "sides.prod.app.podSecurity",
    );
    expect(restricted.hint).toBe(
      "set sides.prod.app.sampleApp.enabled: false, or keep sides.prod.app.podSecurity: baseline",
    );
    const clash = problemAt(
      threeSides({ sides: { prod: { app: { namespace: "registry-cache" } } } }),
      "sides.prod.app.namespace",
    );
    expect(clash.message).toBe(
      "is also the namespace of the pull-through cache on the same cluster",
    );
  });

  it("names the side alerts.side points at, and refuses it with cloud", () => {
    expect(problemAt(threeSides({ alerts: { side: "qa" } }), "alerts.side").hint).toBe(
      "use one of dev, staging, prod",
    );
    const single = merge(rawEnvironment("environments/example.yaml"), {
      alerts: { enabled: true, side: "cloud" },
    });
    expect(problemAt(single, "alerts.side").message).toMatch(/is only for sides/);
  });

  it("accepts a channel of any side's project and refuses one of no side", () => {
    const channel = (project: string) => `projects/${project}/notificationChannels/42`;
    expect(() =>
      configFrom(threeSides({ alerts: { notificationChannels: [channel("dev-apps-123")] } })),
    ).not.toThrow();
    expect(
      problemAt(
        threeSides({ alerts: { notificationChannels: [channel("other-123456")] } }),
        "alerts.notificationChannels.0",
      ).message,
    ).toMatch(/is not a channel of any application side's project/);
  });

  it("requires a key store project with an external on-prem", () => {
    const raw = rawEnvironment("__tests__/fixtures/external-sides.yaml");
    const problem = problemAt(
      merge(raw, { onprem: { keyStoreProjectId: null } }),
      "onprem.keyStoreProjectId",
    );
    expect(problem.message).toBe("is required with sides and an external on-prem");
  });
});
