/**
 * A first apply on a fresh project must enable each API before anything uses it: every
 * google_* resource depends, directly or through other resources, on the google_project_service
 * that enables its API. The graph is read from the synthesized JSON: `depends_on` and every
 * `${type.name...}` reference.
 *
 * Exempt: resources created through the aliased on-prem provider (`google.onprem`) in the
 * on-prem project, whose APIs the onprem-network stack enabled before this stack could read its
 * state; and data sources that call no API (`google_client_config`).
 */
import { SYNTH_NAMES, stacksOf } from "./helpers/environments";
import type { StackJson } from "./helpers/json";

/** The API each resource type calls, by type prefix (longest match wins). */
const API_BY_PREFIX: ReadonlyArray<readonly [string, string]> = [
  ["google_compute_", "compute.googleapis.com"],
  ["google_container_", "container.googleapis.com"],
  ["google_dns_", "dns.googleapis.com"],
  ["google_secret_manager_", "secretmanager.googleapis.com"],
  ["google_artifact_registry_", "artifactregistry.googleapis.com"],
  ["google_service_account", "iam.googleapis.com"],
  ["google_iam_workload_identity_pool", "iam.googleapis.com"],
  ["google_project_iam_", "cloudresourcemanager.googleapis.com"],
  ["google_monitoring_", "monitoring.googleapis.com"],
  ["google_storage_", "storage.googleapis.com"],
];
const NO_API = new Set([
  "google_project_service",
  "data.google_client_config",
  // Reads the key the onprem-network stack stored after enabling Secret Manager there.
  "data.google_secret_manager_secret_version",
]);

type Body = Record<string, unknown>;

function apiOf(type: string): string | undefined {
  return API_BY_PREFIX.filter(([prefix]) => type.startsWith(prefix)).sort(
    (a, b) => b[0].length - a[0].length,
  )[0]?.[1];
}

/** Every resource and data source of a stack by address, with the addresses it depends on. */
function graphOf(stack: StackJson): Map<string, { body: Body; needs: Set<string> }> {
  const graph = new Map<string, { body: Body; needs: Set<string> }>();
  const blocks: Array<[string, Record<string, Record<string, Body>> | undefined]> = [
    ["", stack.resource],
    ["data.", stack.data],
  ];
  for (const [prefix, block] of blocks) {
    for (const [type, byName] of Object.entries(block ?? {})) {
      for (const [name, body] of Object.entries(byName)) {
        const needs = new Set<string>((body.depends_on as string[] | undefined) ?? []);
        const text = JSON.stringify({ ...body, depends_on: undefined });
        for (const match of text.matchAll(/\$\{[^}]*?\b((?:data\.)?[a-z][a-z0-9_]*\.[\w-]+)\./g)) {
          needs.add(match[1]);
        }
        graph.set(`${prefix}${type}.${name}`, { body, needs });
      }
    }
  }
  return graph;
}

function reachable(graph: ReturnType<typeof graphOf>, from: string): Set<string> {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const address = stack.pop() as string;
    for (const next of graph.get(address)?.needs ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen;
}

describe("every Google resource waits for its API to be enabled", () => {
  it.each(SYNTH_NAMES)("%s", (name) => {
    const offenders: string[] = [];
    for (const [stackName, stack] of Object.entries(stacksOf(name))) {
      const graph = graphOf(stack);
      const enabling = [...graph]
        .filter(([address]) => address.startsWith("google_project_service."))
        .map(([address, { body }]) => ({
          address,
          api: String(body.service),
          project: body.project,
        }));
      // A stack touching several projects (terraform-cloud) enables the API in each: the
      // resource waits for the one of its own project.
      const enablingFor = (api: string, project: unknown) =>
        enabling.filter(
          (service) =>
            service.api === api &&
            (typeof project !== "string" || project.includes("${") || service.project === project),
        );
      for (const [address, { body }] of graph) {
        const type = address
          .split(".")
          .slice(0, address.startsWith("data.") ? 2 : 1)
          .join(".");
        if (!type.replace(/^data\./, "").startsWith("google_") || NO_API.has(type)) continue;
        if (body.provider === "google.onprem") continue;
        const api = apiOf(type.replace(/^data\./, ""));
        if (!api) {
          offenders.push(
            `${stackName}: ${address}: no API known for ${type} (add it to API_BY_PREFIX)`,
          );
          continue;
        }
        const services = enablingFor(api, body.project);
        const needs = reachable(graph, address);
        if (services.length === 0) {
          offenders.push(`${stackName}: ${address}: ${api} is not enabled by this stack`);
        } else if (!services.some((service) => needs.has(service.address))) {
          offenders.push(`${stackName}: ${address} does not wait for ${api}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
