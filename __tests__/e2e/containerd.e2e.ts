/**
 * containerd pulls from the emitted registry with the trust file the project installs on
 * nodes: `<hosts dir>/<registry>/hosts.toml` rendered by renderHostsToml
 * (lib/registry/node-trust-files.ts) with `ca.crt` beside it. A throwaway containerd runs as
 * root with its root, state and sockets in a temp folder (CRI registry config_path = the hosts
 * dir); `ctr images pull --hosts-dir` uses the same host configuration loader. The registry
 * is the one of registry.e2e.ts, started again here. Only loopback addresses appear in
 * hosts.toml: if every [host] fails, containerd falls back to `server` and would resolve it.
 *
 * With the pull-through cache: the emitted cache runs beside the registry, the CA-trust
 * DaemonSet's install script and files (synthesized with the cache and the DaemonSet on) write
 * both hosts' certs.d folders, and containerd pulls the cache's name through the cache while
 * it serves, and from the registry once it is stopped. Rewrites, each needed only because
 * this is not a cluster: the two FQDNs become the two 127.0.0.1 addresses, /etc/containerd
 * and /trust become temp folders, the ConfigMap's CA (a Terraform reference) is the test CA,
 * and the cache's upstream is the registry's Distribution port (Distribution 2.8 cannot send
 * basic auth upstream, see pull-through-cache.e2e.ts), so the registry's auth proxy log shows
 * only what containerd asked it.
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/containerd.e2e.ts`. Needs
 * root and (Debian) `containerd docker-registry skopeo apache2-utils openssl`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CONTAINERD_CERTS_DIR, renderHostsToml } from "../../lib/registry/node-trust-files";
import { configFrom, merge, rawEnvironment } from "../helpers/config";
import { resourcesOf } from "../helpers/json";
import { synthAll } from "../helpers/synth";
import { startContainerd, type Containerd } from "./support/containerd";
import { hostPlatform } from "./support/oci-image";
import { createServerCertificate } from "./support/pki";
import { CACHE_ENVIRONMENT, DEFAULT_ENVIRONMENT, synthesizedRegistry } from "./support/registry";
import { launchRegistry, type RunningRegistry } from "./support/running-registry";
import { pushImage, startRegistryScenario, type RegistryScenario } from "./support/scenario";
import {
  cleanupTempDirs,
  makeTempDir,
  requireTool,
  run,
  stopAll,
  stopProcess,
} from "./support/tools";

type Json = Record<string, unknown>;

/** Successful manifest and blob requests for `repository` in an auth proxy's access log. */
function servedRequests(log: string, repository: string): number {
  const escaped = repository.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const line = new RegExp(`uri="/v2/${escaped}/(manifests|blobs)/[^"]*" status=2`);
  return log.split("\n").filter((entry) => line.test(entry)).length;
}

