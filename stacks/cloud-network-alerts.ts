import type { Construct } from "constructs";
import { Op, Token } from "cdktf";
import { MonitoringMonitoredProject } from "@cdktf/provider-google/lib/monitoring-monitored-project";
import { StaticResource } from "@cdktf/provider-time/lib/static-resource";
import { garbageCollectionEnabled, isVolumeStorage } from "../lib/config/derived";
import { hasManySides, type ApplicationSide } from "../lib/config/sides/application-sides";
import type { Config, HybridConfig } from "../lib/config/schema";
import type { ContractReader } from "../lib/contract/contract";
import type { onpremNetworkContract } from "../lib/contract/onprem-network";
import { ONPREM_NETWORK_STACK, REGISTRY_STACK, WORKLOADS_STACK } from "../lib/contract/stack-names";
import type { ProjectServices } from "../lib/gcp/project-services";
import type { VpnLink } from "../lib/network/vpn-link";
import {
  type AlertRule,
  certificateAlertRule,
  registryAlertRules,
  vpnAlertRules,
} from "../lib/monitoring/alert-rules";
import { cacheAlertRules } from "../lib/monitoring/cache-alert-rules";
import { EmailNotificationChannels } from "../lib/monitoring/email-notification-channels";
import {
  maintenanceAlertRules,
  type MaintenanceJobWatch,
} from "../lib/monitoring/maintenance-alert-rules";
import { PromqlAlertPolicy } from "../lib/monitoring/promql-alert-policy";
import { REGISTRY_SCRAPE_JOB } from "../lib/monitoring/scrape-targets";
import { BACKUP_JOB_NAME } from "../lib/registry/backup-job";
import { GARBAGE_COLLECTION_JOB_NAME } from "../lib/registry/garbage-collection";
import { READ_ONLY_ENV } from "../lib/registry/read-only-rollout";
import { MAINTENANCE_FLAGS } from "../lib/registry/registry-paths";

/** What the alerts watch besides the config. */
export interface WatchedParts {
  readonly onprem: ContractReader<(typeof onpremNetworkContract)["outputs"]>;
  /** The APIs the policies wait for. */
  readonly apis: ProjectServices;
  readonly vpn: VpnLink;
}

/** Whether this side's project gets the registry's alerts: the one side, or alerts.side. */
function watchesRegistry(config: HybridConfig, side: ApplicationSide): boolean {
  if (side.single) return true;
  const [first] = Object.keys(config.sides ?? {});
  return side.name === (config.alerts.side ?? first);
}

/**
 * The registry's maintenance CronJobs as the workloads create them (stacks/registry-workloads.ts),
 * with their Jobs' activeDeadlineSeconds: MaintenanceCronJob's default of one hour for
 * collection, the configured one for archives.
 */
export function maintenanceJobsOf(registry: Config["registry"]): MaintenanceJobWatch[] {
  const archive = registry.backup.archive;
  return [
    ...(garbageCollectionEnabled(registry)
      ? [
          {
            cronJob: GARBAGE_COLLECTION_JOB_NAME,
            deadlineSeconds: 3600,
            readOnly: isVolumeStorage(registry.storage.type)
              ? { flag: MAINTENANCE_FLAGS.garbageCollection }
              : { env: READ_ONLY_ENV.name },
          },
        ]
      : []),
    ...(archive.enabled && archive.claimName
      ? [
          {
            cronJob: BACKUP_JOB_NAME,
            deadlineSeconds: archive.deadlineMinutes * 60,
            readOnly: { flag: MAINTENANCE_FLAGS.backup },
          },
        ]
      : []),
  ];
}

/**
 * Alert policies in the application project. With a simulated on-prem, its project joins this
 * project's metrics scope, so the registry's metrics (Managed Service for Prometheus on the
 * registry cluster) and both VPN ends are visible here and one set of channels serves all.
 * With several sides, each watches its own VPN and one (alerts.side) the registry.
 */
export function addAlerting(
  stack: Construct,
  config: HybridConfig,
  side: ApplicationSide,
  watched: WatchedParts,
): void {
  const { alerts } = config;
  const { cloud } = side;
  const dependsOn = watched.apis.services;
  const channels = [
    ...new EmailNotificationChannels(stack, "alert-emails", {
      project: cloud.projectId,
      emails: alerts.emails,
      dependsOn,
    }).names,
    // A policy notifies channels of its own project only (validate.ts checks each belongs to a side).
    ...alerts.notificationChannels.filter((channel) =>
      channel.startsWith(`projects/${cloud.projectId}/`),
    ),
  ];
  const rules = [
    ...vpnAlertRules(watched.vpn.namePatterns),
    ...(watchesRegistry(config, side) ? watchRegistry(stack, config, side, watched) : []),
    // Each side's cache is in its own cluster, watched by that side.
    ...(side.app.pullThroughCache.enabled
      ? cacheAlertRules({
          storageUtilization: config.alerts.storageUtilization,
          volumeMetrics: "gke",
          cluster: side.cloud.cluster.name,
          scraped: config.registry.metrics.podMonitoring,
        })
      : []),
  ];
  for (const rule of rules) {
    new PromqlAlertPolicy(stack, `alert-${rule.id}`, {
      rule,
      project: cloud.projectId,
      notificationChannels: channels,
      dependsOn,
    });
  }
}

/**
 * The registry's own alerts, on the side that watches it. With a simulated on-prem, its
 * project joins this project's metrics scope so the registry's metrics are visible here.
 */
function watchRegistry(
  stack: Construct,
  config: HybridConfig,
  side: ApplicationSide,
  { onprem, apis }: WatchedParts,
): AlertRule[] {
  const rules: AlertRule[] = [];
  if (config.onprem.mode === "simulated") {
    new MonitoringMonitoredProject(stack, "onprem-metrics", {
      metricsScope: `locations/global/metricsScopes/${side.cloud.projectId}`,
      name: onprem.string("projectId"),
      dependsOn: apis.services,
    });
    rules.push(
      ...registryAlertRules({
        namespace: config.registry.namespace,
        job: REGISTRY_SCRAPE_JOB,
        serverErrorRatio: config.alerts.serverErrorRatio,
        storageUtilization: config.alerts.storageUtilization,
      }),
      // Needs kube-state-metrics with Job metrics in the registry's cluster (README).
      ...maintenanceAlertRules({
        namespace: config.registry.namespace,
        jobs: maintenanceJobsOf(config.registry),
      }),
    );
  }
  // The renewal window opens earlyRenewalDays before the end of the server certificate.
  const notAfter = new StaticResource(stack, "server-certificate-not-after", {
    rfc3339: onprem.string("serverCertificateNotAfter"),
  });
  const renewalStart = Op.sub(notAfter.unix, config.registry.pki.earlyRenewalDays * 86400);
  rules.push(
    certificateAlertRule(Token.asString(renewalStart), "registry server certificate", {
      issuedBy: ONPREM_NETWORK_STACK,
      servedBy: hasManySides(config) ? REGISTRY_STACK : WORKLOADS_STACK,
      alertIn: side.networkStack,
    }),
  );
  return rules;
}
