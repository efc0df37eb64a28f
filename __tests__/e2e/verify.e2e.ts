/**
 * `npm run verify`'s registry checks against the real registry the workloads stack emits
 * (Debian's Distribution on 127.0.0.1, TLS from a CA made with the PKI's parameters, htpasswd
 * users generated like the stack's): all pass with the right CA and user, and each fails
 * with the wrong one.
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/verify.e2e.ts`.
 */
import { join, dirname } from "node:path";
import { MAINTENANCE_FLAGS, REGISTRY_PATHS } from "../../lib/registry/registry-paths";
import { checkRegistry, renderResults } from "../../lib/verify/registry-check";
import { createCertificateAuthority } from "./support/pki";
import { DEFAULT_ENVIRONMENT } from "./support/registry";
import { startRegistryScenario, type RegistryScenario } from "./support/scenario";
import { cleanupTempDirs, makeTempDir, requireTool, stopAll } from "./support/tools";
import { readFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";

describe("npm run verify: the registry checks", () => {
  let tmp: string;
  let scenario: RegistryScenario;

  beforeAll(async () => {
    requireTool("docker-registry", "docker-registry");
    requireTool("htpasswd", "apache2-utils");
    requireTool("openssl", "openssl");
    tmp = makeTempDir("verify-");
    scenario = await startRegistryScenario(DEFAULT_ENVIRONMENT, tmp);
  });

  afterAll(async () => {
    await stopAll();
    cleanupTempDirs();
  });

  const target = () => ({
    fqdn: scenario.config.registry.fqdn,
    address: scenario.registry.host,
    caPem: scenario.caPem,
    user: scenario.credentials.pull.username,
    password: scenario.credentials.pull.password,
  });

  it("pass: TLS for the FQDN with the CA, a Basic challenge for anonymous, 200 for the pulling user", async () => {
    const results = await checkRegistry(target());
    console.log(renderResults(results));
    expect(results.map((r) => [r.check, r.ok])).toEqual([
      ["registry TLS", true],
      ["registry auth required", true],
      ["registry pull user", true],
      ["registry pull user read-only", true],
    ]);
  });

  it("fail: a credential that can write is reported", async () => {
    const { push } = scenario.credentials;
    const results = await checkRegistry({
      ...target(),
      user: push.username,
      password: push.password,
    });
    expect(results.find((r) => r.check === "registry pull user read-only")).toMatchObject({
      ok: false,
      detail: expect.stringContaining("-> 202: the pulling credential can write"),
    });
  });

  it("fail: maintenance is reported as such, not as a writable credential", async () => {
    const flag = MAINTENANCE_FLAGS.backup.replace(REGISTRY_PATHS.data, scenario.registry.dataDir);
    mkdirSync(dirname(flag), { recursive: true });
    writeFileSync(flag, "");
    try {
      const results = await checkRegistry(target());
      expect(results.find((r) => r.check === "registry pull user read-only")).toMatchObject({
        ok: false,
        detail: expect.stringContaining("-> 503: writes are refused for maintenance now"),
      });
    } finally {
      rmSync(flag);
    }
  });

  it("fail: a wrong password", async () => {
    const results = await checkRegistry({ ...target(), password: "wrong" });
    expect(results.find((r) => r.check === "registry pull user")).toMatchObject({
      ok: false,
      detail: expect.stringContaining("401"),
    });
  });

  it("fail: another CA", async () => {
    const other = createCertificateAuthority(join(tmp, "other-ca"));
    const results = await checkRegistry({
      ...target(),
      caPem: readFileSync(other.certificate, "utf8"),
    });
    expect(results).toEqual([expect.objectContaining({ ok: false, check: "registry TLS" })]);
    console.log(renderResults(results));
  });

  it("fail: a name the certificate does not carry", async () => {
    const results = await checkRegistry({ ...target(), fqdn: "other.example.internal" });
    expect(results[0]).toMatchObject({ ok: false, check: "registry TLS" });
  });
});
