/**
 * Maintenance and monitoring: garbage collection, backups (snapshots, archives), metrics and
 * alert policies, with their schedules and time zones. Their cross-field rules are in ./rules.ts.
 */
import { z } from "zod";
import { cronScheduleProblem } from "./cron-schedule";
import { GO_DURATION_MAX_SECONDS, goParseDurationAccepts } from "../core/go-duration";
import { timeZoneProblem } from "./time-zone";
import { distinct, imageRef, k8sName, labels, same } from "../core/fields";

/**
 * A CronJob schedule with its default, explained in `description`: checked field by field the
 * way the API server parses it (robfig/cron ParseStandard, lib/config/cron-schedule.ts).
 */
function cronSchedule(defaultValue: string, description: string) {
  return z
    .string()
    .superRefine((schedule, context) => {
      const problem = cronScheduleProblem(schedule);
      if (problem) {
        context.addIssue({
          code: "custom",
          message: `is not a schedule Kubernetes accepts: ${problem} (e.g. ${defaultValue}, or a macro such as @daily)`,
        });
      }
    })
    .default(defaultValue)
    .meta({ description });
}

/** The IANA time zone of a CronJob's schedule, spelt exactly (Go's time.LoadLocation). */
function timeZone() {
  return z
    .string()
    .superRefine((zone, context) => {
      const problem = timeZoneProblem(zone);
      if (problem) context.addIssue({ code: "custom", message: problem });
    })
    .default("Etc/UTC")
    .meta({ description: "IANA time zone of the schedule, spelt exactly. @default Etc/UTC" });
}

/** Snapshots of the registry's disk and archives of its storage (registry.backup). */
export const backup = z
  .strictObject({
    snapshots: z
      .strictObject({
        enabled: z.boolean().optional().meta({
          description:
            "A daily Compute Engine snapshot schedule on the registry's Persistent Disk (simulated on-prem on GKE, pvc storage). @default true there",
        }),
        startTime: z
          .string()
          .regex(/^([01][0-9]|2[0-3]):00$/, { message: "must be a full hour in UTC, e.g. 02:00" })
          .default("02:00")
          .meta({
            description: "When the daily snapshot starts (UTC, full hour). @default 02:00",
          }),
        retentionDays: z.number().int().min(1).max(3650).default(14).meta({
          description: "Days each snapshot is kept. @default 14",
        }),
      })
      .prefault({}),
    archive: z
      .strictObject({
        enabled: z.boolean().default(false).meta({
          description:
            "A CronJob that archives the registry's storage (a plain tar, registry read-only while it copies) onto an existing claim. Any cluster with pvc or hostPath storage. @default false",
        }),
        claimName: k8sName.optional().meta({
          description:
            "Existing PersistentVolumeClaim in the registry namespace for the archives, ideally on other storage than the registry's (NFS, another array).",
        }),
        schedule: cronSchedule(
          "0 1 * * *",
          "When to archive (cron, in timeZone). @default 0 1 * * * (01:00 daily)",
        ),
        timeZone: timeZone(),
        keep: z.number().int().min(1).max(365).default(7).meta({
          description: "Archives kept on the claim; older ones are deleted. @default 7",
        }),
        deadlineMinutes: z.number().int().min(5).max(1440).default(60).meta({
          description:
            "Longest archive run, in minutes (5 to 1440): then Kubernetes stops the job (activeDeadlineSeconds), the unfinished archive is deleted and pushes are accepted again. Pushes are refused for up to this long: size it from the archive time the job logs (README, Backup and restore). @default 60",
        }),
      })
      .prefault({}),
  })
  .prefault({});

