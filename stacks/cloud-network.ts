import type { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TimeProvider } from "@cdktf/provider-time/lib/provider";
import { DockerRepository } from "../lib/artifact-registry/docker-repository";
import { ExternalReader } from "../lib/artifact-registry/external-reader";
import { configureStateBackend } from "../lib/backend/state-backend";
import { cacheIpOf, parentDomain, privateZoneNameOf } from "../lib/config/derived";
import { artifactReaderAccountId } from "../lib/config/derived-names";
import type { ApplicationSide } from "../lib/config/sides/application-sides";
import { clusterSettingsOf } from "./settings";
import { sideNetworkSettingsOf } from "./side-network-settings";
import { addAlerting } from "./cloud-network-alerts";
import type { CloudSection, HybridConfig } from "../lib/config/schema";
import { cloudNetworkContractOf } from "../lib/contract/cloud-network";
import { ContractReader, publishContract } from "../lib/contract/contract";
import { onpremNetworkContract } from "../lib/contract/onprem-network";
import { PrivateZone } from "../lib/dns/private-zone";
import { ProjectServices } from "../lib/gcp/project-services";
import { ARTIFACT_REGISTRY_READER_ROLE, NodeServiceAccount } from "../lib/gke/node-service-account";
import { PrivateGkeCluster } from "../lib/gke/private-gke-cluster";
import { RegistryCaSecret } from "../lib/gke/registry-ca-secret";
import { InternalAddress } from "../lib/network/internal-address";
import { addSideNetwork, clusterPlacementIn, type SideNetwork } from "../lib/network/side-network";
import type { Vpc } from "../lib/network/vpc";
import { VpnLink, type VpnLinkProps } from "../lib/network/vpn-link";

const CLOUD_SERVICES = [
  "compute.googleapis.com",
  "container.googleapis.com",
  "dns.googleapis.com",
  "secretmanager.googleapis.com",
  "iam.googleapis.com",
  "cloudresourcemanager.googleapis.com",
];

type OnpremContract = ContractReader<(typeof onpremNetworkContract)["outputs"]>;

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
    const { cloud } = side;
    addBackendAndProviders(this, config, side);
    const onprem = new ContractReader(this, "onprem", {
      contract: onpremNetworkContract,
      backend: config.backend,
      environment: config.environment,
      producerStack: props.onpremStack,
    });
    const apis = new ProjectServices(this, "services", {
      projectId: cloud.projectId,
      services: cloudServicesOf(config, cloud),
    });
    const network = addSideNetwork(this, {
      ...sideNetworkSettingsOf(cloud),
      peerRanges: onprem.list("networkCidrs"),
      dependsOn: apis.services,
    });
    const vpn = addVpnToOnprem(this, config, cloud, onprem, network, apis);
    const cluster = addApplicationCluster(this, config, side, onprem, network.vpc, apis);
    const cacheAddress = addCacheAddress(this, side, network.vpc);
    const zone = addRegistryZone(this, config, side, onprem, network.vpc, cacheAddress);
    const artifacts = addArtifactRegistry(this, cloud, apis);
    if (config.alerts.enabled) addAlerting(this, config, side, { onprem, apis, vpn });

    publishContract(this, cloudNetworkContractOf(side.networkStack), {
      projectId: cloud.projectId,
      region: cloud.region,
      networkName: network.vpc.network.name,
      networkSelfLink: network.vpc.network.selfLink,
      clusterName: cluster.cluster.name,
      clusterLocation: cluster.cluster.location,
      clusterEndpoint: cluster.endpoint,
      clusterCaCertificate: cluster.caCertificate,
      dnsZoneName: zone.zone.name,
      dnsDomain: zone.zone.dnsName,
      registryFqdn: config.registry.fqdn,
      cacheIp: cacheAddress?.address ?? "",
      artifactRegistryUrl: artifacts.repository?.url ?? "",
      artifactRegistryDockerConfigJson: artifacts.externalReader?.dockerConfigJson ?? "",
    });
  }
}

