/**
 * Garbage collection of a registry on a bucket, as the emitted CronJob does it: two replicas of
 * the emitted registry (Debian's docker-registry behind the emitted nginx) share a bucket of
 * an S3-compatible store (Debian's Swift with s3api); the job's own script runs with /bin/sh,
 * its curl talking to a stand-in for the Kubernetes API that applies the script's strategic
 * merge patches to the Deployment's env and rolls the replicas one by one (new pod ready, then
 * the old one stopped, as maxUnavailable 0 does). The collector is Debian's `registry`
 * (`docker-registry`) with the job's storage env. What is real: the patches and the polling
 * the script sends, Distribution's read-only mode on every replica, the collection on S3,
 * the bytes it frees, and every pull and push before, during and after.
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/bucket-garbage-collection.e2e.ts`.
 * Needs (Debian) `swift-proxy swift-object swift-container swift-account python3-swiftclient
 * memcached nginx docker-registry skopeo apache2-utils openssl curl`.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { join } from "node:path";
import { WORKLOADS_STACK } from "../../lib/contract/stack-names";
import { GARBAGE_COLLECTION_JOB_NAME } from "../../lib/registry/garbage-collection";
import { IN_CLUSTER, READ_ONLY_ENV } from "../../lib/registry/read-only-rollout";
import { podSpecOfWorkload, resourcesOf } from "../helpers/json";
import { synthAll } from "../helpers/synth";
import {
  buildOciImage,
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
} from "./support/pki";
import {
  registryProcessEnv,
  synthesizedConfig,
  writeBaseConfig,
  type EnvVar,
  type SynthesizedRegistry,
} from "./support/registry";
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
  freePort,
  makeTempDir,
  REGISTRY_TOOLS,
  requireTool,
  requireTools,
  run,
  startProcess,
  stopAll,
  stopProcess,
  waitFor,
  type ManagedProcess,
} from "./support/tools";

const BUCKET = "registry";
const REPOSITORY = "gc/app";
const CONFIGURED_ENDPOINT = "https://objects.lab.internal:9000";
const NAMESPACE = "registry";
const TOKEN = randomBytes(16).toString("hex");
/** The drain after the rollout (75 s in the pod), shortened: long enough to push into the window. */
const TEST_DRAIN_SECONDS = 6;

interface JobContainer {
  readonly script: string;
  readonly env: EnvVar[];
}

/**
 * A Deployment of N replicas as the API server and the Deployment controller present it to
 * curl: GET returns it (indented, as the API server answers curl), PATCH applies a strategic
 * merge patch to the registry container's env and rolls the replicas one at a time.
 */
class DeploymentStandIn {
  generation = 1;
  observedGeneration = 1;
  /** Env the current template adds to the emitted one. */
  templateEnv = new Map<string, string>();
  /** Replicas on the current template. */
  updated: number;
  /** Pods that exist (old and new, during a surge). */
  pods: number;
  readonly patches: unknown[] = [];
  rollouts = 0;
  private rollout: Promise<void> = Promise.resolve();

  constructor(
    public replicas: RunningRegistry[],
    private readonly launch: (
      name: string,
      env: ReadonlyMap<string, string>,
    ) => Promise<RunningRegistry>,
  ) {
    this.updated = replicas.length;
    this.pods = replicas.length;
  }

  get readOnlyEverywhere(): boolean {
    return (
      this.templateEnv.has(READ_ONLY_ENV.name) &&
      this.updated === this.replicas.length &&
      this.pods === this.replicas.length
    );
  }

  json(): string {
    return JSON.stringify(
      {
        kind: "Deployment",
        apiVersion: "apps/v1",
        metadata: { name: "registry", namespace: NAMESPACE, generation: this.generation },
        spec: { replicas: this.replicas.length },
        status: {
          observedGeneration: this.observedGeneration,
          replicas: this.pods,
          updatedReplicas: this.updated,
          readyReplicas: this.pods,
          availableReplicas:
            this.pods === this.replicas.length ? this.updated : this.replicas.length,
        },
      },
      null,
      2,
    );
  }

