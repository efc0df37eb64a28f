/**
 * Two replicas of the emitted registry (Debian's docker-registry behind the emitted nginx auth
 * proxy, each with the same HTTP secret from the same Secret, as in the Deployment) sharing one
 * bucket of an S3-compatible store (Debian's Swift with s3api): a push through one is pulled
 * through the other byte for byte, an upload begun on one is finished on the other (a load
 * balancer may switch replicas mid-push), and with one replica stopped the other still serves
 * and takes pushes.
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/replicated-registry.e2e.ts`.
 * Needs (Debian) `swift-proxy swift-object swift-container swift-account python3-swiftclient
 * memcached nginx docker-registry skopeo apache2-utils openssl`.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildOciImage, manifestDigestInLayout, readBlob, sha256Digest } from "./support/oci-image";
import { caCertDir, createCertificateAuthority, createServerCertificate } from "./support/pki";
import { httpRequest, synthesizedConfig, type SynthesizedRegistry } from "./support/registry";
import {
  generateCredentials,
  launchRegistry,
  type Credentials,
  type RunningRegistry,
} from "./support/running-registry";
import { Skopeo } from "./support/skopeo";
import {
  replicatedOnSwift,
  startSwiftS3,
  SWIFT_S3_CREDENTIALS,
  SWIFT_TOOLS,
  type SwiftS3,
} from "./support/swift-s3";
import {
  cleanupTempDirs,
  makeTempDir,
  REGISTRY_TOOLS,
  requireTools,
  stopAll,
  stopProcess,
} from "./support/tools";

const BUCKET = "registry";
const REPOSITORY = "replicated/app";
/** Stands in for the endpoint the config names; replaced by the local store's. */
const CONFIGURED_ENDPOINT = "https://objects.lab.internal:9000";

