/**
 * Every namespace the stacks create carries a Pod Security Standards level, and every pod the
 * stacks create passes the level of its namespace, checked here with the standard's rules
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/) on the synthesized
 * pod specs of every environment.
 */
import { SYNTH_NAMES, stacksOf } from "./helpers/environments";
import { POD_WORKLOADS, podSpecOfWorkload, resourcesOf, type StackJson } from "./helpers/json";

type Json = Record<string, unknown>;
type Level = "restricted" | "baseline" | "privileged";

const WORKLOADS = POD_WORKLOADS;
/** Volume types the restricted profile allows. */
const RESTRICTED_VOLUMES = new Set([
  "config_map",
  "secret",
  "empty_dir",
  "persistent_volume_claim",
  "projected",
  "downward_api",
  "csi",
  "ephemeral",
]);

function levelOf(namespace: Json): Level | undefined {
  const labels = ((namespace.metadata as Json).labels as Json | undefined) ?? {};
  return labels["pod-security.kubernetes.io/enforce"] as Level | undefined;
}

/** Violations of `level` by a pod spec (containers and init containers). */
function violations(spec: Json, level: Level): string[] {
  if (level === "privileged") return [];
  const out: string[] = [];
  const pod = (spec.security_context as Json | undefined) ?? {};
  const containers = [
    ...((spec.init_container as Json[] | undefined) ?? []),
    ...((spec.container as Json[] | undefined) ?? []),
  ];
  for (const key of ["host_network", "host_pid", "host_ipc"]) if (spec[key]) out.push(key);
  for (const volume of (spec.volume as Json[] | undefined) ?? []) {
    if (volume.host_path) out.push(`hostPath volume ${String(volume.name)}`);
    const type = Object.keys(volume).find((key) => key !== "name");
    if (level === "restricted" && type && !RESTRICTED_VOLUMES.has(type)) {
      out.push(`volume type ${type}`);
    }
  }
  for (const container of containers) {
    const name = String(container.name);
    const context = (container.security_context as Json | undefined) ?? {};
    if (context.privileged) out.push(`${name}: privileged`);
    for (const port of (container.port as Json[] | undefined) ?? []) {
      if (port.host_port) out.push(`${name}: hostPort ${String(port.host_port)}`);
    }
    if (level !== "restricted") continue;
    if (!(context.run_as_non_root ?? pod.run_as_non_root)) out.push(`${name}: runAsNonRoot`);
    if (context.allow_privilege_escalation !== false) out.push(`${name}: allowPrivilegeEscalation`);
    const capabilities = (context.capabilities as Json | undefined) ?? {};
    if (!((capabilities.drop as string[] | undefined) ?? []).includes("ALL")) {
      out.push(`${name}: capabilities.drop ALL`);
    }
    const added = (capabilities.add as string[] | undefined) ?? [];
    if (added.some((capability) => capability !== "NET_BIND_SERVICE")) {
      out.push(`${name}: capabilities.add ${added.join(",")}`);
    }
    const seccomp = ((context.seccomp_profile ?? pod.seccomp_profile) as Json | undefined)?.type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") out.push(`${name}: seccomp`);
  }
  return out;
}

describe("Pod Security Standards", () => {
  it.each(SYNTH_NAMES)("%s: every namespace has a level, every pod passes it", (name) => {
    const stack: StackJson | undefined = stacksOf(name).workloads;
    if (!stack) return;
    const namespaces = resourcesOf(stack, "kubernetes_namespace_v1");
    for (const [, namespace] of namespaces) expect(levelOf(namespace)).toBeDefined();
    const levels = new Map(
      namespaces.map(([id, namespace]) => [
        `\${kubernetes_namespace_v1.${id}.metadata[0].name}`,
        levelOf(namespace),
      ]),
    );
    const problems: string[] = [];
    for (const type of WORKLOADS) {
      for (const [id, workload] of resourcesOf(stack, type)) {
        const namespace = String((workload.metadata as Json).namespace);
        const level = levels.get(namespace);
        if (!level) {
          problems.push(`${type}.${id}: namespace ${namespace} is not one the stack labels`);
          continue;
        }
        const spec = podSpecOfWorkload(workload);
        for (const v of violations(spec, level)) problems.push(`${type}.${id} (${level}): ${v}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("the registry, cache and (by default) application namespaces are not privileged", () => {
    const levels = (name: Parameters<typeof stacksOf>[0]) =>
      Object.fromEntries(
        resourcesOf(stacksOf(name).workloads, "kubernetes_namespace_v1").map(([, ns]) => [
          (ns.metadata as Json).name,
          levelOf(ns),
        ]),
      );
    expect(levels("artifactRegistry")).toEqual({
      registry: "restricted",
      apps: "baseline",
      "registry-cache": "restricted",
    });
    // hostPath storage needs privileged in the registry's namespace; the CA trust DaemonSet
    // writes to the node's /etc in its own.
    expect(levels("standaloneNodePort")).toMatchObject({
      registry: "privileged",
      "registry-ca-trust": "privileged",
    });
    // The node proxy's hostPort lives in its own namespace: the registry's stays restricted.
    expect(levels("standaloneNodeProxy")).toMatchObject({
      registry: "restricted",
      "registry-node-proxy": "privileged",
    });
  });

  it("the checker catches what each level forbids", () => {
    const root = { container: [{ name: "c", security_context: {} }] };
    expect(violations(root, "restricted")).toEqual(
      expect.arrayContaining(["c: runAsNonRoot", "c: seccomp"]),
    );
    expect(violations(root, "baseline")).toEqual([]);
    const hostPath = { volume: [{ name: "v", host_path: { path: "/x" } }], container: [] };
    expect(violations(hostPath, "baseline")).toEqual(["hostPath volume v"]);
  });
});
