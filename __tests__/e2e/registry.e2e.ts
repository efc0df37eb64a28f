/**
 * The registry Deployment the workloads stack emits, run for real with Debian's
 * `docker-registry` (CNCF Distribution 2.8) on 127.0.0.1: its container env (paths and
 * addresses remapped, secrets generated), the htpasswd file made by the init container's exact
 * script, and TLS from a CA and server certificate made with the PKI construct's parameters.
 * skopeo pushes an image built here as the pushing user, pulls it back as the pulling user, and
 * is refused without the CA, with a wrong password and anonymously; a delete is refused even
 * to the pushing user. The debug address serves Prometheus metrics.
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/registry.e2e.ts`. Needs
 * (Debian) `docker-registry skopeo apache2-utils openssl`; downloads nothing. Set
 * KEEP_E2E_TMP=1 to keep the temporary folder (registry logs, certificates, images).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { USERS_FILE } from "../../lib/registry/auth-proxy-config";
import { manifestDigestInLayout, readBlob } from "./support/oci-image";
import { DEFAULT_ENVIRONMENT, httpGet } from "./support/registry";
import { pushImage, startRegistryScenario, type RegistryScenario } from "./support/scenario";
import { cleanupTempDirs, makeTempDir, requireTool, run, stopAll } from "./support/tools";

describe("registry Deployment from the workloads stack, on Distribution 2.8", () => {
  let tmp: string;
  let scenario: RegistryScenario;

  beforeAll(async () => {
    requireTool("docker-registry", "docker-registry");
    requireTool("skopeo", "skopeo");
    requireTool("htpasswd", "apache2-utils");
    requireTool("openssl", "openssl");
    tmp = makeTempDir("registry");
    scenario = await startRegistryScenario(DEFAULT_ENVIRONMENT, tmp);
  });

  afterAll(async () => {
    await stopAll();
    cleanupTempDirs();
  });

  const pullCreds = () =>
    `${scenario.credentials.pull.username}:${scenario.credentials.pull.password}`;
  /** The manifest digest the pulling user sees for the scenario's image. */
  const pulledDigest = () =>
    scenario.skopeo
      .runOk([
        "inspect",
        "--cert-dir",
        scenario.caDir,
        "--creds",
        pullCreds(),
        "--format",
        "{{.Digest}}",
        `docker://${scenario.reference}`,
      ])
      .stdout.trim();

  test("the init container's script writes one bcrypt entry per user; nginx decides who may write", () => {
    const { push, pull } = scenario.credentials;
    const users = join(scenario.registry.usersDir, USERS_FILE);
    const lines = readFileSync(users, "utf8").split("\n").filter(Boolean);
    for (const line of lines) expect(line).toMatch(/^[^:]+:\$2y\$10\$[./A-Za-z0-9]{53}$/);
    expect(lines.map((line) => line.split(":")[0]).sort()).toEqual(
      [push.username, pull.username].sort(),
    );
    for (const user of [push, pull]) {
      expect(run("htpasswd", ["-vb", users, user.username, user.password]).status).toBe(0);
    }
  });

  test("the pushing user pushes the image", () => {
    pushImage(scenario);
    const digest = pulledDigest();
    expect(digest).toBe(scenario.image.manifest.digest);
  });

  test("the pulling user pulls the same manifest and layer back", () => {
    const { image, reference, tag } = scenario;
    const target = join(tmp, "pulled");
    scenario.skopeo.runOk([
      "copy",
      "--src-cert-dir",
      scenario.caDir,
      "--src-creds",
      pullCreds(),
      `docker://${reference}`,
      `oci:${target}:${tag}`,
    ]);
    const digest = manifestDigestInLayout(target, tag);
    expect(digest).toBe(image.manifest.digest);
    const layer = readBlob(target, image.layer.digest);
    expect(layer.equals(readBlob(image.dir, image.layer.digest))).toBe(true);
    console.log(
      `pulled ${reference} as ${scenario.credentials.pull.username}: ${digest}, layer of ${layer.length} bytes identical`,
    );
  });

  const pull = (flags: string[], name: string) =>
    scenario.skopeo.run([
      "copy",
      ...flags,
      `docker://${scenario.reference}`,
      `oci:${join(tmp, name)}:${scenario.tag}`,
    ]);
  const lastLine = (text: string) => text.trim().split("\n").pop() ?? "";

  test("a pull without the CA fails: the certificate is signed by an unknown authority", () => {
    const result = pull(["--src-creds", pullCreds()], "no-ca");
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/x509: certificate signed by unknown authority/);
    console.log(`refused without the CA: ${lastLine(result.stderr)}`);
  });

  test("a pull with a wrong password is unauthorized", () => {
    const result = pull(
      ["--src-cert-dir", scenario.caDir, "--src-creds", `${pullCreds()}x`],
      "bad",
    );
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/unauthorized/i);
    console.log(`refused with a wrong password: ${lastLine(result.stderr)}`);
  });

  test("an anonymous pull is refused", () => {
    const result = pull(["--src-cert-dir", scenario.caDir, "--src-no-creds"], "anonymous");
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/unauthorized|authentication required/i);
    console.log(`refused anonymously: ${lastLine(result.stderr)}`);
  });

  test("no credential deletes through the API: the proxy refuses, the origin has deletes off", () => {
    expect(scenario.registry.env.REGISTRY_STORAGE_DELETE_ENABLED).toBe("false");
    const { push } = scenario.credentials;
    const result = scenario.skopeo.run([
      "delete",
      "--cert-dir",
      scenario.caDir,
      "--creds",
      `${push.username}:${push.password}`,
      `docker://${scenario.reference}`,
    ]);
    expect(result.status).not.toBe(0);
    // Authenticated, then refused: the proxy's 403 DENIED, which skopeo reports as denied.
    expect(result.output).toMatch(/denied/i);
    expect(result.output).not.toMatch(/unauthorized/i);
    const digest = pulledDigest();
    expect(digest).toBe(scenario.image.manifest.digest);
    console.log(`delete as ${push.username} refused: ${lastLine(result.output)}`);
  });

  test("the debug address serves the registry's Prometheus metrics", async () => {
    const { registry } = scenario;
    const path = registry.env.REGISTRY_HTTP_DEBUG_PROMETHEUS_PATH;
    expect(path).toBe("/metrics");
    const response = await httpGet(`http://127.0.0.1:${registry.debugPort}${path}`);
    expect(response.status).toBe(200);
    const samples = response.body.split("\n").filter((line) => /^registry_\w+/.test(line));
    expect(samples.some((line) => line.startsWith("registry_http_requests_total"))).toBe(true);
    const names = [...new Set(samples.map((line) => line.replace(/[{ ].*$/, "")))];
    console.log(`metrics on 127.0.0.1:${registry.debugPort}${path}: ${names.join(", ")}`);
  });
});
