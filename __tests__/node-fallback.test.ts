/**
 * Nodes whose trust the CA-trust DaemonSet writes fall back from the pull-through cache to the
 * registry: the cache's hosts.toml lists the cache, then the registry, each with the CA file
 * in its own certs.d folder. containerd's own pulls with these files run in
 * e2e/containerd.e2e.ts; the install script runs in e2e/ca-trust-check.e2e.ts.
 */
import {
  caTrustInstallScript,
  hostsTomlFiles,
  type TrustedRegistryHost,
} from "../lib/registry/ca-trust-daemonset";
import { renderHostsToml } from "../lib/registry/node-trust-files";
import { configFrom, merge, rawEnvironment } from "./helpers/config";
import { ENVIRONMENTS, stacksOf } from "./helpers/environments";
import { resourcesOf } from "./helpers/json";
import { synthesizeInProcess } from "./helpers/synth-process";

type Json = Record<string, unknown>;

/** `[host."<url>"]` sections of a hosts.toml, in order, with their ca line. */
function hostSections(toml: string): Array<{ url: string; ca: string }> {
  return [...toml.matchAll(/^\[host\."([^"]+)"\]\n(?:.*\n)*?\s*ca = "([^"]+)"/gm)].map(
    ([, url, ca]) => ({ url, ca }),
  );
}

describe("renderHostsToml with fallbacks", () => {
  it("lists the endpoint first, then each fallback with its own CA file", () => {
    const toml = renderHostsToml({
      registry: "cache.example",
      endpoint: "https://cache.example",
      caFile: "/c/cache.example/ca.crt",
      fallbacks: [{ endpoint: "https://origin.example", caFile: "/c/origin.example/ca.crt" }],
    });
    expect(toml.split("\n")[0]).toBe('server = "https://cache.example"');
    expect(hostSections(toml)).toEqual([
      { url: "https://cache.example", ca: "/c/cache.example/ca.crt" },
      { url: "https://origin.example", ca: "/c/origin.example/ca.crt" },
    ]);
    expect(toml.match(/capabilities = \["pull", "resolve"\]/g)).toHaveLength(2);
  });

  it("renders exactly one host without fallbacks (the file of earlier versions)", () => {
    const toml = renderHostsToml({ registry: "r", endpoint: "https://r", caFile: "/c/r/ca.crt" });
    expect(toml).toBe(
      'server = "https://r"\n\n[host."https://r"]\n  capabilities = ["pull", "resolve"]\n  ca = "/c/r/ca.crt"\n',
    );
  });
});

describe("the CA-trust DaemonSet's files for two hosts", () => {
  const origin: TrustedRegistryHost = { registry: "origin.example", endpoint: "https://10.0.0.5" };
  const cache: TrustedRegistryHost = {
    registry: "cache.example",
    endpoint: "https://cache.example",
    fallbackTo: ["origin.example"],
  };

  it("gives each host its own file, the cache's naming the origin second", () => {
    const files = hostsTomlFiles([origin, cache]);
    expect(hostSections(files["origin.example"])).toEqual([
      { url: "https://10.0.0.5", ca: "/etc/containerd/certs.d/origin.example/ca.crt" },
    ]);
    expect(hostSections(files["cache.example"])).toEqual([
      { url: "https://cache.example", ca: "/etc/containerd/certs.d/cache.example/ca.crt" },
      { url: "https://10.0.0.5", ca: "/etc/containerd/certs.d/origin.example/ca.crt" },
    ]);
  });

  it("refuses a fallback that is not another of its hosts", () => {
    expect(() => hostsTomlFiles([{ ...cache, fallbackTo: ["elsewhere.example"] }])).toThrow(
      /cache\.example falls back to elsewhere\.example, which is not another of its hosts/,
    );
    expect(() => hostsTomlFiles([{ ...cache, fallbackTo: ["cache.example"] }])).toThrow(
      /not another of its hosts/,
    );
  });

  it("installs every CA before any hosts.toml, each file in its own host's folder", () => {
    const lines = caTrustInstallScript(["origin.example", "cache.example"]).split("\n");
    const copies = lines.filter((line) => line.startsWith("cp "));
    expect(copies.filter((line) => line.includes("hosts-"))).toEqual([
      "cp /trust/hosts-0.toml /etc/containerd/certs.d/origin.example/hosts.toml",
      "cp /trust/hosts-1.toml /etc/containerd/certs.d/cache.example/hosts.toml",
    ]);
    const lastCa = Math.max(...copies.map((l, i) => (l.includes("ca.crt") ? i : -1)));
    const firstHosts = copies.findIndex((line) => line.includes("hosts-"));
    expect(lastCa).toBeLessThan(firstHosts);
  });
});

describe("the stack's DaemonSet with the pull-through cache", () => {
  const raw = merge(rawEnvironment(ENVIRONMENTS.artifactRegistry), {
    app: { caTrustDaemonSet: { enabled: true } },
  });
  const config = configFrom(raw);
  const [{ workloads }] = synthesizeInProcess([config]);
  const [[, files]] = resourcesOf(workloads, "kubernetes_config_map_v1").filter(
    ([, body]) => (body.metadata as Json).name === "registry-ca-trust",
  );
  const data = files.data as Record<string, string>;
  if (config.mode !== "hybrid") throw new Error("the cache fixture is hybrid");
  const registry = config.registry.fqdn;
  const cacheFqdn = config.app.pullThroughCache.fqdn;

  it("falls back from the cache to the registry; the registry's file names only itself", () => {
    expect(hostSections(data["hosts-0.toml"])).toEqual([
      { url: `https://${registry}`, ca: `/etc/containerd/certs.d/${registry}/ca.crt` },
    ]);
    expect(hostSections(data["hosts-1.toml"])).toEqual([
      { url: `https://${cacheFqdn}`, ca: `/etc/containerd/certs.d/${cacheFqdn}/ca.crt` },
      { url: `https://${registry}`, ca: `/etc/containerd/certs.d/${registry}/ca.crt` },
    ]);
  });

  it("copies the cache's file to the cache's folder", () => {
    const [[, daemonSet]] = resourcesOf(workloads, "kubernetes_daemon_set_v1");
    const spec = ((daemonSet.spec as Json).template as Json).spec as Json;
    const script = ((spec.init_container as Json[])[0].command as string[])[2];
    expect(script).toContain(
      `cp /trust/hosts-1.toml /etc/containerd/certs.d/${cacheFqdn}/hosts.toml`,
    );
    expect(script).toContain(
      `cp /trust/hosts-0.toml /etc/containerd/certs.d/${registry}/hosts.toml`,
    );
  });

  it("leaves a cluster without a cache with one host and no fallback", () => {
    const standalone = stacksOf("standaloneNodePort").workloads;
    const [[, only]] = resourcesOf(standalone, "kubernetes_config_map_v1").filter(
      ([, body]) => (body.metadata as Json).name === "registry-ca-trust",
    );
    expect(Object.keys(only.data as Json).sort()).toEqual(["ca.crt", "hosts-0.toml"]);
    expect(hostSections((only.data as Record<string, string>)["hosts-0.toml"])).toHaveLength(1);
  });
});
