/**
 * The pull-through cache when one repository's content expires while another repository
 * shares its layer. Distribution deletes the shared blob file for every repository
 * (registry/proxy/proxyregistry.go `OnBlobExpire` → `Vacuum.RemoveBlob`); a blob descriptor
 * cache that still lists the blob makes the cache serve it from storage that no longer has it
 * (proxyblobstore.go `serveLocal`, distribution issue 2367). The stack switches that cache off
 * for the cache (lib/registry/registry-env.ts); this runs the emitted cache, and the same
 * cache with `inmemory` as the control that shows what the setting prevents.
 *
 * Distribution 2.8 (Debian's) has a fixed 168h TTL; its scheduler keeps each entry's expiry in
 * `<root>/scheduler-state.json` and arms a timer for it when the registry starts
 * (registry/proxy/scheduler/scheduler.go). The test moves repository A's expiries to a few
 * seconds from now and restarts the cache: the same path a 168h expiry takes, sooner.
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/cache-expiry.e2e.ts`.
 * Needs (Debian) `docker-registry skopeo apache2-utils openssl nginx`.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildOciImage,
  manifestDigestInLayout,
  randomLayer,
  readBlob,
  sha256Digest,
  type OciImage,
} from "./support/oci-image";
import {
  caCertDir,
  createCertificateAuthority,
  createServerCertificate,
  type CertificateAuthorityFiles,
  type ServerCertificateFiles,
} from "./support/pki";
import { CACHE_ENVIRONMENT, synthesizedEnvironment, synthesizedRegistry } from "./support/registry";
import {
  generateCredentials,
  launchRegistry,
  type Credentials,
  type RunningRegistry,
} from "./support/running-registry";
import { Skopeo } from "./support/skopeo";
import {
  cleanupTempDirs,
  makeTempDir,
  requireTool,
  stopAll,
  stopProcess,
  waitFor,
} from "./support/tools";

const NO_UPSTREAM_AUTH =
  "Distribution 2.8 cannot send basic auth upstream (its proxy answers only bearer-token challenges), so the upstream runs without auth";
/** Seconds from the cache's restart until repository A's content expires. */
const EXPIRY_SECONDS = 6;
const REPOSITORY_A = "e2e/shares-a";
const REPOSITORY_B = "e2e/shares-b";
const TAG = "v1";

/** Where Distribution's filesystem driver keeps a blob's bytes. */
function blobDataPath(root: string, digest: string): string {
  const hex = digest.replace(/^sha256:/, "");
  return join(root, "docker", "registry", "v2", "blobs", "sha256", hex.slice(0, 2), hex, "data");
}

/** Distribution 2.8's scheduler entry (registry/proxy/scheduler/scheduler.go, JSON names). */
interface SchedulerEntry {
  Key: string;
  ExpiryData: string;
  EntryType: number;
}

/** Move every scheduled expiry of `repository` to `seconds` from now; the count moved. */
function expireSoon(root: string, repository: string, seconds: number): number {
  const file = join(root, "scheduler-state.json");
  const state = JSON.parse(readFileSync(file, "utf8")) as Record<string, SchedulerEntry>;
  const expiry = new Date(Date.now() + seconds * 1000).toISOString();
  let moved = 0;
  for (const entry of Object.values(state)) {
    if (entry.Key.startsWith(`${repository}@`)) {
      entry.ExpiryData = expiry;
      moved += 1;
    }
  }
  writeFileSync(file, JSON.stringify(state));
  return moved;
}

