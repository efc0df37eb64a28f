import { backupScript } from "../lib/registry/backup-job";
import { configFrom, merge, rawEnvironment } from "./helpers/config";
import { stacksOf, type SynthName } from "./helpers/environments";
import { podSpecOfWorkload, resourcesOf } from "./helpers/json";

type Json = Record<string, unknown>;

const workloads = (name: SynthName) => stacksOf(name).workloads;

function backupJobs(name: SynthName): Json[] {
  return resourcesOf(workloads(name), "kubernetes_cron_job_v1")
    .map(([, body]) => body)
    .filter((body) => (body.metadata as Json).name === "registry-backup");
}

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
    expect((volume.metadata as Json).name).toBe(
      `\${data.kubernetes_persistent_volume_claim_v1.${claimId}.spec[0].volume_name}`,
    );
    const [[, attachment]] = resourcesOf(stack, "google_compute_disk_resource_policy_attachment");
    const handle = `data.kubernetes_persistent_volume_v1.${volumeId}.spec[0].persistent_volume_source[0].csi[0].volume_handle`;
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
    const script = ((pod.container as Json[])[0].command as string[])[2];
    expect(script).toContain(": > /var/lib/registry/maintenance/backup");
    expect(script).toContain('tar -czf "$archive.partial" -C /var/lib/registry docker &');
    expect(script).toContain("tail -n +4");
    expect(script).not.toMatch(/[$%]\{/);
    expect(job.spec).toMatchObject({ schedule: "0 1 * * *", concurrency_policy: "Forbid" });
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
    expect(at('mv "$archive.partial" "$archive"')).toBeGreaterThan(at("tar -czf"));
    expect(at("rm -f /data/maintenance/backup")).toBeGreaterThan(at('mv "$archive.partial"'));
    expect(at("for old in")).toBeGreaterThan(at("rm -f /data/maintenance/backup"));
    expect(at("trap 'rm -f /data/maintenance/backup' EXIT")).toBeLessThan(at(": > /data"));
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
