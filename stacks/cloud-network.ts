import type { Construct } from "constructs";
import { Op, TerraformOutput, TerraformStack, Token } from "cdktf";
import { MonitoringMonitoredProject } from "@cdktf/provider-google/lib/monitoring-monitored-project";
import { StaticResource } from "@cdktf/provider-time/lib/static-resource";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TimeProvider } from "@cdktf/provider-time/lib/provider";
import { DockerRepository } from "../lib/artifact-registry/docker-repository";
import { ExternalReader } from "../lib/artifact-registry/external-reader";
import { configureStateBackend } from "../lib/backend/state-backend";
import {
  cacheIpOf,
  garbageCollectionEnabled,
  isVolumeStorage,
  networkRangesOf,
  parentDomain,
  privateZoneNameOf,
} from "../lib/config/derived";
import { artifactReaderAccountId } from "../lib/config/derived-names";
import { hasManySides, type ApplicationSide } from "../lib/config/sides";
import { clusterSettingsOf } from "./settings";
import type { Config, HybridConfig } from "../lib/config/schema";
import { cloudNetworkContractOf } from "../lib/contract/cloud-network";
import { ContractReader, publishContract } from "../lib/contract/contract";
import { onpremNetworkContract } from "../lib/contract/onprem-network";
import { ONPREM_NETWORK_STACK, REGISTRY_STACK, WORKLOADS_STACK } from "../lib/contract/stack-names";
import { PrivateZone } from "../lib/dns/private-zone";
import { ProjectServices } from "../lib/gcp/project-services";
import { ARTIFACT_REGISTRY_READER_ROLE, NodeServiceAccount } from "../lib/gke/node-service-account";
import { PrivateGkeCluster } from "../lib/gke/private-gke-cluster";
import { RegistryCaSecret } from "../lib/gke/registry-ca-secret";
import { CloudNat } from "../lib/network/cloud-nat";
import { CloudRouter } from "../lib/network/cloud-router";
import { Firewall } from "../lib/network/firewall";
import { HaVpnGateway } from "../lib/network/ha-vpn-gateway";
import { InternalAddress } from "../lib/network/internal-address";
import { Vpc } from "../lib/network/vpc";
import { VpnLink } from "../lib/network/vpn-link";
import { REGISTRY_SERVICE_PORT } from "../lib/registry/ports";
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
import { MAINTENANCE_FLAGS } from "../lib/registry/registry-server";

const CLOUD_SERVICES = [
  "compute.googleapis.com",
  "container.googleapis.com",
  "dns.googleapis.com",
  "secretmanager.googleapis.com",
  "iam.googleapis.com",
  "cloudresourcemanager.googleapis.com",
];

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

export interface CloudNetworkStackProps {
  readonly config: HybridConfig;
  /** The application side this stack builds. */
  readonly side: ApplicationSide;
  /** The onprem-network stack when it is in the same app (deploy ordering). */
  readonly onpremStack?: TerraformStack;
}

/**
 * An application side: VPC, HA VPN with BGP to on-prem (both directions), NAT, the registry's
 * private DNS zone, and a private GKE cluster whose nodes trust the registry CA natively.
 * Everything here is the side's own: a stack per side, so sides come and go independently.
 */
export class CloudNetworkStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: CloudNetworkStackProps) {
    super(scope, id);
    const { config, side } = props;
    const { cloud, app } = side;
    const { projectId, region } = cloud;
    configureStateBackend(this, side.networkStack, config.backend, config.environment);
    new GoogleProvider(this, "google", { project: projectId, region });
    new RandomProvider(this, "random");
    new TimeProvider(this, "time");
    const onprem = new ContractReader(this, "onprem", {
      contract: onpremNetworkContract,
      backend: config.backend,
      environment: config.environment,
      producerStack: props.onpremStack,
    });
    const apis = new ProjectServices(this, "services", {
      projectId,
      services: [
        ...CLOUD_SERVICES,
        ...(cloud.artifactRegistry.enabled ? ["artifactregistry.googleapis.com"] : []),
        ...(config.alerts.enabled ? ["monitoring.googleapis.com"] : []),
      ],
    });