  patch(body: string): void {
    const patch = JSON.parse(body) as {
      spec?: {
        template?: {
          spec?: { containers?: Array<{ name?: string; env?: Array<Record<string, string>> }> };
        };
      };
    };
    this.patches.push(patch);
    const containers = patch.spec?.template?.spec?.containers ?? [];
    if (containers.length !== 1 || containers[0].name !== "registry") {
      throw new Error(`unexpected patch ${body}`);
    }
    for (const entry of containers[0].env ?? []) {
      if (entry.$patch === "delete") this.templateEnv.delete(entry.name);
      else this.templateEnv.set(entry.name, entry.value);
    }
    this.generation += 1;
    this.observedGeneration = this.generation;
    this.updated = 0;
    this.rollouts += 1;
    const generation = this.generation;
    const env = new Map(this.templateEnv);
    this.rollout = this.rollout.then(() => this.rollOut(generation, env));
  }

  /** maxSurge 1, maxUnavailable 0: a new pod ready, then an old one gone, one at a time. */
  private async rollOut(generation: number, env: ReadonlyMap<string, string>): Promise<void> {
    for (let i = 0; i < this.replicas.length; i += 1) {
      this.pods += 1;
      const replacement = await this.launch(`replica-${String(i + 1)}-g${String(generation)}`, env);
      const old = this.replicas[i];
      this.replicas[i] = replacement;
      await stopProcess(old.proxy);
      await stopProcess(old.process);
      this.pods -= 1;
      this.updated += 1;
    }
  }

  settled(): Promise<void> {
    return this.rollout;
  }
}

/** Bytes the store holds in `bucket` (Swift's container listing). */
function bucketBytes(store: SwiftS3): number {
  const result = run("swift", [
    "-A",
    `${store.endpoint}/auth/v1.0`,
    "-U",
    SWIFT_S3_CREDENTIALS.accessKeyId,
    "-K",
    SWIFT_S3_CREDENTIALS.secretAccessKey,
    "stat",
    BUCKET,
  ]);
  const bytes = /Bytes:\s*(\d+)/.exec(result.stdout);
  if (result.status !== 0 || !bytes) throw new Error(`swift stat ${BUCKET}: ${result.output}`);
  return Number(bytes[1]);
}

/** Delete every object under `prefix` in the bucket (what a tag delete leaves to GC). */
function deletePrefix(store: SwiftS3, prefix: string): void {
  const result = run("swift", [
    "-A",
    `${store.endpoint}/auth/v1.0`,
    "-U",
    SWIFT_S3_CREDENTIALS.accessKeyId,
    "-K",
    SWIFT_S3_CREDENTIALS.secretAccessKey,
    "delete",
    BUCKET,
    "--prefix",
    prefix,
  ]);
  if (result.status !== 0 || result.stdout.trim() === "") {
    throw new Error(`swift delete --prefix ${prefix}: ${result.output}`);
  }
}