/** Scraping of the registry's and the cache's metrics (registry.metrics). */
export const metrics = z
  .strictObject({
    podMonitoring: z.boolean().default(true).meta({
      description:
        "A PodMonitoring (Google Cloud Managed Service for Prometheus) for the registry and the cache, created only where its CRD is installed. @default true",
    }),
    serviceMonitor: z.boolean().default(true).meta({
      description:
        "A ServiceMonitor (Prometheus operator) and a metrics Service, the ServiceMonitor created only where its CRD is installed. @default true",
    }),
    serviceMonitorLabels: labels.default({}).meta({
      description:
        "Labels your Prometheus selects ServiceMonitors by (kube-prometheus-stack: release: <release name>). @default {}",
    }),
    // Prometheus parses it into a Go time.Duration (prometheus/common model.ParseDuration):
    // past Go's largest duration the collector refuses the whole configuration.
    interval: z
      .string()
      .regex(/^[1-9][0-9]*(s|m)$/, { message: "must be a duration such as 30s or 1m" })
      .refine(goParseDurationAccepts, {
        message: `is longer than the collector accepts (at most ${GO_DURATION_MAX_SECONDS}s, Go's largest duration)`,
      })
      .default("30s")
      .meta({ description: "Scrape interval. @default 30s" }),
  })
  .prefault({});

/** Deleting blobs no manifest references (registry.garbageCollection). */
export const garbageCollection = z
  .strictObject({
    enabled: z.boolean().optional().meta({
      description:
        "A CronJob that deletes blobs no manifest references, with the registry read-only while it runs (pvc, hostPath: pushes get 503; s3, gcs: every replica is rolled into Distribution's read-only mode and back, pushes get 405). Not with emptyDir storage. @default true with pvc or hostPath storage, false otherwise",
    }),
    schedule: cronSchedule(
      "30 3 * * 0",
      "When to collect (cron, in timeZone). Pushes are refused for the run's length: pick a quiet hour. @default 30 3 * * 0 (Sunday 03:30)",
    ),
    timeZone: timeZone(),
    apiClientImage: imageRef.default("curlimages/curl:8.14.1").meta({
      description:
        "With s3 or gcs storage: image with sh and curl that rolls the registry into read-only mode and back through the Kubernetes API (the collector itself comes from registry.image). @default curlimages/curl:8.14.1",
    }),
    deleteUntagged: z.boolean().default(false).meta({
      description:
        "Also delete manifests no tag points to (an overwritten tag's old image), then their layers. Clients that pull such images by digest lose them. @default false",
    }),
    dryRun: z.boolean().default(false).meta({
      description: "Only log what would be deleted; the registry stays writable. @default false",
    }),
  })
  .prefault({});

const ratio = z.number().gt(0).lt(1);

export const alerts = z
  .strictObject({
    enabled: z.boolean().default(false).meta({
      description:
        "Cloud Monitoring alert policies in the application project: registry down, 5xx rate, storage filling up (simulated on-prem), server certificate due for renewal, VPN tunnel and BGP session down. @default false",
    }),
    // Addresses are matched without case: Google delivers A@x and a@x to one mailbox.
    emails: z
      .array(z.email())
      .superRefine(distinct((email) => email.toLowerCase()))
      .default([])
      .meta({
        description: "Addresses to notify; each gets an email notification channel. @default []",
      }),
    notificationChannels: z
      .array(
        z.string().regex(/^projects\/[a-z][-a-z0-9]{4,28}[a-z0-9]\/notificationChannels\/\d+$/, {
          message: "must be a full channel name: projects/<project>/notificationChannels/<id>",
        }),
      )
      .superRefine(distinct(same))
      .default([])
      .meta({
        description:
          "Existing channels (Slack, PagerDuty, ...) of the application project to notify as well. @default []",
      }),
    serverErrorRatio: ratio.default(0.05).meta({
      description:
        "Alert when this share of the registry's requests fails with 5xx for 10 minutes. @default 0.05",
    }),
    side: z.string().optional().meta({
      description:
        "With sides: the side whose project gets the registry and certificate alerts (each side gets its own VPN alerts). @default the first side",
    }),
    storageUtilization: ratio.default(0.8).meta({
      description:
        "Alert when the registry's volume is fuller than this for 15 minutes. @default 0.8",
    }),
  })
  .prefault({})
  .meta({ description: "Cloud Monitoring alert policies and whom they notify" });
