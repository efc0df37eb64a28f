/**
 * Maintenance and monitoring rules across fields: alert channels per project, backups that fit
 * the storage, snapshot schedule names.
 */
import { isVolumeStorage } from "../derived";
import type { SemanticView } from "../semantic-view";
import { ConfigProblem } from "../core/problem";
import { Registry } from "../registry/rules";
import { GCP_RESOURCE_NAME, SNAPSHOT_POLICY_SUFFIX } from "../derived-names";

/**
 * Alert policies live in the application sides' projects, and a policy notifies channels of
 * its own project only: each given channel must belong to a side's project.
 */
export function alertProblems(view: SemanticView): ConfigProblem[] {
  const alerts = view.alerts;
  const projects = [
    ...new Set(view.sides.flatMap((side) => (side.projectId ? [side.projectId] : []))),
  ];
  if (!alerts || projects.length === 0) return [];
  const problems: ConfigProblem[] = alerts.notificationChannels.flatMap((channel, index) =>
    projects.some((project) => channel.startsWith(`projects/${project}/`))
      ? []
      : [
          {
            path: `alerts.notificationChannels.${String(index)}`,
            value: channel,
            message:
              projects.length === 1
                ? `is not a channel of the application project ${projects[0]}, where the alert policies are`
                : `is not a channel of any application side's project (${projects.join(", ")}), where the alert policies are`,
            hint: `use a channel of projects/${projects[0]}, or list an address in alerts.emails`,
          },
        ],
  );
  if (alerts.side !== undefined && !view.declares.sides) {
    problems.push({
      path: "alerts.side",
      value: alerts.side,
      message: "is only for sides: with cloud, the one side gets every alert",
      hint: "remove alerts.side",
    });
  } else if (alerts.side !== undefined && !view.sides.some((side) => side.name === alerts.side)) {
    problems.push({
      path: "alerts.side",
      value: alerts.side,
      message: "names no side under sides",
      hint: `use one of ${view.sides.map((side) => side.name).join(", ")}`,
    });
  }
  return problems;
}

/** Snapshots need the GKE Persistent Disk; archives a claim to write to and a volume to read. */
export function backupProblems(view: SemanticView, registry: Registry): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { snapshots, archive } = registry.backup;
  const onGkeDisk =
    view.mode === "hybrid" && view.onprem?.mode === "simulated" && registry.storage.type === "pvc";
  if (snapshots.enabled === true && !onGkeDisk) {
    problems.push({
      path: "registry.backup.snapshots.enabled",
      value: true,
      message:
        "needs the registry on a GKE Persistent Disk (hybrid mode, simulated on-prem, pvc storage)",
      hint: "use registry.backup.archive, or your storage's own snapshots (docs/operations.md, Backup and restore)",
    });
  }
  if (archive.enabled && archive.claimName === undefined) {
    problems.push({
      path: "registry.backup.archive.claimName",
      value: undefined,
      message: "is required when registry.backup.archive.enabled is true",
      hint: "create a PersistentVolumeClaim for the archives in the registry namespace and name it here",
    });
  }
  if (archive.enabled && !isVolumeStorage(registry.storage.type)) {
    problems.push({
      path: "registry.backup.archive.enabled",
      value: true,
      message:
        registry.storage.type === "emptyDir"
          ? "cannot read emptyDir storage, which lives only inside the registry's pod"
          : `archives a volume; ${registry.storage.type} storage is a bucket`,
      hint:
        registry.storage.type === "emptyDir"
          ? "use registry.storage.type: pvc or hostPath"
          : "use the bucket's versioning and replication (docs/operations.md, Backup and restore)",
    });
  }
  if (
    registry.storage.type === "gcs" &&
    !(view.mode === "hybrid" && view.onprem?.mode === "simulated")
  ) {
    problems.push({
      path: "registry.storage.type",
      value: "gcs",
      message:
        "is for the simulated on-prem on GKE (Workload Identity to a bucket onprem-network creates)",
      hint: "use s3 storage (any S3-compatible store) for a real site or a standalone cluster",
    });
  }
  return problems;
}

export function snapshotPolicyProblems(view: SemanticView): ConfigProblem[] {
  const registry = view.registry;
  if (!registry || view.onprem?.mode !== "simulated" || registry.storage.type !== "pvc") {
    return [];
  }
  if (registry.backup.snapshots.enabled === false) return [];
  const policy = `${registry.namespace}${SNAPSHOT_POLICY_SUFFIX}`;
  if (GCP_RESOURCE_NAME.test(policy)) return [];
  return [
    {
      path: "registry.namespace",
      value: registry.namespace,
      message: `makes the snapshot schedule name ${policy}, which Google refuses: it must start with a letter and have at most 63 characters`,
      hint: `use a namespace that starts with a letter, at most ${63 - SNAPSHOT_POLICY_SUFFIX.length} characters, or set registry.backup.snapshots.enabled: false`,
    },
  ];
}
