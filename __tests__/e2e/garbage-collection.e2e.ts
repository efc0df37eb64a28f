/**
 * The garbage-collection CronJob's script, run exactly as the job would (its env and script
 * from the synthesized CronJob, paths remapped, `registry` = Debian's docker-registry 2.8)
 * against the emitted registry behind the emitted auth proxy: two images share a base layer,
 * one's tag is removed the way Distribution's tag delete does it (its tag folder), a dry run
 * reports without deleting, the real run turns pushes away while it runs, reclaims the
 * removed image's own blobs and leaves the other image pullable byte for byte; the removed
 * image can be pushed again and pulls intact (no stale blob cache).
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/garbage-collection.e2e.ts`.
 * Needs (Debian) `nginx docker-registry skopeo apache2-utils openssl`; downloads nothing.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import {
  DISTRIBUTION_CONFIG_FILE,
  GARBAGE_COLLECTION_JOB_NAME,
} from "../../lib/registry/garbage-collection";
import { MAINTENANCE_FLAGS, REGISTRY_PATHS } from "../../lib/registry/registry-paths";
import { emittedCronJob, jobFinished, runJob, type EmittedJob } from "./support/maintenance-job";
import {
  buildOciImage,
  manifestDigestInLayout,
  randomLayer,
  readBlob,
  type OciImage,
} from "./support/oci-image";
import { DEFAULT_ENVIRONMENT, httpRequest, writeBaseConfig } from "./support/registry";
import {
  startRegistryScenario,
  type RegistryScenario,
  credentialsOf,
  pullAsPuller,
} from "./support/scenario";
import {
  cleanupTempDirs,
  makeTempDir,
  REGISTRY_TOOLS,
  requireTools,
  stopAll,
  waitFor,
  requireTool,
} from "./support/tools";

/** The garbage-collection CronJob of the default environment with these settings. */
const emittedJob = (garbageCollection: Record<string, unknown>) =>
  emittedCronJob(DEFAULT_ENVIRONMENT, { garbageCollection }, GARBAGE_COLLECTION_JOB_NAME);

/** Bytes of every file under `dir`. */
function bytesUnder(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const path = join(dir, entry.name);
    return sum + (entry.isDirectory() ? bytesUnder(path) : statSync(path).size);
  }, 0);
}

