import {
  DAY_TWO_CHANGES,
  preparedForDestroy,
  settingAt,
  withoutOneSide,
  withSetting,
} from "../lib/rehearsal/day-two-changes";
import {
  countsOf,
  describeChanges,
  plannedChanges,
  statefulLosses,
  unexpectedReplacements,
  type JsonPlan,
} from "../lib/rehearsal/plan-report";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requiredVariables, summaryTable } from "../lib/rehearsal/rehearse";
import { environmentOf, type CommandSettings } from "../lib/rehearsal/commands";
import { LOCAL_STATE_DIRECTORY_ENV } from "../lib/config/backend/local-state";
import { inParallel, manySummary, shippedEnvironments } from "../lib/rehearsal/rehearse-many";
import { rehearsalEnvironment, REHEARSAL_STATE_DIRECTORY } from "../lib/rehearsal/workspace";
import { rawEnvironment, ROOT } from "./helpers/config";

const plan: JsonPlan = {
  resource_changes: [
    {
      address: "google_container_cluster.cluster",
      mode: "managed",
      type: "google_container_cluster",
      change: { actions: ["delete", "create"], replace_paths: [["network"]] },
    },
    {
      address: "kubernetes_deployment_v1.registry",
      mode: "managed",
      type: "kubernetes_deployment_v1",
      change: { actions: ["update"] },
    },
    {
      address: "data.google_client_config.current",
      mode: "data",
      type: "google_client_config",
      change: { actions: ["read"] },
    },
    {
      address: "tls_locally_signed_cert.server",
      mode: "managed",
      type: "tls_locally_signed_cert",
      change: { actions: ["create", "delete"] },
    },
    {
      address: "google_compute_router_peer.gone",
      mode: "managed",
      type: "google_compute_router_peer",
      change: { actions: ["delete"] },
    },
    {
      address: "kubernetes_namespace_v1.apps",
      mode: "managed",
      type: "kubernetes_namespace_v1",
      change: { actions: ["no-op"] },
    },
  ],
};

describe("reading a Terraform JSON plan", () => {
  const changes = plannedChanges(plan);

  it("keeps managed changes with their kind; reads and no-ops are not changes", () => {
    expect(changes.map((change) => [change.address, change.kind])).toEqual([
      ["google_container_cluster.cluster", "replace"],
      ["kubernetes_deployment_v1.registry", "update"],
      ["tls_locally_signed_cert.server", "replace"],
      ["google_compute_router_peer.gone", "delete"],
    ]);
    expect(countsOf(changes)).toEqual({ create: 0, update: 1, replace: 2, delete: 1 });
    expect(plannedChanges({})).toEqual([]);
  });

  it("flags replacing or destroying stateful resources only", () => {
    const stateful = new Set(["google_container_cluster", "google_compute_router_peer"]);
    expect(
      statefulLosses(changes, (type) => stateful.has(type)).map((change) => change.address),
    ).toEqual(["google_container_cluster.cluster", "google_compute_router_peer.gone"]);
  });

  it("flags every replacement of a type the day-2 change does not name", () => {
    const addresses = (expected: readonly string[]) =>
      unexpectedReplacements(changes, expected).map((change) => change.address);
    expect(addresses([])).toEqual([
      "google_container_cluster.cluster",
      "tls_locally_signed_cert.server",
    ]);
    expect(addresses(["tls_locally_signed_cert"])).toEqual(["google_container_cluster.cluster"]);
    // Only a renewal may replace a certificate; no routine change replaces anything else.
    expect(
      DAY_TWO_CHANGES.map((change) => [change.id, change.replaces ?? []]).filter(
        ([, types]) => types.length > 0,
      ),
    ).toEqual([["certificate-renewal", ["tls_locally_signed_cert"]]]);
  });

  it("says why a replacement is forced", () => {
    expect(describeChanges(changes)[0]).toBe("replace google_container_cluster.cluster (network)");
  });
});