describe("pull-through cache: a layer shared with an expired repository still pulls intact", () => {
  let tmp: string;
  let ca: CertificateAuthorityFiles;
  let caDir: string;
  let credentials: Credentials;
  let upstream: RunningRegistry;
  let skopeo: Skopeo;
  let imageA: OciImage;
  let imageB: OciImage;
  let cacheCertificate: ServerCertificateFiles;
  let cacheFqdn: string;

  beforeAll(async () => {
    requireTool("docker-registry", "docker-registry");
    requireTool("skopeo", "skopeo");
    requireTool("htpasswd", "apache2-utils");
    requireTool("openssl", "openssl");
    requireTool("nginx", "nginx");
    const { config } = synthesizedEnvironment(CACHE_ENVIRONMENT);
    if (config.mode !== "hybrid" || !config.app.pullThroughCache.enabled) {
      throw new Error(`${CACHE_ENVIRONMENT} must enable app.pullThroughCache`);
    }
    cacheFqdn = config.app.pullThroughCache.fqdn;
    tmp = makeTempDir("cache-expiry");
    ca = createCertificateAuthority(join(tmp, "pki"));
    caDir = caCertDir(join(tmp, "trust"), readFileSync(ca.certificate, "utf8"));
    credentials = generateCredentials(config);
    cacheCertificate = createServerCertificate(ca, {
      name: "cache",
      dnsNames: [cacheFqdn],
      ipAddresses: ["127.0.0.1"],
    });
    upstream = await launchRegistry({
      registry: synthesizedRegistry(CACHE_ENVIRONMENT, "registry"),
      dir: join(tmp, "upstream"),
      ca,
      server: createServerCertificate(ca, {
        name: "upstream",
        dnsNames: [config.registry.fqdn],
        ipAddresses: ["127.0.0.1"],
      }),
      credentials,
      proxyWithoutAuth: NO_UPSTREAM_AUTH,
    });
    skopeo = new Skopeo(join(tmp, "skopeo"));
    // Incompressible, so a truncated or missing body cannot go unnoticed.
    const shared = randomLayer(2 * 1024 * 1024);
    imageA = buildOciImage(join(tmp, "image-a"), { tag: TAG, baseLayer: shared });
    imageB = buildOciImage(join(tmp, "image-b"), { tag: TAG, baseLayer: shared });
    for (const [image, repository] of [
      [imageA, REPOSITORY_A],
      [imageB, REPOSITORY_B],
    ] as const) {
      skopeo.runOk([
        "copy",
        "--dest-cert-dir",
        caDir,
        "--dest-no-creds",
        `oci:${image.dir}:${TAG}`,
        `docker://${upstream.host}/${repository}:${TAG}`,
      ]);
    }
  });

  afterAll(async () => {
    await stopAll();
    cleanupTempDirs();
  });

  /** Start the emitted cache (with `replace` on top) in `dir`, keeping its storage across restarts. */
  const startCache = (dir: string, replace: Readonly<Record<string, string>>) =>
    launchRegistry({
      registry: synthesizedRegistry(CACHE_ENVIRONMENT, "registry-cache"),
      dir,
      ca,
      server: cacheCertificate,
      credentials,
      replace: { REGISTRY_PROXY_REMOTEURL: `https://${upstream.host}`, ...replace },
      drop: {
        REGISTRY_PROXY_USERNAME: NO_UPSTREAM_AUTH,
        REGISTRY_PROXY_PASSWORD: NO_UPSTREAM_AUTH,
      },
    });

  /** Pull `repository` through `cache`; the shared layer's digest as received, or the failure. */
  const pullShared = (cache: RunningRegistry, repository: string, target: string) => {
    const result = skopeo.run([
      "copy",
      "--src-cert-dir",
      caDir,
      "--src-creds",
      `${credentials.pull.username}:${credentials.pull.password}`,
      `docker://${cache.host}/${repository}:${TAG}`,
      `oci:${target}:${TAG}`,
    ]);
    if (result.status !== 0) {
      return { ok: false, detail: result.output.trim().split("\n").pop() ?? "" };
    }
    const shared = imageB.layers[0];
    const received = sha256Digest(readBlob(target, shared.digest));
    return {
      ok: received === shared.digest && manifestDigestInLayout(target, TAG) !== "",
      detail: `shared layer ${received === shared.digest ? "intact" : `corrupt (${received})`}`,
    };
  };

  /**
   * Pull A and B through a cache, let A expire while B's entries stay, pull B (so a
   * descriptor cache would hold the shared layer), wait for A's expiry to delete the shared
   * blob file, then pull B again: what that last pull got.
   */
  const afterSharedExpiry = async (name: string, replace: Readonly<Record<string, string>>) => {
    const dir = join(tmp, name);
    let cache = await startCache(dir, replace);
    const sharedDigest = imageB.layers[0].digest;
    for (const repository of [REPOSITORY_A, REPOSITORY_B]) {
      const first = pullShared(
        cache,
        repository,
        join(dir, `first-${repository.replace("/", "-")}`),
      );
      expect(first).toEqual({ ok: true, detail: "shared layer intact" });
    }
    // 2.8 stores a missed blob in the background and saves the scheduler's state every few
    // seconds: wait for both before stopping the cache.
    await waitFor(
      "the cache to store both images and schedule their expiry",
      () => {
        const stored = [...imageA.layers, ...imageB.layers].every((layer) =>
          existsSync(blobDataPath(cache.dataDir, layer.digest)),
        );
        const statePath = join(cache.dataDir, "scheduler-state.json");
        if (!stored || !existsSync(statePath)) return Promise.resolve(undefined);
        const state = readFileSync(statePath, "utf8");
        return Promise.resolve(
          state.includes(`${REPOSITORY_A}@`) && state.includes(`${REPOSITORY_B}@`)
            ? true
            : undefined,
        );
      },
      { process: cache.process },
    );
    await stopProcess(cache.proxy);
    await stopProcess(cache.process);
    const moved = expireSoon(cache.dataDir, REPOSITORY_A, EXPIRY_SECONDS);
    expect(moved).toBeGreaterThanOrEqual(imageA.layers.length);
    cache = await startCache(dir, replace);
    const beforeExpiry = pullShared(cache, REPOSITORY_B, join(dir, "before-expiry"));
    expect(beforeExpiry).toEqual({ ok: true, detail: "shared layer intact" });
    await waitFor(
      `repository A's expiry to delete the shared layer (${EXPIRY_SECONDS}s)`,
      () =>
        Promise.resolve(existsSync(blobDataPath(cache.dataDir, sharedDigest)) ? undefined : true),
      { process: cache.process, timeoutMs: 30000 },
    );
    const after = pullShared(cache, REPOSITORY_B, join(dir, "after-expiry"));
    console.log(
      `${name}: ${moved} scheduler entries of ${REPOSITORY_A} moved to +${EXPIRY_SECONDS}s; after they expired, ${REPOSITORY_B} pulls: ${after.ok ? "ok" : "FAILED"}, ${after.detail}`,
    );
    await stopProcess(cache.proxy);
    await stopProcess(cache.process);
    return after;
  };

  test("the emitted cache (descriptor cache disabled) refetches the shared layer", async () => {
    const emitted = synthesizedRegistry(CACHE_ENVIRONMENT, "registry-cache");
    expect(
      emitted.env.find((variable) => variable.name === "REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR")
        ?.value,
    ).toBe("disabled");
    const after = await afterSharedExpiry("emitted", {});
    expect(after.ok).toBe(true);
  }, 120000);

  test("control: with the in-memory descriptor cache the same pull breaks", async () => {
    const after = await afterSharedExpiry("inmemory", {
      REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR: "inmemory",
    });
    expect(after.ok).toBe(false);
  }, 120000);
});