describe("containerd pulls from the emitted registry with the rendered hosts.toml", () => {
  let tmp: string;
  let scenario: RegistryScenario;
  let containerd: Containerd;
  /** The hosts dir the project's files go to (containerd's config_path). */
  let hostsDir: string;

  /** Write `<dir>/<registry>/hosts.toml` (and ca.crt when asked); returns the hosts dir. */
  const writeHostsDir = (name: string, hostsToml: string, withCa: boolean): string => {
    const dir = join(tmp, name);
    const hostDir = join(dir, scenario.registry.host);
    mkdirSync(hostDir, { recursive: true });
    writeFileSync(join(hostDir, "hosts.toml"), hostsToml);
    if (withCa) writeFileSync(join(hostDir, "ca.crt"), scenario.caPem);
    return dir;
  };
  const rendered = (dir: string) =>
    renderHostsToml({
      registry: scenario.registry.host,
      endpoint: `https://${scenario.registry.host}`,
      caFile: join(dir, scenario.registry.host, "ca.crt"),
    });
  const pull = (namespace: string, dir: string, password = scenario.credentials.pull.password) =>
    containerd.ctr([
      "-n",
      namespace,
      "images",
      "pull",
      "--snapshotter",
      "native",
      "--hosts-dir",
      dir,
      "--user",
      `${scenario.credentials.pull.username}:${password}`,
      scenario.reference,
    ]);
  const lastLine = (text: string) => text.trim().split("\n").pop() ?? "";

  beforeAll(async () => {
    requireTool("containerd", "containerd");
    requireTool("ctr", "containerd");
    if (process.getuid?.() !== 0) throw new Error("containerd.e2e.ts must run as root");
    tmp = makeTempDir("containerd");
    scenario = await startRegistryScenario(DEFAULT_ENVIRONMENT, tmp);
    pushImage(scenario);
    hostsDir = join(tmp, "certs.d");
    containerd = await startContainerd(join(tmp, "containerd"), hostsDir);
    console.log(`containerd on ${containerd.socket}, config_path ${hostsDir}`);
  });

  afterAll(async () => {
    await stopAll();
    cleanupTempDirs();
  });

  test("hosts.toml names only loopback URLs", () => {
    const toml = rendered(hostsDir);
    const urls = [...toml.matchAll(/https?:\/\/([^/"]+)/g)].map((match) => match[1]);
    expect(urls.length).toBeGreaterThan(0);
    for (const host of urls) expect(host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(toml).toContain(`server = "https://${scenario.registry.host}"`);
  });

  test("without the ca line (and no ca.crt) the pull fails on the unknown authority", () => {
    const toml = rendered(join(tmp, "no-ca"));
    const withoutCa = toml
      .split("\n")
      .filter((line) => !/^\s*ca\s*=/.test(line))
      .join("\n");
    expect(withoutCa).not.toBe(toml);
    const result = pull("test-no-ca", writeHostsDir("no-ca", withoutCa, false));
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/x509: certificate signed by unknown authority/);
    console.log(`hosts.toml without ca: ${lastLine(result.output)}`);
  });

  test("with the ca line but no ca.crt beside it the pull fails", () => {
    const dir = join(tmp, "missing-ca-file");
    const result = pull("test-missing-ca", writeHostsDir("missing-ca-file", rendered(dir), false));
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/ca\.crt|no such file/);
    console.log(`hosts.toml without ca.crt: ${lastLine(result.output)}`);
  });

  test("with a wrong password the pull is unauthorized", () => {
    const dir = writeHostsDir("wrong-password", rendered(join(tmp, "wrong-password")), true);
    const result = pull("test-wrong-password", dir, "not-the-password");
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/401 Unauthorized|unauthorized/i);
    console.log(`wrong password: ${lastLine(result.output)}`);
  });

  test("with hosts.toml and ca.crt the pulling user pulls and unpacks the image", () => {
    writeHostsDir("certs.d", rendered(hostsDir), true);
    const result = pull("test", hostsDir);
    if (result.status !== 0) throw new Error(`ctr pull failed:\n${result.output}`);
    const { os, architecture } = hostPlatform();
    expect(result.output).toContain(
      `unpacking ${os}/${architecture} ${scenario.image.manifest.digest}`,
    );
    const listed = containerd.ctr(["-n", "test", "images", "ls"]);
    const line = listed.stdout.split("\n").find((entry) => entry.startsWith(scenario.reference));
    expect(line).toContain(scenario.image.manifest.digest);
    const snapshots = containerd.ctr(["-n", "test", "snapshots", "--snapshotter", "native", "ls"]);
    expect(snapshots.stdout.trim().split("\n").length).toBeGreaterThan(1);
    console.log(
      `containerd pulled ${scenario.reference} as ${scenario.credentials.pull.username} with ${join(hostsDir, scenario.registry.host, "hosts.toml")}: ${scenario.image.manifest.digest}`,
    );
  });
});

describe("containerd with the cache and the registry both configured by the CA-trust DaemonSet", () => {
  let tmp: string;
  let scenario: RegistryScenario;
  let cache: RunningRegistry;
  let containerd: Containerd;
  /** The node's certs.d the install script wrote (containerd's config_path). */
  let certsDir: string;
  let repository: string;
  let cacheReference: string;
  const originLog = () => readFileSync(scenario.registry.proxy.stdoutFile, "utf8");
  const cacheLog = () => readFileSync(cache.proxy.stdoutFile, "utf8");

  const pull = (namespace: string, hostsDir: string) =>
    containerd.ctr([
      "-n",
      namespace,
      "images",
      "pull",
      "--snapshotter",
      "native",
      "--hosts-dir",
      hostsDir,
      "--user",
      `${scenario.credentials.pull.username}:${scenario.credentials.pull.password}`,
      cacheReference,
    ]);
  const lastLine = (text: string) => text.trim().split("\n").pop() ?? "";

  beforeAll(async () => {
    requireTool("containerd", "containerd");
    requireTool("ctr", "containerd");
    if (process.getuid?.() !== 0) throw new Error("containerd.e2e.ts must run as root");
    tmp = makeTempDir("containerd-fallback");
    scenario = await startRegistryScenario(DEFAULT_ENVIRONMENT, tmp);
    pushImage(scenario);
    repository = scenario.reference.slice(scenario.registry.host.length + 1).split(":")[0];
    cache = await launchRegistry({
      registry: synthesizedRegistry(CACHE_ENVIRONMENT, "registry-cache"),
      dir: join(tmp, "cache"),
      ca: scenario.ca,
      server: createServerCertificate(scenario.ca, {
        name: "cache",
        dnsNames: ["registry-cache.onprem.internal"],
        ipAddresses: ["127.0.0.1"],
      }),
      credentials: scenario.credentials,
      replace: { REGISTRY_PROXY_REMOTEURL: `http://127.0.0.1:${scenario.registry.backendPort}` },
      drop: {
        REGISTRY_PROXY_USERNAME: "the upstream is the registry's Distribution port, without auth",
        REGISTRY_PROXY_PASSWORD: "the upstream is the registry's Distribution port, without auth",
      },
    });
    cacheReference = `${cache.host}/${repository}:${scenario.tag}`;

    // The DaemonSet as the stack emits it for a side with the cache.
    const raw = merge(rawEnvironment(CACHE_ENVIRONMENT), {
      app: { caTrustDaemonSet: { enabled: true } },
    });
    const config = configFrom(raw);
    if (config.mode !== "hybrid") throw new Error(`${CACHE_ENVIRONMENT} must be hybrid`);
    const workloads = synthAll(config).workloads;
    const [[, files]] = resourcesOf(workloads, "kubernetes_config_map_v1").filter(
      ([, body]) => (body.metadata as Json).name === "registry-ca-trust",
    );
    const [[, daemonSet]] = resourcesOf(workloads, "kubernetes_daemon_set_v1");
    const podSpec = ((daemonSet.spec as Json).template as Json).spec as Json;
    const script = ((podSpec.init_container as Json[])[0].command as string[])[2];

    const node = join(tmp, "node");
    certsDir = join(node, "certs.d");
    const trust = join(node, "trust");
    mkdirSync(trust, { recursive: true });
    const toNode = (text: string) =>
      text
        .replaceAll(config.app.pullThroughCache.fqdn, cache.host)
        .replaceAll(config.registry.fqdn, scenario.registry.host)
        .replaceAll(`${CONTAINERD_CERTS_DIR}/`, `${certsDir}/`)
        .replaceAll("/etc/docker/certs.d/", `${join(node, "docker-certs.d")}/`)
        .replaceAll("/trust/", `${trust}/`);
    for (const [name, text] of Object.entries(files.data as Record<string, string>)) {
      writeFileSync(join(trust, name), name === "ca.crt" ? scenario.caPem : toNode(text));
    }
    const installed = run("/bin/sh", ["-c", toNode(script)], {
      env: { ...process.env, ASSUME_CONFIG_PATH: "true" },
    });
    if (installed.status !== 0) throw new Error(`install script failed:\n${installed.output}`);
    containerd = await startContainerd(join(tmp, "containerd"), certsDir);
  });

  afterAll(async () => {
    await stopAll();
    cleanupTempDirs();
  });

  test("each host's folder holds its own hosts.toml and the CA; the cache's names the registry second", () => {
    const hostsOf = (host: string) =>
      [
        ...readFileSync(join(certsDir, host, "hosts.toml"), "utf8").matchAll(
          /^\[host\."([^"]+)"\]\n(?:.*\n)*?\s*ca = "([^"]+)"/gm,
        ),
      ].map(([, url, ca]) => [url, ca]);
    const origin = scenario.registry.host;
    expect(hostsOf(origin)).toEqual([[`https://${origin}`, join(certsDir, origin, "ca.crt")]]);
    expect(hostsOf(cache.host)).toEqual([
      [`https://${cache.host}`, join(certsDir, cache.host, "ca.crt")],
      [`https://${origin}`, join(certsDir, origin, "ca.crt")],
    ]);
    for (const host of [origin, cache.host]) {
      expect(readFileSync(join(certsDir, host, "ca.crt"), "utf8")).toBe(scenario.caPem);
    }
  });

  test("a pull of the cache's name is served by the cache while it runs, not by the registry", () => {
    const originBefore = servedRequests(originLog(), repository);
    const result = pull("via-cache", certsDir);
    if (result.status !== 0) throw new Error(`ctr pull failed:\n${result.output}`);
    expect(result.output).toContain(scenario.image.manifest.digest);
    const fromCache = servedRequests(cacheLog(), repository);
    expect(fromCache).toBeGreaterThan(0);
    expect(servedRequests(originLog(), repository)).toBe(originBefore);
    console.log(
      `cache up: ${cacheReference} pulled through the cache (${fromCache} requests served by it, none by the registry's proxy)`,
    );
  });

  test("with the cache stopped, the same reference is pulled from the registry", async () => {
    await stopProcess(cache.proxy);
    await stopProcess(cache.process);
    // The file of earlier versions (the cache's host alone) as the control: the pull fails.
    const alone = join(tmp, "cache-alone");
    mkdirSync(join(alone, cache.host), { recursive: true });
    writeFileSync(
      join(alone, cache.host, "hosts.toml"),
      renderHostsToml({
        registry: cache.host,
        endpoint: `https://${cache.host}`,
        caFile: join(certsDir, cache.host, "ca.crt"),
      }),
    );
    const control = pull("cache-alone", alone);
    expect(control.status).not.toBe(0);
    expect(existsSync(join(certsDir, cache.host, "ca.crt"))).toBe(true);

    const originBefore = servedRequests(originLog(), repository);
    const result = pull("fallback", certsDir);
    if (result.status !== 0) throw new Error(`ctr pull failed:\n${result.output}`);
    const { os, architecture } = hostPlatform();
    expect(result.output).toContain(
      `unpacking ${os}/${architecture} ${scenario.image.manifest.digest}`,
    );
    const fromOrigin = servedRequests(originLog(), repository) - originBefore;
    expect(fromOrigin).toBeGreaterThan(0);
    console.log(
      [
        `cache down, its host alone: ${lastLine(control.output)}`,
        `cache down, with the DaemonSet's files: ${cacheReference} pulled from the registry (${fromOrigin} requests served by its proxy)`,
      ].join("\n"),
    );
  });
});