describe("two registry replicas on one S3-compatible bucket", () => {
  let tmp: string;
  let store: SwiftS3;
  let emitted: SynthesizedRegistry;
  let credentials: Credentials;
  let caDir: string;
  let caPem: string;
  let skopeo: Skopeo;
  let first: RunningRegistry;
  let second: RunningRegistry;

  const pushCreds = () => `${credentials.push.username}:${credentials.push.password}`;
  const pullCreds = () => `${credentials.pull.username}:${credentials.pull.password}`;

  beforeAll(async () => {
    requireTools([...REGISTRY_TOOLS, ...SWIFT_TOOLS]);
    tmp = makeTempDir("replicas");
    store = await startSwiftS3(join(tmp, "swift"));
    store.createBucket(BUCKET);
    const config = replicatedOnSwift(BUCKET, CONFIGURED_ENDPOINT);
    const synthesized = synthesizedConfig(config);
    const registry = synthesized.registries.registry;
    if (!registry) throw new Error("no registry Deployment emitted");
    emitted = registry;
    const ca = createCertificateAuthority(join(tmp, "pki"));
    caPem = readFileSync(ca.certificate, "utf8");
    caDir = caCertDir(join(tmp, "trust"), caPem);
    credentials = generateCredentials(config);
    // One Secret for the Deployment: every replica signs upload state with the same secret.
    const httpSecret = randomBytes(24).toString("hex");
    const launch = (name: string) =>
      launchRegistry({
        registry: emitted,
        dir: join(tmp, name),
        ca,
        server: createServerCertificate(ca, {
          name,
          dnsNames: [config.registry.fqdn],
          ipAddresses: ["127.0.0.1"],
        }),
        credentials,
        replace: {
          REGISTRY_STORAGE_S3_REGIONENDPOINT: store.endpoint,
          REGISTRY_STORAGE_S3_SECURE: "false",
        },
        secretValues: {
          REGISTRY_HTTP_SECRET: httpSecret,
          REGISTRY_STORAGE_S3_SECRETKEY: SWIFT_S3_CREDENTIALS.secretAccessKey,
        },
      });
    first = await launch("replica-1");
    second = await launch("replica-2");
    skopeo = new Skopeo(join(tmp, "skopeo"));
  });

  afterAll(async () => {
    await stopAll();
    cleanupTempDirs();
  });

  const pushTo = (registry: RunningRegistry, imageDir: string, tag: string) =>
    skopeo.runOk([
      "copy",
      "--dest-cert-dir",
      caDir,
      "--dest-creds",
      pushCreds(),
      `oci:${imageDir}:${tag}`,
      `docker://${registry.host}/${REPOSITORY}:${tag}`,
    ]);
  const pullFrom = (registry: RunningRegistry, tag: string, target: string) =>
    skopeo.runOk([
      "copy",
      "--src-cert-dir",
      caDir,
      "--src-creds",
      pullCreds(),
      `docker://${registry.host}/${REPOSITORY}:${tag}`,
      `oci:${target}:${tag}`,
    ]);

  test("the emitted env selects the s3 driver; nothing is kept on a volume", () => {
    const env = Object.fromEntries(emitted.env.map((variable) => [variable.name, variable.value]));
    expect(env).toMatchObject({
      REGISTRY_STORAGE: "s3",
      REGISTRY_STORAGE_S3_BUCKET: BUCKET,
      REGISTRY_STORAGE_S3_REGIONENDPOINT: CONFIGURED_ENDPOINT,
      REGISTRY_STORAGE_S3_FORCEPATHSTYLE: "true",
      REGISTRY_STORAGE_REDIRECT_DISABLE: "true",
    });
    expect(env.REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY).toBeUndefined();
  });

  test("a push through one replica is pulled through the other byte for byte", () => {
    const image = buildOciImage(join(tmp, "image-v1"), {
      tag: "v1",
      payloadBytes: 6 * 1024 * 1024,
    });
    pushTo(first, image.dir, "v1");
    const target = join(tmp, "pulled-v1");
    pullFrom(second, "v1", target);
    expect(manifestDigestInLayout(target, "v1")).toBe(image.manifest.digest);
    for (const blob of [image.config, image.layer]) {
      expect(readBlob(target, blob.digest).equals(readBlob(image.dir, blob.digest))).toBe(true);
    }
    console.log(
      `pushed ${REPOSITORY}:v1 (${image.blobBytes} blob bytes, a multipart upload) through ${first.host}, pulled it identical through ${second.host}`,
    );
  });

  test("an upload begun on one replica is finished on the other", async () => {
    const auth = pushCreds();
    const started = await httpRequest(`https://${first.host}/v2/${REPOSITORY}/blobs/uploads/`, {
      method: "POST",
      ca: caPem,
      auth,
    });
    expect(started.status).toBe(202);
    const location = String(started.headers.location);
    const path = location.replace(/^https?:\/\/[^/]+/, "");
    const blob = randomBytes(64 * 1024);
    const digest = sha256Digest(blob);
    const separator = path.includes("?") ? "&" : "?";
    const finished = await httpRequest(
      `https://${second.host}${path}${separator}digest=${digest}`,
      {
        method: "PUT",
        ca: caPem,
        auth,
        headers: { "Content-Type": "application/octet-stream" },
        body: blob,
      },
    );
    expect(finished.status).toBe(201);
    const read = await httpRequest(`https://${first.host}/v2/${REPOSITORY}/blobs/${digest}`, {
      ca: caPem,
      auth: pullCreds(),
    });
    // Streamed by the registry, not redirected to the bucket (REGISTRY_STORAGE_REDIRECT_DISABLE).
    expect(read.status).toBe(200);
    console.log(
      `upload started on ${first.host} (202), finished on ${second.host} (201), read back on the first`,
    );
  });

  test("with one replica stopped the other still serves and takes pushes", async () => {
    await stopProcess(first.proxy);
    await stopProcess(first.process);
    const target = join(tmp, "pulled-after-stop");
    pullFrom(second, "v1", target);
    const image = buildOciImage(join(tmp, "image-v2"), { tag: "v2" });
    pushTo(second, image.dir, "v2");
    const again = join(tmp, "pulled-v2");
    pullFrom(second, "v2", again);
    expect(manifestDigestInLayout(again, "v2")).toBe(image.manifest.digest);
    console.log(`replica ${first.host} stopped: ${second.host} served v1 and took v2`);
  });
});
