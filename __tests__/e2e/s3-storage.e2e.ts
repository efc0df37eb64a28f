/**
 * The emitted registry on S3 storage, with the real registry (Debian's docker-registry 2.8)
 * against Debian's Swift (s3api), and real Terraform:
 *
 * - a bucket endpoint signed by a private CA (nginx TLS in front of Swift, a test CA): the
 *   emitted SSL_CERT_DIR folder holding the configured CA makes the registry trust it; without
 *   the setting the same registry fails with `x509: certificate signed by unknown authority`;
 *   the folder adds to SSL_CERT_FILE (the pull-through cache's upstream CA) rather than
 *   replacing it;
 * - secret keys starting with `#`, `&` or `*`, which Distribution's env loader parses as YAML
 *   (configuration/parser.go): as the stack used to pass them the registry reads another key or
 *   does not start; the emitted Secret value, evaluated by Terraform from the sensitive
 *   variable, is read verbatim and the registry stores and serves images.
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/s3-storage.e2e.ts`.
 * Needs (Debian) `swift-proxy swift-object swift-container swift-account python3-swiftclient
 * memcached nginx docker-registry skopeo apache2-utils openssl` and Terraform.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { WORKLOADS_STACK } from "../../lib/contract/stack-names";
import type { Config } from "../../lib/config/schema";
import { REGISTRY_PATHS } from "../../lib/registry/registry-paths";
import { configFrom, merge, rawEnvironment } from "../helpers/config";
import { resourcesOf } from "../helpers/json";
import { synthAll } from "../helpers/synth";
import { buildOciImage, manifestDigestInLayout } from "./support/oci-image";
import {
  caCertDir,
  createCertificateAuthority,
  createServerCertificate,
  type CertificateAuthorityFiles,
} from "./support/pki";
import { synthesizedConfig, type SynthesizedRegistry } from "./support/registry";
import {
  generateCredentials,
  launchRegistry,
  type Credentials,
  type LaunchOptions,
  type RunningRegistry,
} from "./support/running-registry";
import { Skopeo } from "./support/skopeo";
import { startSwiftS3, SWIFT_S3_CREDENTIALS, SWIFT_TOOLS, type SwiftS3 } from "./support/swift-s3";
import { startTlsFront, type TlsFront } from "./support/tls-front";
import {
  cleanupTempDirs,
  makeTempDir,
  REGISTRY_TOOLS,
  requireTool,
  requireTools,
  runOk,
  stopAll,
  stopProcess,
} from "./support/tools";

const BUCKET = "registry";
const REPOSITORY = "s3/app";
/** Stands in for the endpoint the config names; replaced by the local TLS front's. */
const CONFIGURED_ENDPOINT = "https://objects.lab.internal:9443";
/** Swift users (account `test`) whose keys Distribution's YAML parsing gets wrong. */
const TRICKY_KEYS: Readonly<Record<string, string>> = {
  hash: "#tr1cky-key",
  amp: "&tr1cky-key",
  star: "*tr1cky-key",
};

const TF_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  TF_IN_AUTOMATION: "1",
  TF_INPUT: "0",
  CHECKPOINT_DISABLE: "1",
  TF_CLI_CONFIG_FILE: "/dev/null",
};

