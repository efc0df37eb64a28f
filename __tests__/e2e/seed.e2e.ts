/**
 * The seeding Job's command, exactly as synthesized, run against two real registries on
 * 127.0.0.1 (Debian's Distribution, both with the emitted TLS + htpasswd configuration): a
 * "public" source that requires a login, as Docker Hub does past its anonymous limit, and the
 * target registry. Rewrites, each needed only because this is not a cluster: the registry FQDN
 * in the target reference becomes the target's 127.0.0.1 address (the Job maps the FQDN with a
 * hostAlias), and /auth and /ca (the Job's Secret mounts) become files written here in the same
 * containers-auth format the Secret holds. The source's CA comes from SSL_CERT_FILE, as a
 * public CA would from the image's system roots.
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/seed.e2e.ts`. Needs
 * (Debian) `docker-registry skopeo apache2-utils openssl`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { configFrom, merge, rawEnvironment } from "../helpers/config";
import { resourcesOf } from "../helpers/json";
import { synthAll } from "../helpers/synth";
import { DEFAULT_ENVIRONMENT } from "./support/registry";
import { pushImage, startRegistryScenario, type RegistryScenario } from "./support/scenario";
import { cleanupTempDirs, makeTempDir, requireTool, run, stopAll } from "./support/tools";

type Json = Record<string, unknown>;

function authFile(path: string, host: string, user: { username: string; password: string }) {
  const auth = Buffer.from(`${user.username}:${user.password}`).toString("base64");
  writeFileSync(path, JSON.stringify({ auths: { [host]: { auth } } }));
}

describe("the seeding Job's command copies from an authenticated source", () => {
  let tmp: string;
  let source: RegistryScenario;
  let target: RegistryScenario;

  beforeAll(async () => {
    for (const [tool, pkg] of [
      ["docker-registry", "docker-registry"],
      ["skopeo", "skopeo"],
      ["htpasswd", "apache2-utils"],
      ["openssl", "openssl"],
    ]) {
      requireTool(tool, pkg);
    }
    tmp = makeTempDir("seed-");
    source = await startRegistryScenario(DEFAULT_ENVIRONMENT, join(tmp, "source"));
    target = await startRegistryScenario(DEFAULT_ENVIRONMENT, join(tmp, "target"));
    pushImage(source);
  });

  afterAll(async () => {
    await stopAll();
    cleanupTempDirs();
  });

  /** The Job's command for these seed settings, from the synthesized workloads stack. */
  function jobCommand(registry: Json): string {
    const raw = merge(rawEnvironment(DEFAULT_ENVIRONMENT), { registry });
    const workloads = synthAll(configFrom(raw)).workloads;
    const [[, job]] = resourcesOf(workloads, "kubernetes_job_v1");
    const container = (((job.spec as Json).template as Json).spec as Json).container as Json[];
    return (container[0].command as string[])[2];
  }

  /** Runs a command as the Job would, with the Secret's files written under `name`. */
  function runAsJob(command: string, name: string, withSourceLogin: boolean) {
    const dir = join(tmp, name);
    const auth = join(dir, "auth");
    const ca = join(dir, "ca");
    mkdirSync(auth, { recursive: true });
    mkdirSync(ca, { recursive: true });
    authFile(join(auth, "config.json"), target.registry.host, target.credentials.push);
    if (withSourceLogin) {
      authFile(join(auth, "source.json"), source.registry.host, source.credentials.pull);
    }
    writeFileSync(join(ca, "ca.crt"), target.caPem);
    const local = command
      .replaceAll(`docker://${target.config.registry.fqdn}/`, `docker://${target.registry.host}/`)
      .replaceAll(" /auth/", ` ${auth}/`)
      .replaceAll(" /ca ", ` ${ca} `);
    return run("/bin/sh", ["-c", local], {
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        SSL_CERT_FILE: source.ca.certificate,
        REGISTRY_AUTH_FILE: join(dir, "none.json"),
      },
      timeoutMs: 180000,
    });
  }

  const digestAt = (reference: string) =>
    target.skopeo
      .runOk([
        "inspect",
        "--cert-dir",
        target.caDir,
        "--creds",
        `${target.credentials.pull.username}:${target.credentials.pull.password}`,
        "--format",
        "{{.Digest}}",
        `docker://${target.registry.host}/${reference}`,
      ])
      .stdout.trim();

  it("copies with the source login (from the Terraform variable) into the target", () => {
    const command = jobCommand({
      seedSource: { registry: source.registry.host, username: source.credentials.pull.username },
      seedImages: [{ source: source.reference, target: "seeded/nginx:stable" }],
    });
    expect(command).toContain("--src-authfile /auth/source.json");
    const result = runAsJob(command, "with-login", true);
    expect(result.status).toBe(0);
    expect(digestAt("seeded/nginx:stable")).toBe(source.image.manifest.digest);
    console.log(
      `seeded ${source.reference} -> seeded/nginx:stable as ${source.image.manifest.digest}`,
    );
  });

  it("fails without a login where the source requires one", () => {
    const command = jobCommand({
      seedImages: [{ source: source.reference, target: "seeded/anonymous:stable" }],
    });
    expect(command).not.toContain("--src-authfile");
    const result = runAsJob(command, "anonymous", false);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/unauthorized|authentication required/i);
  });

  it("copies exactly the digest a source names", () => {
    const byDigest = `${source.reference.split(":").slice(0, -1).join(":")}@${source.image.manifest.digest}`;
    const command = jobCommand({
      seedSource: { registry: source.registry.host, username: source.credentials.pull.username },
      seedImages: [{ source: byDigest, target: "seeded/pinned:v1" }],
    });
    expect(command).toContain(`docker://${byDigest}`);
    const result = runAsJob(command, "digest", true);
    expect(result.status).toBe(0);
    expect(digestAt("seeded/pinned:v1")).toBe(source.image.manifest.digest);
  });
});