    const vpc = new Vpc(this, "vpc", {
      projectId,
      region,
      ...cloud.network,
      dependsOn: apis.services,
    });
    new Firewall(this, "firewall", {
      projectId,
      network: vpc.network.id,
      namePrefix: cloud.network.name,
      internalRanges: networkRangesOf(cloud.network),
      peerRanges: onprem.list("networkCidrs"),
      peerTcpPorts: [String(REGISTRY_SERVICE_PORT)],
      iapSsh: cloud.iapSsh,
    });
    const router = new CloudRouter(this, "router", {
      projectId,
      region,
      name: `${cloud.network.name}-router`,
      network: vpc.network.id,
      asn: cloud.asn,
      advertisedRanges: cloud.advertisedRanges,
    });
    new CloudNat(this, "nat", {
      projectId,
      region,
      name: `${cloud.network.name}-nat`,
      router: router.router.name,
    });
    const gateway = new HaVpnGateway(this, "vpn-gateway", {
      projectId,
      region,
      name: `${cloud.network.name}-vpn`,
      network: vpc.network.id,
    });

    const vpn = new VpnLink(this, "vpn", {
      name: `${cloud.network.name}-to-onprem`,
      local: {
        projectId,
        region,
        gateway: gateway.gateway.selfLink,
        interfaceIps: gateway.interfaceIps,
        routerName: router.router.name,
        asn: cloud.asn,
      },
      peer:
        config.onprem.mode === "simulated"
          ? {
              gcp: {
                projectId: onprem.string("projectId"),
                region: onprem.string("region"),
                gateway: onprem.string("vpnGatewaySelfLink"),
                routerName: onprem.string("routerName"),
                asn: onprem.number("asn"),
                provider: new GoogleProvider(this, "google-onprem", {
                  alias: "onprem",
                  project: onprem.string("projectId"),
                  region: onprem.string("region"),
                }),
              },
            }
          : { external: { interfaceIps: config.onprem.peerInterfaces, asn: onprem.number("asn") } },
      linkLocalRange: cloud.vpn.linkLocalRange,
      advertisedRoutePriority: cloud.vpn.advertisedRoutePriority,
      dependsOn: apis.services,
    });
    if (vpn.deviceSettings.length > 0) {
      new TerraformOutput(this, "vpn_device_settings", {
        value: vpn.deviceSettings,
        sensitive: true,
        description: "Per tunnel: what the on-prem VPN device admin must configure",
      }).overrideLogicalId("vpn_device_settings");
    }

    const nodeServiceAccount = new NodeServiceAccount(this, "app-nodes", {
      projectId,
      clusterName: cloud.cluster.name,
      additionalRoles: cloud.artifactRegistry.enabled ? [ARTIFACT_REGISTRY_READER_ROLE] : [],
      dependsOn: apis.services,
    });
    const caSecret = new RegistryCaSecret(this, "registry-ca", {
      projectId,
      secretId: `${cloud.cluster.name}-registry-ca`,
      caCertificatePem: onprem.string("caCertificatePem"),
      reader: nodeServiceAccount.member,
      dependsOn: apis.services,
    });
    const cacheEnabled = app.pullThroughCache.enabled;
    const cluster = new PrivateGkeCluster(this, "app-cluster", {
      ...clusterSettingsOf(cloud),
      networkPolicy: cloud.cluster.networkPolicy,
      network: vpc.network.id,
      subnetwork: vpc.subnet.id,
      podsRangeName: vpc.podsRangeName,
      servicesRangeName: vpc.servicesRangeName,
      nodeServiceAccount,
      trustedRegistry: {
        fqdns: [config.registry.fqdn, ...(cacheEnabled ? [app.pullThroughCache.fqdn] : [])],
        caSecretUri: caSecret.versionUri,
        dependsOn: [caSecret.readableByNodes],
      },
      dependsOn: apis.services,
    });

