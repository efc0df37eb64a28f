/**
 * containerd pulls from the emitted registry with the trust file the project installs on
 * nodes: `<hosts dir>/<registry>/hosts.toml` rendered by renderHostsToml
 * (lib/registry/node-trust-files.ts) with `ca.crt` beside it. A throwaway containerd runs as
 * root with its root, state and sockets in a temp folder (CRI registry config_path = the hosts
 * dir); `ctr images pull --hosts-dir` uses the same host configuration loader. The registry
 * is the one of registry.e2e.ts, started again here. Only loopback addresses appear in
 * hosts.toml: if every [host] fails, containerd falls back to `server` and would resolve it.
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/containerd.e2e.ts`. Needs
 * root and (Debian) `containerd docker-registry skopeo apache2-utils openssl`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderHostsToml } from "../../lib/registry/node-trust-files";
import { startContainerd, type Containerd } from "./support/containerd";
import { hostPlatform } from "./support/oci-image";
import { DEFAULT_ENVIRONMENT } from "./support/registry";
import { pushImage, startRegistryScenario, type RegistryScenario } from "./support/scenario";
import { cleanupTempDirs, makeTempDir, requireTool, stopAll } from "./support/tools";

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