describe("garbage collection on a bucket: every replica rolled read-only, collected, rolled back", () => {
  let tmp: string;
  let store: SwiftS3;
  let ca: CertificateAuthorityFiles;
  let caDir: string;
  let credentials: Credentials;
  let emitted: SynthesizedRegistry;
  let job: JobContainer;
  let deployment: DeploymentStandIn;
  let api: Server;
  let apiPort: number;
  let skopeo: Skopeo;
  let removed: OciImage;
  let kept: OciImage;
  const httpSecret = randomBytes(24).toString("hex");

  const storeEnv = (store: SwiftS3) => ({
    replace: {
      REGISTRY_STORAGE_S3_REGIONENDPOINT: store.endpoint,
      REGISTRY_STORAGE_S3_SECURE: "false",
    },
    secretValues: {
      REGISTRY_HTTP_SECRET: httpSecret,
      REGISTRY_STORAGE_S3_SECRETKEY: SWIFT_S3_CREDENTIALS.secretAccessKey,
    },
  });

  const launch = (name: string, env: ReadonlyMap<string, string>) =>
    launchRegistry({
      registry: emitted,
      dir: join(tmp, name),
      ca,
      server: createServerCertificate(ca, {
        name,
        dnsNames: ["registry.lab.internal"],
        ipAddresses: ["127.0.0.1"],
      }),
      credentials,
      ...storeEnv(store),
      add: Object.fromEntries(env),
    });

  const push = (registry: RunningRegistry, image: OciImage) =>
    skopeo.run([
      "copy",
      "--dest-cert-dir",
      caDir,
      "--dest-creds",
      `${credentials.push.username}:${credentials.push.password}`,
      `oci:${image.dir}:${image.tag}`,
      `docker://${registry.host}/${REPOSITORY}:${image.tag}`,
    ]);

  /** Pull `image`'s tag from `registry`; whether every blob arrived byte for byte. */
  const pullsIntact = (registry: RunningRegistry, image: OciImage, name: string) => {
    const target = join(tmp, "pulls", name);
    const result = skopeo.run([
      "copy",
      "--src-cert-dir",
      caDir,
      "--src-creds",
      `${credentials.pull.username}:${credentials.pull.password}`,
      `docker://${registry.host}/${REPOSITORY}:${image.tag}`,
      `oci:${target}:${image.tag}`,
    ]);
    if (result.status !== 0) return false;
    return [image.config, ...image.layers].every(
      (blob) => sha256Digest(readBlob(target, blob.digest)) === blob.digest,
    );
  };

  beforeAll(async () => {
    requireTools([...REGISTRY_TOOLS, ...SWIFT_TOOLS]);
    requireTool("curl", "curl");
    tmp = makeTempDir("bucket-gc");
    mkdirSync(join(tmp, "pulls"));
    store = await startSwiftS3(join(tmp, "swift"));
    store.createBucket(BUCKET);
    const config = replicatedOnSwift(BUCKET, CONFIGURED_ENDPOINT, {
      garbageCollection: { enabled: true, deleteUntagged: true },
    });
    const registry = synthesizedConfig(config).registries.registry;
    if (!registry) throw new Error("no registry Deployment emitted");
    emitted = registry;
    const cronJob = resourcesOf(synthAll(config)[WORKLOADS_STACK], "kubernetes_cron_job_v1").find(
      ([, body]) => (body.metadata as { name?: string }).name === GARBAGE_COLLECTION_JOB_NAME,
    );
    if (!cronJob) throw new Error("no garbage-collection CronJob for s3 storage");
    const container = (
      podSpecOfWorkload(cronJob[1]).container as Array<Record<string, unknown>>
    )[0];
    job = { script: (container.command as string[])[2], env: container.env as EnvVar[] };

    ca = createCertificateAuthority(join(tmp, "pki"));
    caDir = caCertDir(join(tmp, "trust"), readFileSync(ca.certificate, "utf8"));
    credentials = generateCredentials(config);
    skopeo = new Skopeo(join(tmp, "skopeo"));
    deployment = new DeploymentStandIn(
      [await launch("replica-1", new Map()), await launch("replica-2", new Map())],
      launch,
    );

    const apiCertificate = createServerCertificate(ca, {
      name: "kubernetes",
      dnsNames: ["kubernetes.default.svc"],
      ipAddresses: ["127.0.0.1"],
    });
    apiPort = await freePort();
    api = createServer(
      {
        cert: readFileSync(apiCertificate.certificate),
        key: readFileSync(apiCertificate.privateKey),
      },
      (request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
          const path = `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/registry`;
          if (request.headers.authorization !== `Bearer ${TOKEN}` || request.url !== path) {
            response.writeHead(request.url === path ? 401 : 404).end();
            return;
          }
          if (request.method === "PATCH") {
            if (request.headers["content-type"] !== "application/strategic-merge-patch+json") {
              response.writeHead(415).end();
              return;
            }
            deployment.patch(Buffer.concat(chunks).toString("utf8"));
          }
          response.writeHead(200, { "Content-Type": "application/json" }).end(deployment.json());
        });
      },
    );
    await new Promise<void>((resolve) => api.listen(apiPort, "127.0.0.1", resolve));

    const base = randomLayer(512 * 1024);
    removed = buildOciImage(join(tmp, "removed"), {
      tag: "old",
      baseLayer: base,
      payloadBytes: 2 * 1024 * 1024,
    });
    kept = buildOciImage(join(tmp, "kept"), { tag: "current", baseLayer: base });
    for (const image of [removed, kept]) expect(push(deployment.replicas[0], image).status).toBe(0);
    // What Distribution's tag delete leaves: the manifest untagged, collected with --delete-untagged.
    deletePrefix(store, `docker/registry/v2/repositories/${REPOSITORY}/_manifests/tags/old/`);
  }, 180000);

  afterAll(async () => {
    await new Promise<void>((resolve) => (api ? api.close(() => resolve()) : resolve()));
    await stopAll();
    cleanupTempDirs();
  });

  /** The job's script with in-cluster paths made local, started with /bin/sh. */
  const startJob = (): ManagedProcess => {
    mkdirSync(join(tmp, "job"), { recursive: true });
    const saDir = join(tmp, "serviceaccount");
    mkdirSync(saDir, { recursive: true });
    writeFileSync(join(saDir, "token"), TOKEN);
    writeFileSync(join(saDir, "namespace"), NAMESPACE);
    writeFileSync(join(saDir, "ca.crt"), readFileSync(ca.certificate));
    const replacements: Array<[string, string]> = [
      [IN_CLUSTER.serviceAccountDir, saDir],
      [IN_CLUSTER.apiServer, `https://127.0.0.1:${String(apiPort)}`],
      ["/tools/registry ", `${requireTool("docker-registry", "docker-registry")} `],
      ["/tools/config.yml", writeBaseConfig(join(tmp, "job"))],
      [`sleep 75 &`, `sleep ${String(TEST_DRAIN_SECONDS)} &`],
      ["    sleep 5", "    sleep 1"],
    ];
    let script = job.script;
    for (const [from, to] of replacements) {
      if (!script.includes(from)) throw new Error(`the job's script has no ${from} any more`);
      script = script.split(from).join(to);
    }
    const { env } = registryProcessEnv(
      { name: "garbage-collect", env: job.env },
      { files: { data: join(tmp, "job") }, backendPort: 0, debugPort: 0, ...storeEnv(store) },
    );
    return startProcess("garbage-collect", "/bin/sh", ["-c", script], {
      env: { ...env, PATH: process.env.PATH },
      logDir: join(tmp, "job"),
    });
  };

  test("the job collects with pushes refused only while every replica is read-only, and frees the bytes", async () => {
    const before = bucketBytes(store);
    const gc = startJob();
    await waitFor(
      "every replica in read-only mode",
      () => Promise.resolve(deployment.readOnlyEverywhere || undefined),
      {
        process: gc,
        timeoutMs: 60000,
      },
    );
    // Inside the window: pushes refused by Distribution itself on both replicas, pulls go on.
    const refused = deployment.replicas.map((replica) => push(replica, kept));
    for (const result of refused) {
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/405|unsupported|method not allowed/i);
    }
    expect(pullsIntact(deployment.replicas[1], kept, "during")).toBe(true);
    await waitFor("the job to finish", () => Promise.resolve(gc.exited()), { timeoutMs: 90000 });
    await deployment.settled();
    const log = gc.logs();
    expect(gc.exited()).toBe("code 0");
    expect(log).toContain("every replica is read-only");
    expect(log).toContain("writable again");
    const after = bucketBytes(store);
    const removedOwn = removed.layer.size + removed.config.size;
    console.log(
      [
        `bucket ${BUCKET}: ${String(before)} -> ${String(after)} bytes (reclaimed ${String(before - after)}; the removed image's own blobs: ${String(removedOwn)})`,
        `rollouts: ${String(deployment.rollouts)}; patches: ${JSON.stringify(deployment.patches)}`,
        `refused push during the window: ${refused[0].output.trim().split("\n").pop() ?? ""}`,
      ].join("\n"),
    );
    expect(before - after).toBeGreaterThanOrEqual(removedOwn);
    // Read-only in, read-only out: the template is what Terraform applied.
    expect(deployment.rollouts).toBe(2);
    expect([...deployment.templateEnv]).toEqual([]);
  }, 180000);

  test("everything tagged still pulls from every replica, and pushes work again", () => {
    for (const [index, replica] of deployment.replicas.entries()) {
      expect(pullsIntact(replica, kept, `after-${String(index)}`)).toBe(true);
    }
    expect(push(deployment.replicas[0], removed).status).toBe(0);
    expect(pullsIntact(deployment.replicas[1], removed, "pushed-again")).toBe(true);
  });
});
