/**
 * The CA-trust DaemonSet's init script, exactly as synthesized, run with /bin/sh against real
 * containerd configurations: the default one `containerd config default` prints (Debian's
 * containerd 1.6: `config_path = ""`, so containerd would ignore certs.d) must stop it with a
 * message saying what to set; a config naming /etc/containerd/certs.d (version 2, or a
 * version 3 drop-in) lets it install the trust files. Host paths are remapped to a temp dir:
 * the only rewrite of the script.
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/ca-trust-check.e2e.ts`.
 * Needs (Debian) `containerd`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HOST_CONTAINERD_CONFIG_DIR } from "../../lib/registry/ca-trust-daemonset";
import { CONTAINERD_CERTS_DIR, DOCKER_CERTS_DIR } from "../../lib/registry/node-trust-files";
import { configFrom, merge, rawEnvironment } from "../helpers/config";
import { resourcesOf } from "../helpers/json";
import { configOf, ENVIRONMENTS } from "../helpers/environments";
import { synthAll } from "../helpers/synth";
import { cleanupTempDirs, makeTempDir, requireTool, run, runOk } from "./support/tools";

type Json = Record<string, unknown>;

describe("the CA-trust DaemonSet checks containerd's config_path before installing", () => {
  const containerd = requireTool("containerd", "containerd");
  afterAll(() => cleanupTempDirs());

  const workloads = synthAll(configOf("standaloneNodePort")).workloads;
  const [[, daemonSet]] = resourcesOf(workloads, "kubernetes_daemon_set_v1").filter(
    ([, body]) => (body.metadata as Json).name === "registry-ca-trust",
  );
  const podSpec = ((daemonSet.spec as Json).template as Json).spec as Json;
  const [init] = podSpec.init_container as Json[];
  const script = (init.command as string[])[2];
  const [[, files]] = resourcesOf(workloads, "kubernetes_config_map_v1");
  const defaultConfig = runOk(containerd, ["config", "default"]).stdout;

  /** Runs the script on a fake node whose containerd config is `configs` (path -> text). */
  function runOnNode(
    configs: Record<string, string>,
    assumeConfigPath = "false",
    emitted: { script: string; files: Json } = { script, files },
  ) {
    const node = makeTempDir("node-");
    const dirs = {
      config: join(node, "etc-containerd"),
      certs: join(node, "certs.d"),
      docker: join(node, "docker-certs.d"),
      trust: join(node, "trust"),
    };
    for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
    for (const [path, text] of Object.entries(configs)) {
      mkdirSync(join(dirs.config, path, ".."), { recursive: true });
      writeFileSync(join(dirs.config, path), text);
    }
    for (const [name, text] of Object.entries(emitted.files.data as Record<string, string>)) {
      writeFileSync(join(dirs.trust, name), text);
    }
    const remapped = emitted.script
      .replaceAll(HOST_CONTAINERD_CONFIG_DIR, dirs.config)
      .replaceAll(`${CONTAINERD_CERTS_DIR}/`, `${dirs.certs}/`)
      .replaceAll(`${DOCKER_CERTS_DIR}/`, `${dirs.docker}/`)
      .replaceAll("/trust/", `${dirs.trust}/`);
    const result = run("/bin/sh", ["-c", remapped], {
      env: { ...process.env, ASSUME_CONFIG_PATH: assumeConfigPath },
    });
    return { ...result, dirs };
  }

  const installed = (certs: string) =>
    existsSync(join(certs, "registry.lab.internal:30500", "hosts.toml"));

  it("takes the flag from the config into the init container's env", () => {
    expect(init.env).toEqual([{ name: "ASSUME_CONFIG_PATH", value: "false" }]);
    expect(defaultConfig).toMatch(/config_path = ""/);
  });

  it("refuses containerd's default config and says what to set; installs nothing", () => {
    const result = runOnNode({ "config.toml": defaultConfig });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`does not read ${CONTAINERD_CERTS_DIR}`);
    expect(result.stderr).toContain(`set config_path = "${CONTAINERD_CERTS_DIR}"`);
    expect(result.stderr).toContain("assumeConfigPath: true");
    expect(installed(result.dirs.certs)).toBe(false);
    console.log(`refused: ${result.stderr.trim()}`);
  });

  it("installs the trust once config_path names certs.d (config version 2)", () => {
    const fixed = defaultConfig.replace(
      'config_path = ""',
      `config_path = "${CONTAINERD_CERTS_DIR}"`,
    );
    const result = runOnNode({ "config.toml": fixed });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(installed(result.dirs.certs)).toBe(true);
    // The ConfigMap's ca.crt (a Terraform reference to the CA here), copied as it is.
    expect(
      readFileSync(join(result.dirs.certs, "registry.lab.internal:30500", "ca.crt"), "utf8"),
    ).toBe((files.data as Record<string, string>)["ca.crt"]);
  });

  it("finds config_path in a version 3 drop-in with single quotes and two directories", () => {
    const result = runOnNode({
      "config.toml": "version = 3\nimports = ['/etc/containerd/conf.d/*.toml']\n",
      "conf.d/registry.toml": `version = 3\n[plugins.'io.containerd.cri.v1.images'.registry]\n  config_path = '${CONTAINERD_CERTS_DIR}:${DOCKER_CERTS_DIR}'\n`,
    });
    expect(result.status).toBe(0);
    expect(installed(result.dirs.certs)).toBe(true);
  });

  it("trusts the flag for containerd 2.2+, which reads certs.d without config_path", () => {
    const result = runOnNode({}, "true");
    expect(result.status).toBe(0);
    expect(installed(result.dirs.certs)).toBe(true);
  });

  it("installs each of two hosts' files (registry and cache) in that host's own folder", () => {
    const raw = merge(rawEnvironment(ENVIRONMENTS.artifactRegistry), {
      app: { caTrustDaemonSet: { enabled: true } },
    });
    const config = configFrom(raw);
    if (config.mode !== "hybrid") throw new Error("the cache fixture is hybrid");
    const stack = synthAll(config).workloads;
    const [[, twoHostFiles]] = resourcesOf(stack, "kubernetes_config_map_v1").filter(
      ([, body]) => (body.metadata as Json).name === "registry-ca-trust",
    );
    const [[, twoHostDaemonSet]] = resourcesOf(stack, "kubernetes_daemon_set_v1");
    const spec = ((twoHostDaemonSet.spec as Json).template as Json).spec as Json;
    const twoHostScript = ((spec.init_container as Json[])[0].command as string[])[2];
    const data = twoHostFiles.data as Record<string, string>;
    const result = runOnNode({}, "true", { script: twoHostScript, files: twoHostFiles });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const hosts = [config.registry.fqdn, config.app.pullThroughCache.fqdn];
    hosts.forEach((host, i) => {
      const toml = readFileSync(join(result.dirs.certs, host, "hosts.toml"), "utf8");
      expect(toml).toBe(data[`hosts-${i}.toml`]);
      // Its own endpoint first: the file is this host's, not the other's.
      expect(toml.startsWith(`server = "https://${host}"\n\n[host."https://${host}"]`)).toBe(true);
      expect(readFileSync(join(result.dirs.certs, host, "ca.crt"), "utf8")).toBe(data["ca.crt"]);
      expect(readFileSync(join(result.dirs.docker, host, "ca.crt"), "utf8")).toBe(data["ca.crt"]);
    });
    console.log(`two hosts installed: ${hosts.map((host) => `${host}/hosts.toml`).join(", ")}`);
  });
});
