/**
 * The pull-through cache the workloads stack emits (Deployment "registry-cache", Distribution
 * in proxy mode) in front of the emitted registry, both run with Debian's `docker-registry`
 * (CNCF Distribution 2.8) on 127.0.0.1 with TLS from one CA. The test image is pushed to the
 * upstream once and pulled N times through the cache into fresh OCI folders; the upstream's
 * access log shows how many blob bytes crossed "the VPN": only during the first pull, and at
 * most what Distribution 2.8 fetches for a miss (see UPSTREAM_FETCHES_PER_MISS), against N
 * copies served to the clients.
 *
 * The upstream runs WITHOUT auth: Distribution 2.8's proxy only answers bearer-token
 * challenges (registry/proxy/proxyauth.go keeps credentials for `Bearer` realms only) and
 * cannot send basic auth upstream, so REGISTRY_PROXY_USERNAME/PASSWORD are dropped here.
 * registry:3 (the image the stack deploys) adds a basic-auth handler to the proxy; that part
 * is not exercised offline.
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/pull-through-cache.e2e.ts`.
 * Needs (Debian) `docker-registry skopeo apache2-utils openssl`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { getTotals } from "./support/access-log";
import { buildOciImage, manifestDigestInLayout, type OciImage } from "./support/oci-image";
import {
  caCertDir,
  createCertificateAuthority,
  createServerCertificate,
  type CertificateAuthorityFiles,
} from "./support/pki";
import { CACHE_ENVIRONMENT, synthesizedEnvironment, synthesizedRegistry } from "./support/registry";
import {
  generateCredentials,
  launchRegistry,
  type Credentials,
  type RunningRegistry,
} from "./support/running-registry";
import { sampleImage } from "./support/scenario";
import { Skopeo } from "./support/skopeo";
import { cleanupTempDirs, makeTempDir, requireTool, stopAll, waitFor } from "./support/tools";

const NO_UPSTREAM_AUTH =
  "Distribution 2.8 cannot send basic auth upstream (its proxy answers only bearer-token challenges), so the upstream runs without auth";
const PULLS = 5;
/**
 * How often Distribution 2.8 downloads a blob the cache misses: ServeBlob streams it to the
 * client and, in a goroutine, fetches it again to store it (registry/proxy/proxyblobstore.go,
 * v2.8.2). registry:3.x (the image the stack deploys) serves and stores from one fetch
 * (io.MultiWriter), i.e. 1; with Debian's 2.8 the bound is 2 copies, all during the first pull.
 */
const UPSTREAM_FETCHES_PER_MISS = 2;

/** Where Distribution's filesystem driver keeps a blob's bytes. */
function blobDataPath(root: string, digest: string): string {
  const hex = digest.replace(/^sha256:/, "");
  return join(root, "docker", "registry", "v2", "blobs", "sha256", hex.slice(0, 2), hex, "data");
}