    const cacheAddress = cacheEnabled
      ? new InternalAddress(this, "cache-ip", {
          projectId,
          region,
          name: `${cloud.network.name}-registry-cache`,
          subnetwork: vpc.subnet.id,
          address: cacheIpOf(side),
          description: `Internal load balancer of ${app.pullThroughCache.fqdn}`,
        })
      : undefined;

    // One side binds the on-prem VPC too; with several, onprem-network has its own zone (a
    // VPC takes one private zone per domain).
    const zone = new PrivateZone(this, "registry-zone", {
      projectId,
      name: privateZoneNameOf(config.registry.fqdn, side.single ? undefined : side.name),
      domain: parentDomain(config.registry.fqdn),
      networks: [
        vpc.network.selfLink,
        ...(side.single && config.onprem.mode === "simulated"
          ? [onprem.string("networkSelfLink")]
          : []),
      ],
      aRecords: [
        { fqdn: config.registry.fqdn, ip: onprem.string("registryIp") },
        ...(cacheAddress ? [{ fqdn: app.pullThroughCache.fqdn, ip: cacheAddress.address }] : []),
      ],
      ttl: cloud.dns.ttl,
    });

    const artifacts = cloud.artifactRegistry;
    const repository = artifacts.enabled
      ? new DockerRepository(this, "artifact-registry", {
          projectId,
          location: region,
          repositoryId: artifacts.repositoryId,
          keepRecentVersions: artifacts.keepRecentVersions,
          deleteUntaggedAfterDays: artifacts.deleteUntaggedAfterDays,
          dependsOn: apis.services,
        })
      : undefined;
    const externalReader =
      repository && artifacts.externalReader
        ? new ExternalReader(this, "artifact-reader", {
            projectId,
            repository,
            accountId: artifactReaderAccountId(artifacts.repositoryId),
            dependsOn: apis.services,
          })
        : undefined;

    if (config.alerts.enabled) this.alerting(config, side, onprem, apis, vpn);

    publishContract(this, cloudNetworkContractOf(side.networkStack), {
      projectId,
      region,
      networkName: vpc.network.name,
      networkSelfLink: vpc.network.selfLink,
      clusterName: cluster.cluster.name,
      clusterLocation: cluster.cluster.location,
      clusterEndpoint: cluster.endpoint,
      clusterCaCertificate: cluster.caCertificate,
      dnsZoneName: zone.zone.name,
      dnsDomain: zone.zone.dnsName,
      registryFqdn: config.registry.fqdn,
      cacheIp: cacheAddress?.address ?? "",
      artifactRegistryUrl: repository?.url ?? "",
      artifactRegistryDockerConfigJson: externalReader?.dockerConfigJson ?? "",
    });
  }

  /**
   * Alert policies in the application project. With a simulated on-prem, its project joins this
   * project's metrics scope, so the registry's metrics (Managed Service for Prometheus on the
   * registry cluster) and both VPN ends are visible here and one set of channels serves all.
   * With several sides, each watches its own VPN and one (alerts.side) the registry.
   */
  private alerting(
    config: HybridConfig,
    side: ApplicationSide,
    onprem: ContractReader<(typeof onpremNetworkContract)["outputs"]>,
    apis: ProjectServices,
    vpn: VpnLink,
  ): void {
    const { alerts } = config;
    const { cloud } = side;
    const dependsOn = apis.services;
    const channels = [
      ...new EmailNotificationChannels(this, "alert-emails", {
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
      ...vpnAlertRules(vpn.namePatterns),
      ...(watchesRegistry(config, side) ? this.registryAlertRules(config, side, onprem, apis) : []),
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
      new PromqlAlertPolicy(this, `alert-${rule.id}`, {
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
  private registryAlertRules(
    config: HybridConfig,
    side: ApplicationSide,
    onprem: ContractReader<(typeof onpremNetworkContract)["outputs"]>,
    apis: ProjectServices,
  ): AlertRule[] {
    const rules: AlertRule[] = [];
    if (config.onprem.mode === "simulated") {
      new MonitoringMonitoredProject(this, "onprem-metrics", {
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
    const notAfter = new StaticResource(this, "server-certificate-not-after", {
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
}