/** The side's state backend, and the providers of its project. */
function addBackendAndProviders(
  stack: TerraformStack,
  config: HybridConfig,
  side: ApplicationSide,
) {
  const { projectId, region } = side.cloud;
  configureStateBackend(stack, side.networkStack, config.backend, config.environment);
  new GoogleProvider(stack, "google", { project: projectId, region });
  new RandomProvider(stack, "random");
  new TimeProvider(stack, "time");
}

/** The APIs the side's project needs: the base set, plus those of the optional features. */
function cloudServicesOf(config: HybridConfig, cloud: CloudSection): string[] {
  return [
    ...CLOUD_SERVICES,
    ...(cloud.artifactRegistry.enabled ? ["artifactregistry.googleapis.com"] : []),
    ...(config.alerts.enabled ? ["monitoring.googleapis.com"] : []),
  ];
}

/**
 * HA VPN with BGP from the side's gateway and router to on-prem, and, for a real on-prem device,
 * the settings its admin must enter (a sensitive output).
 */
function addVpnToOnprem(
  stack: TerraformStack,
  config: HybridConfig,
  cloud: CloudSection,
  onprem: OnpremContract,
  { router, gateway }: SideNetwork,
  apis: ProjectServices,
): VpnLink {
  const { projectId, region } = cloud;
  const vpn = new VpnLink(stack, "vpn", {
    name: `${cloud.network.name}-to-onprem`,
    local: {
      projectId,
      region,
      gateway: gateway.gateway.selfLink,
      interfaceIps: gateway.interfaceIps,
      routerName: router.router.name,
      asn: cloud.asn,
    },
    peer: onpremPeerOf(stack, config, onprem),
    linkLocalRange: cloud.vpn.linkLocalRange,
    advertisedRoutePriority: cloud.vpn.advertisedRoutePriority,
    dependsOn: apis.services,
  });
  if (vpn.deviceSettings.length > 0) {
    new TerraformOutput(stack, "vpn_device_settings", {
      value: vpn.deviceSettings,
      sensitive: true,
      description: "Per tunnel: what the on-prem VPN device admin must configure",
    }).overrideLogicalId("vpn_device_settings");
  }
  return vpn;
}

/**
 * The VPN's on-prem end: the simulated side's gateway and router (this stack builds both
 * directions, through a provider for the on-prem project), or the real site's device.
 */
function onpremPeerOf(
  stack: TerraformStack,
  config: HybridConfig,
  onprem: OnpremContract,
): VpnLinkProps["peer"] {
  if (config.onprem.mode !== "simulated") {
    return { external: { interfaceIps: config.onprem.peerInterfaces, asn: onprem.number("asn") } };
  }
  return {
    gcp: {
      projectId: onprem.string("projectId"),
      region: onprem.string("region"),
      gateway: onprem.string("vpnGatewaySelfLink"),
      routerName: onprem.string("routerName"),
      asn: onprem.number("asn"),
      provider: new GoogleProvider(stack, "google-onprem", {
        alias: "onprem",
        project: onprem.string("projectId"),
        region: onprem.string("region"),
      }),
    },
  };
}

/**
 * The private GKE cluster of the applications, its nodes' service account, and the registry's
 * CA in Secret Manager, which containerd on the nodes trusts for the registry (and the cache).
 */