describe("day-2 changes", () => {
  const example = rawEnvironment("environments/example.yaml");
  const byId = (id: string) => {
    const change = DAY_TWO_CHANGES.find((candidate) => candidate.id === id);
    if (!change) throw new Error(`no day-2 change ${id}`);
    return change;
  };

  it("edit a copy, never the environment they are given", () => {
    const before = structuredClone(example);
    for (const change of DAY_TWO_CHANGES) change.patch(example);
    expect(example).toEqual(before);
    expect(withSetting({ a: 1 }, ["b", "c"], 2)).toEqual({ a: 1, b: { c: 2 } });
  });

  it("bump the registry image and add a node", () => {
    const bumped = byId("registry-image").patch(example) ?? {};
    expect(settingAt(bumped, ["registry", "image"])).toMatch(/-rehearsal$/);
    const grown = byId("node-count").patch(example) ?? {};
    const before = settingAt(example, ["onprem", "cluster", "nodePool", "nodeCount"]);
    expect(settingAt(grown, ["onprem", "cluster", "nodePool", "nodeCount"])).toBe(
      (typeof before === "number" ? before : 1) + 1,
    );
  });

  it("move the clock into the server certificate's renewal window", () => {
    const renewal = byId("certificate-renewal");
    const hours = renewal.clockAdvanceHours?.(example) ?? 0;
    // 365 days of validity, renewed 30 days before the end: day 336.
    expect(hours).toBe((365 - 30 + 1) * 24);
    expect(renewal.patch(rawEnvironment("environments/standalone-k3s.yaml"))).toBeDefined();
  });

  it("apply only where the setting exists", () => {
    const standalone = rawEnvironment("environments/standalone-k3s.yaml");
    expect(byId("node-count").patch(standalone)).toBeUndefined();
    expect(byId("cache-ttl").patch(example)).toBeUndefined();
    const cached = rawEnvironment("examples/artifact-registry.yaml");
    expect(
      settingAt(byId("cache-ttl").patch(cached) ?? {}, ["app", "pullThroughCache", "ttl"]),
    ).toBe("504h");
  });

  it("prepare a destroy as the README says: deletion protection and prevent_destroy off", () => {
    const sides = preparedForDestroy(rawEnvironment("examples/hybrid-three-sides.yaml"));
    for (const path of [
      ["onprem", "cluster"],
      ["sides", "dev", "cluster"],
      ["sides", "staging", "cluster"],
      ["sides", "prod", "cluster"],
    ]) {
      expect(settingAt(sides, [...path, "deletionProtection"])).toBe(false);
    }
    expect(settingAt(sides, ["registry", "storage", "preventDestroy"])).toBe(false);
    const onGcs = preparedForDestroy(rawEnvironment("examples/hybrid-gcs-replicas.yaml"));
    expect(settingAt(onGcs, ["registry", "storage"])).toEqual({
      type: "gcs",
      preventDestroy: false,
    });
    const example = preparedForDestroy(rawEnvironment("environments/example.yaml"));
    expect(settingAt(example, ["cloud", "cluster", "deletionProtection"])).toBe(false);
  });

  it("remove a side that does not watch the registry", () => {
    const sides = rawEnvironment("examples/hybrid-three-sides.yaml");
    const removed = withoutOneSide(sides);
    expect(removed?.side).toBe("staging");
    expect(Object.keys(settingAt(removed?.environment ?? {}, ["sides"]) as object)).toEqual([
      "dev",
      "prod",
    ]);
    expect(withoutOneSide(example)).toBeUndefined();
  });
});

