import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WORKLOADS_STACK } from "../lib/contract/stack-names";
import { BACKUP_DIR, backupScript } from "../lib/registry/backup-job";
import { MAINTENANCE_FLAGS, REGISTRY_PATHS } from "../lib/registry/registry-paths";
import { configFrom, merge, rawEnvironment } from "./helpers/config";
import { stacksOf, type SynthName } from "./helpers/environments";
import { podSpecOfWorkload, resourcesOf, type StackJson } from "./helpers/json";
import { synthesizeInProcess } from "./helpers/synth-process";

type Json = Record<string, unknown>;

const workloads = (name: SynthName) => stacksOf(name).workloads;

function backupJobsIn(stack: StackJson): Json[] {
  return resourcesOf(stack, "kubernetes_cron_job_v1")
    .map(([, body]) => body)
    .filter((body) => (body.metadata as Json).name === "registry-backup");
}
const backupJobs = (name: SynthName) => backupJobsIn(workloads(name));
const scriptOf = (job: Json) =>
  ((podSpecOfWorkload(job).container as Json[])[0].command as string[])[2];

describe("disk snapshots (GKE)", () => {
  it("schedule daily snapshots of the registry's Persistent Disk, kept after the disk", () => {
    const stack = workloads("default");
    const [[, policy]] = resourcesOf(stack, "google_compute_resource_policy");
    expect(policy).toMatchObject({
      provider: "google.onprem",
      name: "registry-data-snapshots",
      region: expect.stringMatching(/outputs\.region\}$/),
      snapshot_schedule_policy: {
        schedule: { daily_schedule: { days_in_cycle: 1, start_time: "02:00" } },
        retention_policy: { max_retention_days: 14, on_source_disk_delete: "KEEP_AUTO_SNAPSHOTS" },
      },
    });
  });

  it("find the disk through the bound volume's CSI handle (projects/p/zones/z/disks/name)", () => {
    const stack = workloads("default");
    const [[claimId, claim]] = Object.entries(
      stack.data?.kubernetes_persistent_volume_claim_v1 ?? {},
    );
    expect(claim.metadata).toMatchObject({
      name: expect.stringMatching(
        /^\$\{kubernetes_persistent_volume_claim_v1\.registry_storage_claim_\w+\.metadata\[0\]\.name\}$/,
      ),
    });
    // Read after a marker that follows the Deployment and changes only with the claim's uid:
    // a Deployment change must not defer the read (which would replace the attachment).
    const [markerAddress] = claim.depends_on as string[];
    expect(claim.depends_on).toEqual([expect.stringMatching(/^terraform_data\.\S*claim-in-use/)]);
    const marker = stack.resource?.terraform_data?.[markerAddress.split(".")[1]] ?? {};
    expect((marker.input as Json).claimUid).toMatch(
      /^\$\{kubernetes_persistent_volume_claim_v1\.\w+\.metadata\[0\]\.uid\}$/,
    );
    expect(String(marker.depends_on)).toMatch(/^kubernetes_deployment_v1\./);
    const [[volumeId, volume]] = Object.entries(stack.data?.kubernetes_persistent_volume_v1 ?? {});
    // A deferred read plans the optional `spec` block as a known empty list: `spec[0]` alone
    // fails the first plan (found by npm run rehearse); the unknown `id` keeps it deferred.
    const claimRef = `data.kubernetes_persistent_volume_claim_v1.${claimId}`;
    expect((volume.metadata as Json).name).toBe(
      `\${try(${claimRef}.spec[0].volume_name, ${claimRef}.id)}`,
    );
    const [[, attachment]] = resourcesOf(stack, "google_compute_disk_resource_policy_attachment");
    const volumeRef = `data.kubernetes_persistent_volume_v1.${volumeId}`;
    const handle = `try(${volumeRef}.spec[0].persistent_volume_source[0].csi[0].volume_handle, ${volumeRef}.id)`;
    expect(attachment.zone).toBe(`\${element(split("/", ${handle}), 3)}`);
    expect(attachment.disk).toBe(`\${element(split("/", ${handle}), 5)}`);
  });

  it("can be switched off, and are not offered off GKE", () => {
    expect(resourcesOf(workloads("snapshotsOff"), "google_compute_resource_policy")).toEqual([]);
    const aliases = (workloads("snapshotsOff").provider?.google ?? []).map((p) => p.alias);
    expect(aliases).not.toContain("onprem");
    expect(resourcesOf(workloads("standalone"), "google_compute_resource_policy")).toEqual([]);
    const asked = merge(rawEnvironment("environments/standalone-k3s.yaml"), {
      registry: { backup: { snapshots: { enabled: true } } },
    });
    expect(() => configFrom(asked)).toThrow(
      /registry\.backup\.snapshots\.enabled: needs the registry on a GKE Persistent Disk/,
    );
  });
});

