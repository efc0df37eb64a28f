/**
 * Backup and restore, followed end to end with real software: the backup CronJob's script (as
 * emitted, paths remapped, GNU tar standing in for the image's busybox tar) archives the
 * emitted registry's storage while pushes get 503, keeps only the newest archives, and the
 * README's restore runbook (extract an archive into the empty storage root of a fresh
 * registry, start it) gives a registry that serves the image byte for byte.
 *
 * Run with `npx jest -c jest.e2e.config.js --runInBand __tests__/e2e/backup-restore.e2e.ts`.
 * Needs (Debian) `nginx docker-registry skopeo apache2-utils openssl`; downloads nothing.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { BACKUP_DIR, BACKUP_JOB_NAME } from "../../lib/registry/backup-job";
import { MAINTENANCE_FLAGS, REGISTRY_PATHS } from "../../lib/registry/registry-server";
import { emittedCronJob, jobFinished, runJob, type EmittedJob } from "./support/maintenance-job";
import { manifestDigestInLayout, readBlob } from "./support/oci-image";
import { createServerCertificate } from "./support/pki";
import { DEFAULT_ENVIRONMENT, httpRequest } from "./support/registry";
import { launchRegistry } from "./support/running-registry";
import {
  pushImage,
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
  stopAll,
  waitFor,
} from "./support/tools";

describe("backup and restore of the registry's storage", () => {
  let tmp: string;
  let scenario: RegistryScenario;
  let backupDir: string;
  let job: EmittedJob;
  const KEEP = 2;

  const archives = () =>
    readdirSync(backupDir)
      .filter((name) => /^registry-\d{8}T\d{6}Z\.tar\.gz$/.test(name))
      .sort();
  const runBackup = (name: string, drainSeconds: number) =>
    runJob(job, {
      name,
      dataDir: scenario.registry.dataDir,
      paths: { [BACKUP_DIR]: backupDir },
      drainSeconds,
      logDir: tmp,
    });
  const creds = (user: "push" | "pull") => credentialsOf(scenario, user);

  beforeAll(async () => {
    requireTools([...REGISTRY_TOOLS, ["tar", "tar"]]);
    tmp = makeTempDir("backup");
    scenario = await startRegistryScenario(DEFAULT_ENVIRONMENT, tmp);
    pushImage(scenario);
    backupDir = join(tmp, "backup-claim");
    mkdirSync(backupDir);
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
    const [archive] = archives();
    expect(archive).toBeDefined();
    const listing = run("tar", ["-tzf", join(backupDir, archive)]).stdout;
    expect(listing).toContain(`docker/registry/v2/blobs/sha256/`);
    expect(listing).toContain(`_manifests/tags/${scenario.tag}/current/link`);
    console.log(
      `archived ${archive}: ${statSync(join(backupDir, archive)).size} bytes, ${listing.trim().split("\n").length} entries; a push during the run got ${during.status}\n${backup.logs().trim()}`,
    );
  });

  test(`later runs keep only the newest ${KEEP} archives`, async () => {
    const first = archives()[0];
    for (const name of ["backup-2", "backup-3"]) {
      // Archive names carry the second they were made.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await jobFinished(runBackup(name, 1))).toBe("code 0");
    }
    const kept = archives();
    expect(kept).toHaveLength(KEEP);
    expect(kept).not.toContain(first);
    console.log(`archives kept: ${kept.join(", ")}`);
  });

  test("the restore runbook gives a fresh registry that serves the image byte for byte", async () => {
    const latest = archives()[archives().length - 1];
    // Runbook, step 2: extract the newest archive into the empty storage root.
    const restoredDir = join(tmp, "restored");
    const data = join(restoredDir, "data");
    mkdirSync(data, { recursive: true });
    const extract = run("tar", ["-xzf", join(backupDir, latest), "-C", data]);
    expect(extract.status).toBe(0);
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
});