describe("the rehearsal's workspace", () => {
  it("keeps the environment's backend: the state goes to the workspace through the synthesis", () => {
    const cloud = rawEnvironment("examples/terraform-cloud.yaml");
    const copy = rehearsalEnvironment(cloud, "/project");
    // backend.workspaceSetup's terraform-cloud stack is rehearsed with the others.
    expect(copy.backend).toEqual(cloud.backend);
    const dir = join(tmpdir(), "rehearsal");
    const settings: CommandSettings = {
      projectRoot: ROOT,
      workspace: { dir, environmentFile: join(dir, "environment.yaml"), outdir: join(dir, "out") },
      cliConfigFile: join(dir, "terraform.rc"),
      clockOffsetHours: 0,
    };
    expect(environmentOf(settings)[LOCAL_STATE_DIRECTORY_ENV]).toBe(REHEARSAL_STATE_DIRECTORY);
  });

  it("makes file settings absolute: synthesis runs in the workspace", () => {
    const environment = {
      registry: { storage: { type: "s3", caCertificateFile: "certs/ca.pem" } },
    };
    expect(
      settingAt(rehearsalEnvironment(environment, "/project"), [
        "registry",
        "storage",
        "caCertificateFile",
      ]),
    ).toBe("/project/certs/ca.pem");
  });

  it("summarizes every step and stack in a table", () => {
    const table = summaryTable({
      failed: true,
      seconds: 1,
      steps: [
        {
          step: "second plan",
          stack: "onprem-network",
          counts: { create: 0, update: 0, replace: 0, delete: 0 },
          changes: [],
          problems: [],
        },
        {
          step: "registry-image",
          stack: "workloads",
          counts: { create: 0, update: 1, replace: 1, delete: 0 },
          changes: [],
          problems: ["would replace stateful kubernetes_persistent_volume_claim_v1.data"],
        },
      ],
    });
    expect(table.split("\n")).toEqual([
      "step            stack           create  update  replace  destroy  result",
      "second plan     onprem-network  0       0       0        0        ok",
      "registry-image  workloads       0       1       1        0        FAILED",
    ]);
  });
});

describe("rehearsing every shipped environment", () => {
  it("finds every environment file a user is offered, and nothing else", () => {
    const files = shippedEnvironments(ROOT);
    expect(files.slice(0, 2)).toEqual([
      "environments/example.yaml",
      "environments/standalone-k3s.yaml",
    ]);
    expect(files).toContain("examples/hybrid-three-sides.yaml");
    expect(files.every((file) => /^(environments|examples)\/[\w-]+\.yaml$/.test(file))).toBe(true);
    expect(files).toHaveLength(13);
  });

  it("runs at most `jobs` at once and keeps the items' order", async () => {
    let running = 0;
    let most = 0;
    const results = await inParallel([30, 10, 20, 5], 2, async (ms) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, ms));
      running -= 1;
      return ms * 2;
    });
    expect(results).toEqual([60, 20, 40, 10]);
    expect(most).toBe(2);
  });

  it("ends with one row per environment", () => {
    expect(
      manySummary([
        { environment: "environments/example.yaml", passed: true, seconds: 61.4 },
        { environment: "examples/a.yaml", passed: false, seconds: 9 },
      ]).split("\n"),
    ).toEqual([
      "environment                result  seconds",
      "environments/example.yaml  ok      61",
      "examples/a.yaml            FAILED  9",
    ]);
  });
});

describe("input variables", () => {
  it("lists the variables without a default, once, from every stack", () => {
    const outdir = mkdtempSync(join(tmpdir(), "rehearsal-variables-"));
    try {
      const stack = (name: string, variable: object) => {
        mkdirSync(join(outdir, "stacks", name), { recursive: true });
        writeFileSync(join(outdir, "stacks", name, "cdk.tf.json"), JSON.stringify({ variable }));
      };
      stack("registry", { registry_s3_secret_key: { sensitive: true }, region: { default: "x" } });
      stack("workloads", { registry_s3_secret_key: { sensitive: true }, seed_source_password: {} });
      stack("cloud", {});
      expect(requiredVariables(outdir, ["registry", "workloads", "cloud"])).toEqual([
        "registry_s3_secret_key",
        "seed_source_password",
      ]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