describe("storage archives", () => {
  it("are off by default", () => {
    expect(backupJobs("standalone")).toEqual([]);
  });

  it("archive the storage onto the given claim on the registry's node, read-only meanwhile", () => {
    const [job] = backupJobs("backupArchive");
    const pod = podSpecOfWorkload(job);
    expect(pod.volume).toEqual([
      { name: "data", persistent_volume_claim: { claim_name: expect.any(String) } },
      { name: "claim-0", persistent_volume_claim: { claim_name: "registry-backup" } },
    ]);
    expect(pod.affinity).toBeDefined();
    const script = scriptOf(job);
    expect(script).toContain(": > /var/lib/registry/maintenance/backup");
    expect(script).toContain("tail -n +4");
    expect(script).not.toMatch(/[$%]\{/);
    expect(job.spec).toMatchObject({ schedule: "0 1 * * *", concurrency_policy: "Forbid" });
  });

  it("are plain tar files: layers are compressed already, gzip would only cost CPU time", () => {
    const script = scriptOf(backupJobs("backupArchive")[0]);
    expect(script).toContain("archive=/backup/registry-$(date -u +%Y%m%dT%H%M%SZ).tar\n");
    expect(script).toContain('tar -cf "$archive.partial" -C /var/lib/registry docker &');
    expect(script).not.toMatch(/tar -c\S*z|gzip/);
  });

  it("stop at the configured deadline, one hour by default", () => {
    const deadline = (job: Json) =>
      (((job.spec as Json).job_template as Json).spec as Json).active_deadline_seconds;
    expect(deadline(backupJobs("backupArchive")[0])).toBe(3600);
    const config = configFrom(
      merge(rawEnvironment("environments/standalone-k3s.yaml"), {
        registry: {
          backup: {
            archive: { enabled: true, claimName: "registry-backup", deadlineMinutes: 180 },
          },
        },
      }),
    );
    const [stacks] = synthesizeInProcess([config]);
    const stack = stacks[WORKLOADS_STACK];
    const [job] = backupJobsIn(stack);
    expect(deadline(job)).toBe(10800);
    // Garbage collection keeps its own deadline.
    const gc = resourcesOf(stack, "kubernetes_cron_job_v1")
      .map(([, body]) => body)
      .filter((body) => (body.metadata as Json).name !== "registry-backup");
    expect(gc.map(deadline)).toEqual([3600]);
  });

  it("refuse a deadline outside 5 minutes to 24 hours, naming the field", () => {
    const base = rawEnvironment("environments/standalone-k3s.yaml");
    const withDeadline = (deadlineMinutes: number) =>
      merge(base, {
        registry: { backup: { archive: { enabled: true, claimName: "b", deadlineMinutes } } },
      });
    expect(() => configFrom(withDeadline(2))).toThrow(
      /registry\.backup\.archive\.deadlineMinutes: must be at least 5 \(got 2\)/,
    );
    expect(() => configFrom(withDeadline(1441))).toThrow(
      /registry\.backup\.archive\.deadlineMinutes: must be at most 1440 \(got 1441\)/,
    );
    expect(() => configFrom(withDeadline(7.5))).toThrow(
      /registry\.backup\.archive\.deadlineMinutes: /,
    );
  });

  it("lift read-only before pruning old archives, after the archive is complete", () => {
    const lines = backupScript({
      dataDir: "/data",
      backupDir: "/backup",
      readOnlyFlag: "/data/maintenance/backup",
      drainSeconds: 30,
      keep: 7,
    }).split("\n");
    const at = (text: string) => lines.findIndex((line) => line.startsWith(text));
    expect(at('mv "$archive.partial" "$archive"')).toBeGreaterThan(at("tar -cf"));
    expect(at("rm -f /data/maintenance/backup")).toBeGreaterThan(at('mv "$archive.partial"'));
    expect(at("for old in")).toBeGreaterThan(at("rm -f /data/maintenance/backup"));
    expect(
      at("trap 'rm -f /data/maintenance/backup; rm -f \"$archive.partial\"' EXIT"),
    ).toBeLessThan(at(": > /data"));
    // Stale partials go before read-only starts: deleting a large one does not lengthen it.
    expect(at("for stale in /backup/registry-*.partial")).toBeLessThan(at(": > /data"));
    expect(at("archive=")).toBeLessThan(at("trap "));
  });

  it("need a claim and storage a job can read", () => {
    const base = rawEnvironment("environments/standalone-k3s.yaml");
    expect(() =>
      configFrom(merge(base, { registry: { backup: { archive: { enabled: true } } } })),
    ).toThrow(/registry\.backup\.archive\.claimName: is required/);
    expect(() =>
      configFrom(
        merge(base, {
          registry: {
            storage: { type: "emptyDir", size: null, storageClass: null },
            backup: { archive: { enabled: true, claimName: "b" } },
          },
        }),
      ),
    ).toThrow(/registry\.backup\.archive\.enabled: cannot read emptyDir storage/);
  });
});

/**
 * The emitted script itself, run by /bin/sh (dash here, busybox ash in the registry's image;
 * GNU tar standing in for busybox tar) on temporary folders, with no drain: what it keeps,
 * what it deletes, what a failed run leaves. A few milliseconds per run.
 */
describe("the archive script, run", () => {
  const KEEP = 3;
  let root: string;
  let dataDir: string;
  let backupDir: string;
  let flag: string;

  const scriptFor = (data: string) =>
    backupScript({
      dataDir: data,
      backupDir,
      readOnlyFlag: flag,
      drainSeconds: 0,
      keep: KEEP,
    });
  const runScript = (data = dataDir) =>
    spawnSync("/bin/sh", ["-c", scriptFor(data)], { encoding: "utf8" });
  const listing = () => readdirSync(backupDir).sort();
  /** What earlier runs left: two gzipped archives (0.1.0), one tar, two killed runs' partials. */
  const earlierRuns = [
    "registry-20260101T010000Z.tar.gz",
    "registry-20260102T010000Z.tar.gz",
    "registry-20260103T010000Z.tar",
    "registry-20260104T010000Z.tar.gz.partial",
    "registry-20260105T010000Z.tar.partial",
  ];

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "backup-script-"));
    dataDir = join(root, "data");
    backupDir = join(root, "backup");
    flag = join(dataDir, "maintenance", "backup");
    const blob = join(dataDir, "docker/registry/v2/blobs/sha256/ab/abcd");
    mkdirSync(blob, { recursive: true });
    writeFileSync(join(blob, "data"), "layer bytes");
    mkdirSync(backupDir);
    for (const name of [...earlierRuns, "notes.txt"]) writeFileSync(join(backupDir, name), name);
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("is the script the CronJob runs", () => {
    const emitted = scriptOf(backupJobs("backupArchive")[0]);
    expect(emitted).toBe(
      backupScript({
        dataDir: REGISTRY_PATHS.data,
        backupDir: BACKUP_DIR,
        readOnlyFlag: MAINTENANCE_FLAGS.backup,
        drainSeconds: 30,
        keep: KEEP,
      }),
    );
  });

  it(`keeps the newest ${KEEP} archives, gzipped ones counted, and deletes stale partials`, () => {
    const result = runScript();
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const [made] = listing().filter(
      (name) => /^registry-\d{8}T\d{6}Z\.tar$/.test(name) && !earlierRuns.includes(name),
    );
    expect(made).toBeDefined();
    // The newest three: this run's, the tar of 01-03 and the newer gzipped one; the older
    // gzipped one and both partials are gone, a file that is no archive stays.
    expect(listing()).toEqual(
      [
        made,
        "registry-20260103T010000Z.tar",
        "registry-20260102T010000Z.tar.gz",
        "notes.txt",
      ].sort(),
    );
    expect(existsSync(flag)).toBe(false);
    const archive = readFileSync(join(backupDir, made));
    expect(archive.subarray(0, 2).toString("hex")).not.toBe("1f8b"); // gzip's magic number
    const entries = spawnSync("tar", ["-tf", join(backupDir, made)], { encoding: "utf8" }).stdout;
    expect(entries).toContain("docker/registry/v2/blobs/sha256/ab/abcd/data");
    expect(result.stdout).toContain(
      "deleted " + join(backupDir, "registry-20260105T010000Z.tar.partial"),
    );
    expect(result.stdout).toContain(
      "deleted " + join(backupDir, "registry-20260101T010000Z.tar.gz"),
    );
    expect(result.stdout).toMatch(/archived \S+\.tar: \d+ KiB in \d+ s/);
  });

  it("after a failed archive, leaves no partial, lifts read-only and prunes nothing", () => {
    const missing = join(root, "no-store"); // no docker folder: tar fails
    mkdirSync(missing);
    const result = runScript(missing);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/docker/);
    // The stale partials went at the start; this run's own partial went on exit.
    expect(listing()).toEqual(
      [
        "registry-20260101T010000Z.tar.gz",
        "registry-20260102T010000Z.tar.gz",
        "registry-20260103T010000Z.tar",
        "notes.txt",
      ].sort(),
    );
    expect(existsSync(join(missing, "maintenance", "backup"))).toBe(false);
  });
});
