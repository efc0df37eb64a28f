/**
 * Backup and restore, followed end to end with real software: the backup CronJob's script (as
 * emitted, paths remapped, GNU tar standing in for the image's busybox tar) archives the
 * emitted registry's storage while pushes get 503, deletes what stopped runs left, keeps only
 * the newest archives (0.1.0's gzipped ones counted), and the restore runbook in docs/operations.md (extract
 * an archive into the empty storage root of a fresh registry, start it) gives a registry that
 * serves the image byte for byte. Last, it archives a store of random layers and prints the
 * throughput and the read-only window it implies (docs/operations.md, "Backup and restore").
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/backup-restore.e2e.ts`.
 * Needs (Debian) `nginx docker-registry skopeo apache2-utils openssl`; downloads nothing.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { BACKUP_DIR, BACKUP_JOB_NAME } from "../../lib/registry/backup-job";
import { MAINTENANCE_FLAGS, REGISTRY_PATHS } from "../../lib/registry/registry-paths";
import {
  emittedCronJob,
  jobFinished,
  runJob,
  type EmittedJob,
  type RunJobOptions,
} from "./support/maintenance-job";
import { manifestDigestInLayout, readBlob } from "./support/oci-image";
import { createServerCertificate } from "./support/pki";
import { DEFAULT_ENVIRONMENT, httpRequest } from "./support/registry";
import { launchRegistry } from "./support/running-registry";
import {
  pushImage,
  sampleImage,
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
  run,
  runOk,
  stopAll,
  waitFor,
} from "./support/tools";

describe("backup and restore of the registry's storage", () => {
  let tmp: string;
  let scenario: RegistryScenario;
  let backupDir: string;
  let job: EmittedJob;
  const KEEP = 2;

  /** Complete archives, oldest first: this version's `.tar` and 0.1.0's `.tar.gz`. */
  const archives = () =>
    readdirSync(backupDir)
      .filter((name) => /^registry-\d{8}T\d{6}Z\.tar(\.gz)?$/.test(name))
      .sort();
  const partials = () => readdirSync(backupDir).filter((name) => name.endsWith(".partial"));
  const runBackup = (name: string, drainSeconds: number, more: Partial<RunJobOptions> = {}) =>
    runJob(job, {
      name,
      dataDir: scenario.registry.dataDir,
      paths: { [BACKUP_DIR]: backupDir },
      drainSeconds,
      logDir: tmp,
      ...more,
    });
  /** What 0.1.0 left on the claim: a gzipped archive, and the partial of a run killed at its deadline. */
  const GZIPPED = "registry-20260101T010000Z.tar.gz";
  const KILLED_GZIPPED = "registry-20260102T010000Z.tar.gz.partial";
  let gzippedCopy: string;
  const creds = (user: "push" | "pull") => credentialsOf(scenario, user);

  beforeAll(async () => {
    requireTools([...REGISTRY_TOOLS, ["tar", "tar"]]);
    tmp = makeTempDir("backup");
    scenario = await startRegistryScenario(DEFAULT_ENVIRONMENT, tmp);
    pushImage(scenario);
    backupDir = join(tmp, "backup-claim");
    mkdirSync(backupDir);
    // 0.1.0's archive command, on the same store.
    gzippedCopy = join(tmp, GZIPPED);
    runOk("tar", ["-czf", gzippedCopy, "-C", scenario.registry.dataDir, "docker"]);
    copyFileSync(gzippedCopy, join(backupDir, GZIPPED));
    writeFileSync(join(backupDir, KILLED_GZIPPED), "the first bytes of an archive");
    job = emittedCronJob(
      DEFAULT_ENVIRONMENT,
      { backup: { archive: { enabled: true, claimName: "registry-backup", keep: KEEP } } },
      BACKUP_JOB_NAME,
    );
  });

  afterAll(async () => {
    await stopAll();
    cleanupTempDirs();
  });

  test("the backup job archives the storage while pushes get 503", async () => {
    const backup = runBackup("backup-1", 3);
    const flag = MAINTENANCE_FLAGS.backup.replace(REGISTRY_PATHS.data, scenario.registry.dataDir);
    await waitFor(
      "the backup's maintenance flag",
      async () => (existsSync(flag) ? true : undefined),
      {
        process: backup,
        timeoutMs: 10000,
      },
    );
    const uploads = `https://${scenario.registry.host}/v2/probe/blobs/uploads/`;
    const during = await httpRequest(uploads, {
      method: "POST",
      ca: scenario.caPem,
      auth: creds("push"),
    });
    expect(during.status).toBe(503);
    expect(await jobFinished(backup)).toBe("code 0");
    expect(existsSync(flag)).toBe(false);
    const [gzipped, archive] = archives();
    expect(gzipped).toBe(GZIPPED);
    expect(archive).toMatch(/^registry-\d{8}T\d{6}Z\.tar$/);
    expect(partials()).toEqual([]);
    expect(backup.logs()).toContain(
      `deleted ${join(backupDir, KILLED_GZIPPED)}, left by a stopped run`,
    );
    // A plain tar: no gzip magic number (1f 8b), layers are compressed already.
    expect(readFileSync(join(backupDir, archive)).subarray(0, 2).toString("hex")).not.toBe("1f8b");
    const listing = run("tar", ["-tf", join(backupDir, archive)]).stdout;
    expect(listing).toContain(`docker/registry/v2/blobs/sha256/`);
    expect(listing).toContain(`_manifests/tags/${scenario.tag}/current/link`);
    console.log(
      `archived ${archive}: ${statSync(join(backupDir, archive)).size} bytes (0.1.0's gzipped archive of the same store: ${statSync(gzippedCopy).size}), ${listing.trim().split("\n").length} entries; a push during the run got ${during.status}\n${backup.logs().trim()}`,
    );
  });

  test(`later runs keep only the newest ${KEEP} archives, 0.1.0's gzipped one counted`, async () => {
    const first = archives()[1];
    for (const name of ["backup-2", "backup-3"]) {
      // Archive names carry the second they were made.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const backup = runBackup(name, 1);
      expect(await jobFinished(backup)).toBe("code 0");
      // The second run already prunes the gzipped archive: it is the oldest of three.
      if (name === "backup-2")
        expect(backup.logs()).toContain(`deleted ${join(backupDir, GZIPPED)}`);
    }
    const kept = archives();
    expect(kept).toHaveLength(KEEP);
    expect(kept).not.toContain(first);
    expect(kept).not.toContain(GZIPPED);
    expect(kept.every((name) => name.endsWith(".tar"))).toBe(true);
    console.log(`archives kept: ${kept.join(", ")}`);
  });

  test("a run stopped at its deadline deletes its partial; one killed outright, the next run", async () => {
    const before = archives();
    const flag = MAINTENANCE_FLAGS.backup.replace(REGISTRY_PATHS.data, scenario.registry.dataDir);
    // A tar that writes the whole archive, then hangs: the run is caught before it publishes.
    const binDir = join(tmp, "slow-tar");
    mkdirSync(binDir);
    const pidFile = join(tmp, "slow-tar.pid");
    writeFileSync(
      join(binDir, "tar"),
      `#!/bin/sh\necho $$ > ${pidFile}\n${run("sh", ["-c", "command -v tar"]).stdout.trim()} "$@"\nexec sleep 60\n`,
    );
    chmodSync(join(binDir, "tar"), 0o755);
    const stalled = async (name: string) => {
      const backup = runBackup(name, 0, { binDir });
      await waitFor(
        `${name}'s partial archive`,
        async () => (partials().length === 1 && existsSync(pidFile) ? true : undefined),
        { process: backup, timeoutMs: 10000 },
      );
      return backup;
    };

    // At activeDeadlineSeconds Kubernetes terminates the pod: SIGTERM to the script first.
    const stopped = await stalled("backup-deadline");
    stopped.child.kill("SIGTERM");
    expect(await jobFinished(stopped)).toBe("code 143");
    expect(partials()).toEqual([]);
    expect(existsSync(flag)).toBe(false);
    expect(archives()).toEqual(before);

    // SIGKILL (after the grace period, or a lost node) skips every trap: the partial stays...
    const killed = await stalled("backup-killed");
    const left = partials();
    killed.child.kill("SIGKILL");
    expect(await jobFinished(killed)).toBe("signal SIGKILL");
    process.kill(Number(readFileSync(pidFile, "utf8").trim()), "SIGKILL"); // the orphaned tar
    expect(partials()).toEqual(left);
    // ...until the next run starts.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const next = runBackup("backup-after-kill", 0);
    expect(await jobFinished(next)).toBe("code 0");
    expect(next.logs()).toContain(`deleted ${join(backupDir, left[0])}, left by a stopped run`);
    expect(partials()).toEqual([]);
    expect(existsSync(flag)).toBe(false);
    expect(archives()).toHaveLength(KEEP);
    console.log(
      `deadline (SIGTERM): ${String(stopped.exited())}, no partial left; SIGKILL left ${left.join(", ")}, the next run deleted it`,
    );
  });

  test("the restore runbook gives a fresh registry that serves the image byte for byte", async () => {
    const latest = archives()[archives().length - 1];
    // Runbook, step 2: extract the newest archive into the empty storage root.
    const restoredDir = join(tmp, "restored");
    const data = join(restoredDir, "data");
    mkdirSync(data, { recursive: true });
    const extract = run("tar", ["-xf", join(backupDir, latest), "-C", data]);
    expect(extract.status).toBe(0);
    // 0.1.0's gzipped archives restore with -xzf (the runbook in docs/operations.md), the same store.
    const fromGzipped = join(tmp, "restored-gzipped");
    mkdirSync(fromGzipped);
    expect(run("tar", ["-xzf", gzippedCopy, "-C", fromGzipped]).status).toBe(0);
    const { repository } = sampleImage(scenario.config);
    const tagLink = `docker/registry/v2/repositories/${repository}/_manifests/tags/${scenario.tag}/current/link`;
    expect(readFileSync(join(fromGzipped, tagLink), "utf8")).toBe(
      readFileSync(join(data, tagLink), "utf8"),
    );
    // Step 3: start the registry on it (here: the emitted registry and auth proxy, anew).
    const restored = await launchRegistry({
      registry: scenario.emitted,
      dir: restoredDir,
      ca: scenario.ca,
      server: createServerCertificate(scenario.ca, {
        name: "restored",
        dnsNames: [scenario.config.registry.fqdn],
        ipAddresses: ["127.0.0.1"],
      }),
      credentials: scenario.credentials,
    });
    // Step 4: pull.
    const target = join(tmp, "pulled-from-restored");
    pullAsPuller(
      scenario,
      scenario.reference.replace(scenario.registry.host, restored.host),
      target,
    );
    const { image } = scenario;
    expect(manifestDigestInLayout(target, scenario.tag)).toBe(image.manifest.digest);
    for (const blob of [image.config, image.layer]) {
      expect(readBlob(target, blob.digest).equals(readBlob(image.dir, blob.digest))).toBe(true);
    }
    console.log(
      `restored ${latest} into a fresh registry at ${restored.host}: ${scenario.tag} pulled, manifest ${image.manifest.digest} and ${image.blobBytes} blob bytes identical`,
    );
  });
  test("archive throughput on a store of random layers, and the read-only window it implies", async () => {
    const store = join(tmp, "throughput-store");
    const claim = join(tmp, "throughput-claim");
    mkdirSync(claim);
    // Random bytes compress no better than gzip or zstd layers; sizes like real layers'.
    const sizesMiB = [
      48, 32, 32, 24, 24, 16, 16, 16, 12, 12, 8, 8, 8, 8, 6, 6, 4, 4, 4, 4, 2, 2, 2, 2,
    ];
    const blobs = sizesMiB.map((mib) => {
      const bytes = randomBytes(mib * 1024 * 1024);
      const hex = createHash("sha256").update(bytes).digest("hex");
      const dir = join(store, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "data"), bytes);
      return { path: join(dir, "data"), size: bytes.length };
    });
    const storeBytes = blobs.reduce((sum, blob) => sum + blob.size, 0);
    // Read from the disk, not from memory: write the blobs out, then drop them from the page
    // cache (GNU dd's nocache with count=0 discards a file's cached data,
    // https://www.gnu.org/software/coreutils/manual/html_node/dd-invocation.html).
    const dropCache = (paths: readonly string[]) => {
      runOk("sync", []);
      for (const path of paths) {
        runOk("dd", [`if=${path}`, "iflag=nocache", "count=0", "status=none"]);
      }
    };
    dropCache(blobs.map((blob) => blob.path));
    const seconds = (from: bigint, to: bigint) => Number(to - from) / 1e9;

    const started = process.hrtime.bigint();
    let ended = started;
    const backup = runJob(job, {
      name: "backup-throughput",
      dataDir: store,
      paths: { [BACKUP_DIR]: claim },
      drainSeconds: 0,
      logDir: tmp,
    });
    backup.child.once("exit", () => {
      ended = process.hrtime.bigint();
    });
    expect(await jobFinished(backup)).toBe("code 0");
    const archiveSeconds = seconds(started, ended);
    const flushStarted = process.hrtime.bigint();
    runOk("sync", []);
    const withFlushSeconds = archiveSeconds + seconds(flushStarted, process.hrtime.bigint());
    const [archive] = readdirSync(claim);
    expect(archive).toMatch(/^registry-\d{8}T\d{6}Z\.tar$/);
    expect(statSync(join(claim, archive)).size).toBeGreaterThan(storeBytes);
    const entries = run("tar", ["-tf", join(claim, archive)])
      .stdout.trim()
      .split("\n");
    expect(entries.filter((entry) => entry.endsWith("/data"))).toHaveLength(blobs.length);

    // 0.1.0's tar -czf on the two largest blobs (80 MiB), read from disk as well.
    const sample = blobs.slice(0, 2);
    dropCache(sample.map((blob) => blob.path));
    const gzipStarted = process.hrtime.bigint();
    runOk("tar", ["-czf", join(tmp, "gzip-sample.tar.gz"), ...sample.map((blob) => blob.path)]);
    const gzipSeconds = seconds(gzipStarted, process.hrtime.bigint());
    const sampleBytes = sample.reduce((sum, blob) => sum + blob.size, 0);

    const rate = (bytes: number, secs: number) => bytes / 1e6 / secs;
    const tarRate = rate(storeBytes, archiveSeconds);
    const flushedRate = rate(storeBytes, withFlushSeconds);
    const gzipRate = rate(sampleBytes, gzipSeconds);
    expect(flushedRate).toBeGreaterThan(gzipRate);
    const window = (bytes: number, mbPerSecond: number) => {
      const secs = bytes / 1e6 / mbPerSecond;
      return secs < 3600 ? `${(secs / 60).toFixed(1)} min` : `${(secs / 3600).toFixed(1)} h`;
    };
    const windows = (mbPerSecond: number) =>
      [1e10, 1e11, 1e12]
        .map((bytes) => `${bytes / 1e9} GB ${window(bytes, mbPerSecond)}`)
        .join(", ");
    console.log(
      [
        `archive throughput (${String(availableParallelism())} CPUs, ${(storeBytes / 1e6).toFixed(0)} MB in ${blobs.length} random blobs, page cache dropped):`,
        `  plain tar (this version): ${tarRate.toFixed(0)} MB/s to the page cache (${archiveSeconds.toFixed(2)} s), ${flushedRate.toFixed(0)} MB/s flushed to disk (${withFlushSeconds.toFixed(2)} s)`,
        `  tar -czf (0.1.0), ${(sampleBytes / 1e6).toFixed(0)} MB sample: ${gzipRate.toFixed(0)} MB/s (${gzipSeconds.toFixed(2)} s)`,
        `  read-only window at ${flushedRate.toFixed(0)} MB/s: ${windows(flushedRate)}; with gzip at ${gzipRate.toFixed(0)} MB/s: ${windows(gzipRate)}`,
        `  job log: ${backup.logs().trim().split("\n").slice(-1)[0]}`,
      ].join("\n"),
    );
  });
});