describe("pull-through cache from the workloads stack, on Distribution 2.8", () => {
  let tmp: string;
  let ca: CertificateAuthorityFiles;
  let caDir: string;
  let credentials: Credentials;
  let upstream: RunningRegistry;
  let cache: RunningRegistry;
  let skopeo: Skopeo;
  let image: OciImage;
  let repository: string;
  let tag: string;
  /** Length of the upstream's access log once the image was pushed. */
  let upstreamLogOffset: number;

  const upstreamLog = () => readFileSync(upstream.process.stdoutFile, "utf8");
  const pullCreds = () => `${credentials.pull.username}:${credentials.pull.password}`;

  beforeAll(async () => {
    requireTool("docker-registry", "docker-registry");
    requireTool("skopeo", "skopeo");
    requireTool("htpasswd", "apache2-utils");
    requireTool("openssl", "openssl");
    const { config } = synthesizedEnvironment(CACHE_ENVIRONMENT);
    if (config.mode !== "hybrid" || !config.app.pullThroughCache.enabled) {
      throw new Error(`${CACHE_ENVIRONMENT} must enable app.pullThroughCache`);
    }
    const emittedRegistry = synthesizedRegistry(CACHE_ENVIRONMENT, "registry");
    const emittedCache = synthesizedRegistry(CACHE_ENVIRONMENT, "registry-cache");
    tmp = makeTempDir("cache");
    ca = createCertificateAuthority(join(tmp, "pki"));
    caDir = caCertDir(join(tmp, "trust"), readFileSync(ca.certificate, "utf8"));
    credentials = generateCredentials(config);
    ({ repository, tag } = sampleImage(config));

    console.log(`registry-cache: ${NO_UPSTREAM_AUTH}`);
    upstream = await launchRegistry({
      registry: emittedRegistry,
      dir: join(tmp, "upstream"),
      ca,
      server: createServerCertificate(ca, {
        name: "upstream",
        dnsNames: [config.registry.fqdn],
        ipAddresses: ["127.0.0.1"],
      }),
      credentials,
      proxyWithoutAuth: NO_UPSTREAM_AUTH,
      // The measurement: every blob GET the upstream serves, with its size.
      add: { REGISTRY_LOG_ACCESSLOG_DISABLED: "false" },
    });

    skopeo = new Skopeo(join(tmp, "skopeo"));
    image = buildOciImage(join(tmp, "image"), { tag, payloadBytes: 1024 * 1024 });
    skopeo.runOk([
      "copy",
      "--dest-cert-dir",
      caDir,
      "--dest-no-creds",
      `oci:${image.dir}:${tag}`,
      `docker://${upstream.host}/${repository}:${tag}`,
    ]);
    upstreamLogOffset = upstreamLog().length;
    console.log(
      `pushed ${upstream.host}/${repository}:${tag} to the upstream: manifest ${image.manifest.digest} (${image.manifest.size} bytes), blobs ${image.blobBytes} bytes`,
    );

    cache = await launchRegistry({
      registry: emittedCache,
      dir: join(tmp, "cache"),
      ca,
      server: createServerCertificate(ca, {
        name: "cache",
        dnsNames: [config.app.pullThroughCache.fqdn],
        ipAddresses: ["127.0.0.1"],
      }),
      credentials,
      replace: { REGISTRY_PROXY_REMOTEURL: `https://${upstream.host}` },
      drop: {
        REGISTRY_PROXY_USERNAME: NO_UPSTREAM_AUTH,
        REGISTRY_PROXY_PASSWORD: NO_UPSTREAM_AUTH,
      },
    });
  });

  afterAll(async () => {
    await stopAll();
    cleanupTempDirs();
  });

  test("the cache trusts the upstream through SSL_CERT_FILE = the CA", () => {
    expect(cache.env.SSL_CERT_FILE).toBe(ca.certificate);
    expect(cache.env.REGISTRY_PROXY_REMOTEURL).toBe(`https://${upstream.host}`);
  });

  test("clients of the cache need the pulling user's password", () => {
    const result = skopeo.run([
      "copy",
      "--src-cert-dir",
      caDir,
      "--src-no-creds",
      `docker://${cache.host}/${repository}:${tag}`,
      `oci:${join(tmp, "anonymous")}:${tag}`,
    ]);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/unauthorized|authentication required/i);
  });

  test(`${PULLS} pulls through the cache fetch from the upstream during the first pull only`, async () => {
    const pull = (i: number) => {
      const target = join(tmp, `pull-${i}`);
      skopeo.runOk([
        "copy",
        "--src-cert-dir",
        caDir,
        "--src-creds",
        pullCreds(),
        `docker://${cache.host}/${repository}:${tag}`,
        `oci:${target}:${tag}`,
      ]);
      expect(manifestDigestInLayout(target, tag)).toBe(image.manifest.digest);
    };
    const upstreamBlobs = () =>
      getTotals(upstreamLog().slice(upstreamLogOffset), repository, "blobs");

    pull(1);
    // Distribution 2.8 stores a missed blob in a background goroutine: wait until both blobs
    // are in the cache's storage, so pull 2 cannot race it.
    await waitFor(
      "the cache to store the image's blobs",
      async () =>
        [image.config.digest, image.layer.digest].every((digest) =>
          existsSync(blobDataPath(cache.dataDir, digest)),
        ) || undefined,
      { process: cache.process },
    );
    const afterFirst = upstreamBlobs();
    for (let i = 2; i <= PULLS; i += 1) pull(i);
    const total = upstreamBlobs();
    const manifests = getTotals(upstreamLog().slice(upstreamLogOffset), repository, "manifests");
    const served = getTotals(readFileSync(cache.process.stdoutFile, "utf8"), repository, "blobs");
    console.log(
      [
        `pulled ${cache.host}/${repository}:${tag} ${PULLS} times through the cache as ${credentials.pull.username}`,
        `  image: ${image.blobBytes} blob bytes (config ${image.config.size} + layer ${image.layer.size}), manifest ${image.manifest.size} bytes`,
        `  cache → clients: ${served.bytes} blob bytes in ${served.requests} GETs (${PULLS} × image = ${PULLS * image.blobBytes})`,
        `  upstream → cache: ${total.bytes} blob bytes in ${total.requests} GETs (${afterFirst.bytes} during pull 1, ${total.bytes - afterFirst.bytes} during pulls 2-${PULLS}), plus ${manifests.requests} manifest GETs (${manifests.bytes} bytes)`,
        `  (Distribution 2.8 fetches a missed blob twice: once for the client, once to store it; registry:3 fetches it once)`,
      ].join("\n"),
    );
    expect(served.bytes).toBe(PULLS * image.blobBytes);
    // Pulls 2..N are served from the cache's storage: nothing more crosses "the VPN".
    expect(total).toEqual(afterFirst);
    expect(total.bytes).toBeGreaterThanOrEqual(image.blobBytes);
    expect(total.bytes).toBeLessThanOrEqual(
      UPSTREAM_FETCHES_PER_MISS * image.blobBytes + image.manifest.size,
    );
  });
});