describe("garbage collection as the CronJob runs it, on Distribution 2.8", () => {
  let tmp: string;
  let scenario: RegistryScenario;
  let binDir: string;
  let baseConfig: string;
  const repository = "gc/app";
  let removed: OciImage;
  let kept: OciImage;

  const creds = (user: "push" | "pull") => credentialsOf(scenario, user);
  const blobsDir = () => join(scenario.registry.dataDir, "docker/registry/v2/blobs");
  const push = (image: OciImage) =>
    scenario.skopeo.runOk([
      "copy",
      "--dest-cert-dir",
      scenario.caDir,
      "--dest-creds",
      creds("push"),
      `oci:${image.dir}:${image.tag}`,
      `docker://${scenario.registry.host}/${repository}:${image.tag}`,
    ]);
  /** Pull `image`'s tag as the pulling user and compare every blob with the original. */
  const pullsIntact = (image: OciImage, name: string) => {
    const target = join(tmp, name);
    rmSync(target, { recursive: true, force: true });
    pullAsPuller(scenario, `${scenario.registry.host}/${repository}:${image.tag}`, target);
    expect(manifestDigestInLayout(target, image.tag)).toBe(image.manifest.digest);
    for (const blob of [image.config, ...image.layers]) {
      expect(readBlob(target, blob.digest).equals(readBlob(image.dir, blob.digest))).toBe(true);
    }
  };
  const blobExists = (digest: string) =>
    existsSync(join(blobsDir(), "sha256", digest.slice(7, 9), digest.slice(7)));

  /** Run a job script as the pod would: its env remapped, `registry` on the PATH. */
  const runGc = (job: EmittedJob, name: string, drainSeconds?: number) =>
    runJob(job, {
      name,
      dataDir: scenario.registry.dataDir,
      paths: { [DISTRIBUTION_CONFIG_FILE]: baseConfig },
      binDir,
      drainSeconds,
      logDir: tmp,
    });

  beforeAll(async () => {
    requireTools([...REGISTRY_TOOLS]);
    tmp = makeTempDir("gc");
    scenario = await startRegistryScenario(DEFAULT_ENVIRONMENT, tmp);
    binDir = join(tmp, "bin");
    mkdirSync(binDir);
    // The image's binary is `registry`; Debian names it docker-registry.
    symlinkSync(requireTool("docker-registry", "docker-registry"), join(binDir, "registry"));
    mkdirSync(join(tmp, "job"));
    baseConfig = writeBaseConfig(join(tmp, "job"));
    const base = randomLayer(512 * 1024);
    removed = buildOciImage(join(tmp, "removed"), {
      tag: "old",
      payloadBytes: 1024 * 1024,
      baseLayer: base,
    });
    kept = buildOciImage(join(tmp, "kept"), {
      tag: "keep",
      payloadBytes: 256 * 1024,
      baseLayer: base,
    });
    push(removed);
    push(kept);
    // What Distribution's tag delete does on a filesystem store (storage/tagstore.go Untag:
    // delete the tag's folder); the origin refuses deletes through the API.
    rmSync(
      join(
        scenario.registry.dataDir,
        "docker/registry/v2/repositories",
        repository,
        "_manifests/tags/old",
      ),
      {
        recursive: true,
      },
    );
  });

  afterAll(async () => {
    await stopAll();
    cleanupTempDirs();
  });

  test("the registry runs without its blob descriptor cache", () => {
    expect(scenario.registry.env.REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR).toBe("disabled");
    expect(scenario.registry.process.logs()).toMatch(/unknown cache type .*caching disabled/);
  });

  test("a dry run reports the removed image's blobs and deletes nothing", async () => {
    const before = bytesUnder(blobsDir());
    const job = runGc(emittedJob({ deleteUntagged: true, dryRun: true }), "gc-dry-run");
    expect(await jobFinished(job)).toBe("code 0");
    const log = job.logs();
    expect(log).toContain("dry run: nothing is deleted");
    for (const blob of [removed.manifest, removed.config, removed.layer]) {
      expect(log).toContain(`blob eligible for deletion: ${blob.digest}`);
    }
    expect(log).not.toContain(`blob eligible for deletion: ${removed.layers[0].digest}`);
    expect(bytesUnder(blobsDir())).toBe(before);
    expect(log).toMatch(/reclaimed: 0 KiB/);
  });

  test("the collection turns pushes away while it runs and reclaims the removed image", async () => {
    const before = bytesUnder(blobsDir());
    const job = runGc(emittedJob({ deleteUntagged: true }), "gc", 3);
    const flag = MAINTENANCE_FLAGS.garbageCollection.replace(
      REGISTRY_PATHS.data,
      scenario.registry.dataDir,
    );
    await waitFor("the maintenance flag", async () => (existsSync(flag) ? true : undefined), {
      process: job,
      timeoutMs: 10000,
    });
    const during = await httpRequest(
      `https://${scenario.registry.host}/v2/${repository}/blobs/uploads/`,
      { method: "POST", ca: scenario.caPem, auth: creds("push") },
    );
    expect(during.status).toBe(503);
    const read = await httpRequest(`https://${scenario.registry.host}/v2/`, {
      ca: scenario.caPem,
      auth: creds("pull"),
    });
    expect(read.status).toBe(200);
    expect(await jobFinished(job)).toBe("code 0");
    expect(existsSync(flag)).toBe(false);
    expect(job.logs()).toMatch(
      /^storage before: \d+ KiB, after: \d+ KiB, reclaimed: [1-9]\d* KiB$/m,
    );
    const after = bytesUnder(blobsDir());
    const reclaimed = before - after;
    const ownBytes = removed.manifest.size + removed.config.size + removed.layer.size;
    expect(reclaimed).toBe(ownBytes);
    for (const blob of [removed.manifest, removed.config, removed.layer]) {
      expect(blobExists(blob.digest)).toBe(false);
    }
    expect(blobExists(removed.layers[0].digest)).toBe(true);
    console.log(
      `garbage collection reclaimed ${reclaimed} bytes (${before} -> ${after} blob bytes); during the run a push got ${during.status}, a read ${read.status}\njob: ${
        job
          .logs()
          .split("\n")
          .find((line) => line.startsWith("storage before")) ?? "(no size line)"
      }`,
    );
  });

  test("the other image still pulls intact, sharing the base layer", () => {
    pullsIntact(kept, "kept-after-gc");
  });

  test("the removed image can be pushed again and pulls intact (no stale blob answers)", () => {
    push(removed);
    pullsIntact(removed, "removed-again");
  });
});