describe("S3 storage with the real registry: a private CA, and secret keys read as YAML", () => {
  let tmp: string;
  let store: SwiftS3;
  let front: TlsFront;
  let storageCaPem: string;
  let config: Config;
  let emitted: SynthesizedRegistry;
  let registryCa: CertificateAuthorityFiles;
  let credentials: Credentials;
  let skopeo: Skopeo;
  let serial = 0;

  beforeAll(async () => {
    requireTools([...REGISTRY_TOOLS, ...SWIFT_TOOLS]);
    requireTool("terraform", "terraform (HashiCorp's apt repository)");
    tmp = makeTempDir("s3-storage");
    store = await startSwiftS3(join(tmp, "swift"), TRICKY_KEYS);
    store.createBucket(BUCKET);
    const storageCa = createCertificateAuthority(join(tmp, "storage-pki"));
    storageCaPem = readFileSync(storageCa.certificate, "utf8");
    const swiftPort = Number(new URL(store.endpoint).port);
    front = await startTlsFront(
      join(tmp, "front"),
      swiftPort,
      createServerCertificate(storageCa, {
        name: "objects",
        dnsNames: ["objects.lab.internal"],
        ipAddresses: ["127.0.0.1"],
      }),
    );
    // The CA file the environment names, as an operator would keep it next to the file.
    const caFile = join(tmp, "objects-ca.pem");
    copyFileSync(storageCa.certificate, caFile);
    config = configFrom(
      merge(rawEnvironment("environments/standalone-k3s.yaml"), {
        registry: {
          storage: {
            type: "s3",
            bucket: BUCKET,
            endpoint: CONFIGURED_ENDPOINT,
            accessKeyId: SWIFT_S3_CREDENTIALS.accessKeyId,
            caCertificateFile: caFile,
            size: null,
            storageClass: null,
          },
        },
      }),
    );
    const registry = synthesizedConfig(config).registries.registry;
    if (!registry) throw new Error("no registry Deployment emitted");
    emitted = registry;
    registryCa = createCertificateAuthority(join(tmp, "pki"));
    credentials = generateCredentials(config);
    skopeo = new Skopeo(join(tmp, "skopeo"));
  });

  afterAll(async () => {
    await stopAll();
    cleanupTempDirs();
  });

  /** The emitted registry against the TLS front, with `changes` on top. */
  function launch(
    name: string,
    changes: Pick<LaunchOptions, "replace" | "drop" | "add" | "secretValues"> = {},
  ): Promise<RunningRegistry> {
    return launchRegistry({
      registry: emitted,
      dir: join(tmp, name),
      ca: registryCa,
      server: createServerCertificate(registryCa, {
        name,
        dnsNames: [config.registry.fqdn],
        ipAddresses: ["127.0.0.1"],
      }),
      credentials,
      ...changes,
      replace: { REGISTRY_STORAGE_S3_REGIONENDPOINT: front.endpoint, ...changes.replace },
      secretValues: {
        REGISTRY_STORAGE_S3_SECRETKEY: SWIFT_S3_CREDENTIALS.secretAccessKey,
        ...changes.secretValues,
      },
    });
  }

  /** The CA Secret as the pod mounts it: a folder with `ca.crt`. */
  const mountedCa = (name: string, pem: string) => caCertDir(join(tmp, name), pem);

  function pushAndPull(registry: RunningRegistry): { pushed: string; pulled: string } {
    serial += 1;
    const tag = `v${String(serial)}`;
    const image = buildOciImage(join(tmp, `image-${tag}`), { tag });
    const trust = mountedCa(`trust-${tag}`, readFileSync(registryCa.certificate, "utf8"));
    skopeo.runOk([
      "copy",
      "--dest-cert-dir",
      trust,
      "--dest-creds",
      `${credentials.push.username}:${credentials.push.password}`,
      `oci:${image.dir}:${tag}`,
      `docker://${registry.host}/${REPOSITORY}:${tag}`,
    ]);
    const target = join(tmp, `pulled-${tag}`);
    skopeo.runOk([
      "copy",
      "--src-cert-dir",
      trust,
      "--src-creds",
      `${credentials.pull.username}:${credentials.pull.password}`,
      `docker://${registry.host}/${REPOSITORY}:${tag}`,
      `oci:${target}:${tag}`,
    ]);
    return { pushed: image.manifest.digest, pulled: manifestDigestInLayout(target, tag) };
  }

  /** A push that must fail; returns skopeo's output. */
  function failedPush(registry: RunningRegistry): string {
    serial += 1;
    const tag = `v${String(serial)}`;
    const image = buildOciImage(join(tmp, `image-${tag}`), { tag });
    const trust = mountedCa(`trust-${tag}`, readFileSync(registryCa.certificate, "utf8"));
    const result = skopeo.run([
      "copy",
      "--retry-times",
      "0",
      "--dest-cert-dir",
      trust,
      "--dest-creds",
      `${credentials.push.username}:${credentials.push.password}`,
      `oci:${image.dir}:${tag}`,
      `docker://${registry.host}/${REPOSITORY}:${tag}`,
    ]);
    expect(result.status).not.toBe(0);
    return result.output;
  }

  describe("an endpoint signed by a private CA", () => {
    test("the emitted env names the CA folder (SSL_CERT_DIR), not SSL_CERT_FILE", () => {
      const env = Object.fromEntries(emitted.env.map((entry) => [entry.name, entry.value]));
      expect(env.SSL_CERT_DIR).toBe(REGISTRY_PATHS.storageCa);
      expect(env.SSL_CERT_FILE).toBeUndefined();
      expect(env.REGISTRY_STORAGE_S3_SECURE).toBe("true");
      const stack = synthAll(config)[WORKLOADS_STACK];
      const secret = resourcesOf(stack, "kubernetes_secret_v1").find(([id]) =>
        id.includes("storage-ca"),
      );
      expect(secret?.[1].data).toEqual({ "ca.crt": storageCaPem });
    });

    test("with the emitted CA folder the registry stores and serves through TLS", async () => {
      const registry = await launch("with-ca", {
        replace: { SSL_CERT_DIR: mountedCa("storage-ca", storageCaPem) },
      });
      const { pushed, pulled } = pushAndPull(registry);
      expect(pulled).toBe(pushed);
      console.log(
        `bucket behind TLS of a private CA (${front.endpoint}): pushed and pulled ${REPOSITORY} through ${registry.host} with SSL_CERT_DIR`,
      );
      await stopProcess(registry.proxy);
      await stopProcess(registry.process);
    });

    test("without the CA setting the same registry fails: unknown authority", async () => {
      const registry = await launch("without-ca", {
        drop: { SSL_CERT_DIR: "the environment without caCertificateFile" },
      });
      failedPush(registry);
      expect(registry.process.logs()).toContain("x509: certificate signed by unknown authority");
      console.log("without the CA: the push failed, the registry logged an unknown authority");
      await stopProcess(registry.proxy);
      await stopProcess(registry.process);
    });

    test("the CA folder adds to SSL_CERT_FILE (a cache's upstream CA) instead of replacing it", async () => {
      // SSL_CERT_FILE replaces the system bundle (crypto/x509 root_unix.go): here it holds
      // only another CA, as on a pull-through cache; the bucket's CA still comes from the folder.
      const registry = await launch("with-upstream-ca", {
        replace: { SSL_CERT_DIR: mountedCa("storage-ca-2", storageCaPem) },
        add: { SSL_CERT_FILE: registryCa.certificate },
      });
      const { pushed, pulled } = pushAndPull(registry);
      expect(pulled).toBe(pushed);
      await stopProcess(registry.proxy);
      await stopProcess(registry.process);
      const control = await launch("upstream-ca-only", {
        drop: { SSL_CERT_DIR: "control: SSL_CERT_FILE alone" },
        add: { SSL_CERT_FILE: registryCa.certificate },
      });
      failedPush(control);
      expect(control.process.logs()).toContain("x509: certificate signed by unknown authority");
      await stopProcess(control.proxy);
      await stopProcess(control.process);
    });
  });

  describe("secret keys starting with #, & or *", () => {
    /** The Secret value Terraform writes for `key`, from the emitted expression. */
    function secretValueFor(key: string): string {
      const stack = synthAll(config)[WORKLOADS_STACK];
      const credentialsSecret = resourcesOf(stack, "kubernetes_secret_v1").find(([id]) =>
        id.includes("credentials"),
      );
      const expression = (credentialsSecret?.[1].data as Record<string, string>)["s3-secret-key"];
      const variable = stack.variable?.registry_s3_secret_key;
      if (!expression || !variable) throw new Error("no s3-secret-key or its variable emitted");
      const dir = join(tmp, `terraform-${String((serial += 1))}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, "main.tf.json"),
        JSON.stringify({
          variable: { registry_s3_secret_key: variable },
          output: { secret: { value: expression, sensitive: true } },
        }),
      );
      const env = { ...TF_ENV, TF_VAR_registry_s3_secret_key: key };
      runOk("terraform", ["init"], { cwd: dir, env });
      runOk("terraform", ["apply", "-auto-approve"], { cwd: dir, env });
      return runOk("terraform", ["output", "-raw", "secret"], { cwd: dir, env }).stdout;
    }

    /**
     * The registry as the stack used to run it, the variable's value itself in the env: what
     * went wrong, from Distribution's own log.
     */
    async function oldBehaviour(user: string, key: string): Promise<string> {
      let registry: RunningRegistry;
      try {
        registry = await launch(`old-${user}`, {
          replace: {
            SSL_CERT_DIR: mountedCa(`storage-ca-old-${user}`, storageCaPem),
            REGISTRY_STORAGE_S3_ACCESSKEY: `test:${user}`,
          },
          secretValues: { REGISTRY_STORAGE_S3_SECRETKEY: key },
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const cause = /^.*(yaml|alias|anchor).*$/im.exec(message);
        expect(cause).not.toBeNull();
        return `did not start: ${cause?.[0].trim() ?? ""}`;
      }
      failedPush(registry);
      const log = registry.process.logs();
      const refusal =
        /SignatureDoesNotMatch|InvalidAccessKeyId|AccessDenied|NoCredentialProviders|EmptyStaticCreds/.exec(
          log,
        );
      expect(refusal).not.toBeNull();
      await stopProcess(registry.proxy);
      await stopProcess(registry.process);
      return `started, the push failed: the bucket refused the key (${refusal?.[0] ?? ""})`;
    }

    test.each(Object.entries(TRICKY_KEYS))(
      "user %s: the old env fails, the emitted Secret value works",
      async (user, key) => {
        const old = await oldBehaviour(user, key);
        console.log(`secret key ${key} passed as is (old): ${old}`);
        const value = secretValueFor(key);
        // A YAML double-quoted scalar; jsonencode writes & as \u0026, which YAML reads back.
        expect(value).toMatch(/^".*"$/);
        expect(JSON.parse(value)).toBe(key);
        const registry = await launch(`new-${user}`, {
          replace: {
            SSL_CERT_DIR: mountedCa(`storage-ca-new-${user}`, storageCaPem),
            REGISTRY_STORAGE_S3_ACCESSKEY: `test:${user}`,
          },
          secretValues: { REGISTRY_STORAGE_S3_SECRETKEY: value },
        });
        const { pushed, pulled } = pushAndPull(registry);
        expect(pulled).toBe(pushed);
        console.log(
          `secret key ${key} as the emitted Secret holds it (${value}): pushed and pulled`,
        );
        await stopProcess(registry.proxy);
        await stopProcess(registry.process);
      },
    );
  });
});