function addApplicationCluster(
  stack: TerraformStack,
  config: HybridConfig,
  { cloud, app }: ApplicationSide,
  onprem: OnpremContract,
  vpc: Vpc,
  apis: ProjectServices,
): PrivateGkeCluster {
  const nodeServiceAccount = new NodeServiceAccount(stack, "app-nodes", {
    projectId: cloud.projectId,
    clusterName: cloud.cluster.name,
    additionalRoles: cloud.artifactRegistry.enabled ? [ARTIFACT_REGISTRY_READER_ROLE] : [],
    dependsOn: apis.services,
  });
  const caSecret = new RegistryCaSecret(stack, "registry-ca", {
    projectId: cloud.projectId,
    secretId: `${cloud.cluster.name}-registry-ca`,
    caCertificatePem: onprem.string("caCertificatePem"),
    reader: nodeServiceAccount.member,
    dependsOn: apis.services,
  });
  const cache = app.pullThroughCache;
  return new PrivateGkeCluster(stack, "app-cluster", {
    ...clusterSettingsOf(cloud),
    networkPolicy: cloud.cluster.networkPolicy,
    ...clusterPlacementIn(vpc),
    nodeServiceAccount,
    trustedRegistry: {
      fqdns: [config.registry.fqdn, ...(cache.enabled ? [cache.fqdn] : [])],
      caSecretUri: caSecret.versionUri,
      dependsOn: [caSecret.readableByNodes],
    },
    dependsOn: apis.services,
  });
}

/** The reserved internal IP of the side's pull-through cache, when it has one. */
function addCacheAddress(
  stack: TerraformStack,
  side: ApplicationSide,
  vpc: Vpc,
): InternalAddress | undefined {
  const { cloud, app } = side;
  if (!app.pullThroughCache.enabled) return undefined;
  return new InternalAddress(stack, "cache-ip", {
    projectId: cloud.projectId,
    region: cloud.region,
    name: `${cloud.network.name}-registry-cache`,
    subnetwork: vpc.subnet.id,
    address: cacheIpOf(side),
    description: `Internal load balancer of ${app.pullThroughCache.fqdn}`,
  });
}

/** The private DNS zone with the registry's name (and the side's cache's). */
function addRegistryZone(
  stack: TerraformStack,
  config: HybridConfig,
  side: ApplicationSide,
  onprem: OnpremContract,
  vpc: Vpc,
  cacheAddress: InternalAddress | undefined,
): PrivateZone {
  const { fqdn } = config.registry;
  // One side binds the on-prem VPC too; with several, onprem-network has its own zone (a
  // VPC takes one private zone per domain).
  return new PrivateZone(stack, "registry-zone", {
    projectId: side.cloud.projectId,
    name: privateZoneNameOf(fqdn, side.single ? undefined : side.name),
    domain: parentDomain(fqdn),
    networks: [
      vpc.network.selfLink,
      ...(side.single && config.onprem.mode === "simulated"
        ? [onprem.string("networkSelfLink")]
        : []),
    ],
    aRecords: [
      { fqdn, ip: onprem.string("registryIp") },
      ...(cacheAddress ? [{ fqdn: side.app.pullThroughCache.fqdn, ip: cacheAddress.address }] : []),
    ],
    ttl: side.cloud.dns.ttl,
  });
}

/** The side's Artifact Registry repository and its reader from outside GCP, each when enabled. */
function addArtifactRegistry(
  stack: TerraformStack,
  cloud: CloudSection,
  apis: ProjectServices,
): { repository?: DockerRepository; externalReader?: ExternalReader } {
  const artifacts = cloud.artifactRegistry;
  if (!artifacts.enabled) return {};
  const repository = new DockerRepository(stack, "artifact-registry", {
    projectId: cloud.projectId,
    location: cloud.region,
    repositoryId: artifacts.repositoryId,
    keepRecentVersions: artifacts.keepRecentVersions,
    deleteUntaggedAfterDays: artifacts.deleteUntaggedAfterDays,
    dependsOn: apis.services,
  });
  if (!artifacts.externalReader) return { repository };
  const externalReader = new ExternalReader(stack, "artifact-reader", {
    projectId: cloud.projectId,
    repository,
    accountId: artifactReaderAccountId(artifacts.repositoryId),
    dependsOn: apis.services,
  });
  return { repository, externalReader };
}
