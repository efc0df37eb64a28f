import type { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { TimeProvider } from "@cdktf/provider-time/lib/provider";
import { TlsProvider } from "@cdktf/provider-tls/lib/provider";
import { configureStateBackend } from "../lib/backend/state-backend";
import {
  garbageCollectionEnabled,
  keyStoreOf,
  networkRangesOf,
  parentDomain,
  privateZoneNameOf,
  registryIpOf,
  type SimulatedOnprem,
} from "../lib/config/derived";
import { hasManySides } from "../lib/config/sides/application-sides";
import { PrivateZone } from "../lib/dns/private-zone";
import { clusterSettingsOf } from "./settings";
import { sideNetworkSettingsOf } from "./side-network-settings";
import type { HybridConfig } from "../lib/config/schema";
import { publishContract, type ContractValues } from "../lib/contract/contract";
import { onpremNetworkContract } from "../lib/contract/onprem-network";
import { ONPREM_NETWORK_STACK } from "../lib/contract/stack-names";
import { ProjectServices } from "../lib/gcp/project-services";
import { RegistryBucket } from "../lib/gcp/registry-bucket";
import { REGISTRY_DEFAULT_NAME } from "../lib/registry/registry-server";
import { GARBAGE_COLLECTION_SERVICE_ACCOUNT } from "../lib/registry/garbage-collection";
import { SecretValue } from "../lib/gcp/secret-value";
import { NodeServiceAccount } from "../lib/gke/node-service-account";
import { PrivateGkeCluster } from "../lib/gke/private-gke-cluster";
import { InternalAddress } from "../lib/network/internal-address";
import { addSideNetwork, clusterPlacementIn, type SideNetwork } from "../lib/network/side-network";
import type { Vpc } from "../lib/network/vpc";
import { RegistryPki } from "../lib/pki/registry-pki";

type OnpremContractValues = ContractValues<typeof onpremNetworkContract.outputs>;
type ExternalOnprem = Extract<HybridConfig["onprem"], { mode: "external" }>;
type GcsStorage = Extract<HybridConfig["registry"]["storage"], { type: "gcs" }>;

/** APIs the simulated on-prem side uses. */
const ONPREM_SERVICES = [
  "compute.googleapis.com",
  "container.googleapis.com",
  "iam.googleapis.com",
  "cloudresourcemanager.googleapis.com",
];

export interface OnpremNetworkStackProps {
  readonly config: HybridConfig;
}

/**
 * The on-prem side: in `simulated` mode a GCP VPC standing in for a data centre (tutorial 000),
 * in `external` mode only the registry PKI and a contract describing the real site.
 */
export class OnpremNetworkStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: OnpremNetworkStackProps) {
    super(scope, id);
    const { config } = props;
    configureStateBackend(this, ONPREM_NETWORK_STACK, config.backend, config.environment);
    new TlsProvider(this, "tls");

    const onprem = config.onprem;
    const registryIp = onprem.mode === "simulated" ? registryIpOf(onprem) : onprem.registryIp;
    const pki = addRegistryPki(this, config, registryIp);
    const keys = storeRegistryKeys(this, config, pki);
    const networkValues =
      onprem.mode === "simulated"
        ? this.simulatedNetwork(config, onprem, registryIp)
        : externalSiteValues(onprem);
    publishContract(this, onpremNetworkContract, {
      ...networkValues,
      ...registryPkiValues(config, pki, keys),
    });
  }

  /** A GCP project standing in for the data centre: the network, the registry's cluster and IP. */
  private simulatedNetwork(
    config: HybridConfig,
    onprem: SimulatedOnprem,
    registryIp: string,
  ): Omit<OnpremContractValues, keyof RegistryPkiValues> {
    const { projectId, region } = onprem;
    new GoogleProvider(this, "google", { project: projectId, region });
    const gcsStorage = config.registry.storage.type === "gcs" ? config.registry.storage : undefined;
    // The bucket's Workload Identity grant is waited for (time_sleep) before the apply ends.
    if (gcsStorage) new TimeProvider(this, "time");
    const manySides = hasManySides(config);
    const apis = new ProjectServices(this, "services", {
      projectId,
      services: [
        ...ONPREM_SERVICES,
        ...(gcsStorage ? ["storage.googleapis.com"] : []),
        ...(manySides ? ["dns.googleapis.com"] : []),
      ],
    });
    const network = addSideNetwork(this, {
      ...sideNetworkSettingsOf(onprem),
      peerRanges: peerRangesOf(config),
      dependsOn: apis.services,
    });
    const cluster = addRegistryCluster(this, onprem, network.vpc, apis);
    const address = new InternalAddress(this, "registry-ip", {
      projectId,
      region,
      name: `${onprem.network.name}-registry`,
      subnetwork: network.vpc.subnet.id,
      address: registryIp,
      description: `Internal load balancer of ${config.registry.fqdn}`,
    });
    // Each side's zone binds its own VPC only: a VPC takes one private zone per domain.
    if (manySides) addRegistryZone(this, onprem, config.registry.fqdn, network.vpc, address);
    const bucket = gcsStorage
      ? addRegistryBucket(this, config, onprem, { storage: gcsStorage, cluster, apis })
      : undefined;
    return simulatedSiteValues(onprem, network, cluster, address, bucket);
  }
}

/**
 * The registry's CA, server certificate and, when a cache may exist, the cache's certificate.
 * With several sides the cache certificate exists before any side enables its cache, so a side
 * turning it on changes nothing here; all sides' caches share its one name.
 */
function addRegistryPki(stack: Construct, config: HybridConfig, registryIp: string): RegistryPki {
  const cache = config.app.pullThroughCache;
  return new RegistryPki(stack, "registry-pki", {
    registryFqdn: config.registry.fqdn,
    ipAddresses: [registryIp],
    cacheFqdn: cache.enabled || hasManySides(config) ? cache.fqdn : undefined,
    ...config.registry.pki,
  });
}

/** The Secret Manager secrets holding the registry's private keys. */
interface RegistryKeys {
  readonly serverKey: SecretValue;
  readonly cacheKey?: SecretValue;
}

/**
 * The private keys go to Secret Manager, where the workloads stacks read them: as outputs
 * they would also sit in the state of every stack that reads this one.
 */
function storeRegistryKeys(stack: Construct, config: HybridConfig, pki: RegistryPki): RegistryKeys {
  const keyStoreProject = keyStoreOf(config);
  const keyStore = new GoogleProvider(stack, "google-key-store", {
    alias: "keys",
    ...keyStoreProject,
  });
  const keyStoreApi = new ProjectServices(stack, "key-store-services", {
    provider: keyStore,
    projectId: keyStoreProject.project,
    services: ["secretmanager.googleapis.com"],
  });
  const keySecret = (id: string, suffix: string, value: string) =>
    new SecretValue(stack, id, {
      provider: keyStore,
      projectId: keyStoreProject.project,
      secretId: `${config.registry.fqdn.replace(/\./g, "-")}-${suffix}`,
      value,
      dependsOn: keyStoreApi.services,
    });
  return {
    serverKey: keySecret("server-key", "server-key", pki.server.privateKeyPem),
    cacheKey: pki.cache ? keySecret("cache-key", "cache-key", pki.cache.privateKeyPem) : undefined,
  };
}

/** The contract's certificate entries: the PEMs, the server's end date, the keys' secrets. */
function registryPkiValues(
  config: HybridConfig,
  pki: RegistryPki,
  keys: RegistryKeys,
): RegistryPkiValues {
  return {
    registryFqdn: config.registry.fqdn,
    caCertificatePem: pki.ca.certificatePem,
    serverCertificatePem: pki.server.certificatePem,
    serverCertificateNotAfter: pki.server.certificate.validityEndTime,
    serverKeySecret: keys.serverKey.secretName,
    cacheFqdn: pki.cache ? config.app.pullThroughCache.fqdn : "",
    cacheCertificatePem: pki.cache?.certificatePem ?? "",
    cacheKeySecret: keys.cacheKey?.secretName ?? "",
  };
}

/** The private GKE cluster that runs the registry, with its nodes' service account. */
function addRegistryCluster(
  stack: Construct,
  onprem: SimulatedOnprem,
  vpc: Vpc,
  apis: ProjectServices,
): PrivateGkeCluster {
  return new PrivateGkeCluster(stack, "registry-cluster", {
    ...clusterSettingsOf(onprem),
    networkPolicy: onprem.cluster.networkPolicy,
    ...clusterPlacementIn(vpc),
    nodeServiceAccount: new NodeServiceAccount(stack, "registry-nodes", {
      projectId: onprem.projectId,
      clusterName: onprem.cluster.name,
      dependsOn: apis.services,
    }),
    dependsOn: apis.services,
  });
}

/** With several sides, the registry's own private zone, bound to the on-prem VPC only. */
function addRegistryZone(
  stack: Construct,
  onprem: SimulatedOnprem,
  fqdn: string,
  vpc: Vpc,
  address: InternalAddress,
): PrivateZone {
  return new PrivateZone(stack, "registry-zone", {
    projectId: onprem.projectId,
    name: privateZoneNameOf(fqdn),
    domain: parentDomain(fqdn),
    networks: [vpc.network.selfLink],
    aRecords: [{ fqdn, ip: address.address }],
  });
}

/**
 * The registry's bucket (gcs storage) and the service account the registry, and the garbage
 * collector when it runs, act as through Workload Identity.
 */
function addRegistryBucket(
  stack: Construct,
  config: HybridConfig,
  onprem: SimulatedOnprem,
  {
    storage,
    cluster,
    apis,
  }: { storage: GcsStorage; cluster: PrivateGkeCluster; apis: ProjectServices },
): RegistryBucket {
  const { projectId, region } = onprem;
  const { namespace } = config.registry;
  return new RegistryBucket(stack, "registry-bucket", {
    projectId,
    location: region,
    bucketName: storage.bucket ?? `${projectId}-registry`,
    preventDestroy: storage.preventDestroy,
    serviceAccountId: "registry-storage",
    kubernetesServiceAccount: { namespace, name: REGISTRY_DEFAULT_NAME },
    collectorServiceAccount: garbageCollectionEnabled(config.registry)
      ? { namespace, name: GARBAGE_COLLECTION_SERVICE_ACCOUNT }
      : undefined,
    workloadPool: cluster.cluster.workloadIdentityConfig.workloadPool,
    dependsOn: apis.services,
  });
}

/** What the contract says of the simulated site: its network, VPN end, cluster and storage. */
function simulatedSiteValues(
  onprem: SimulatedOnprem,
  { vpc, router, gateway }: SideNetwork,
  cluster: PrivateGkeCluster,
  address: InternalAddress,
  bucket: RegistryBucket | undefined,
): Omit<OnpremContractValues, keyof RegistryPkiValues> {
  return {
    mode: "simulated",
    projectId: onprem.projectId,
    region: onprem.region,
    networkName: vpc.network.name,
    networkId: vpc.network.id,
    networkSelfLink: vpc.network.selfLink,
    subnetName: vpc.subnet.name,
    subnetSelfLink: vpc.subnet.selfLink,
    subnetCidr: vpc.subnet.ipCidrRange,
    podsRangeName: vpc.podsRangeName,
    servicesRangeName: vpc.servicesRangeName,
    networkCidrs: networkRangesOf(onprem.network),
    routerName: router.router.name,
    asn: onprem.asn,
    vpnGatewayId: gateway.gateway.id,
    vpnGatewaySelfLink: gateway.gateway.selfLink,
    vpnInterfaceIps: gateway.interfaceIps,
    clusterName: cluster.cluster.name,
    clusterLocation: cluster.cluster.location,
    clusterEndpoint: cluster.endpoint,
    clusterCaCertificate: cluster.caCertificate,
    registryIp: address.address,
    registryBucket: bucket?.bucket.name ?? "",
    registryStorageServiceAccount: bucket?.serviceAccount.email ?? "",
  };
}

/**
 * The application ranges the on-prem firewall admits: the one side's, or with several sides
 * the blocks they all lie in (a new side then changes nothing here).
 */
function peerRangesOf(config: HybridConfig): string[] {
  if (config.cloud) return networkRangesOf(config.cloud.network);
  return config.onprem.applicationRanges ?? [];
}

type RegistryPkiValues = Pick<
  OnpremContractValues,
  | "registryFqdn"
  | "caCertificatePem"
  | "serverCertificatePem"
  | "serverCertificateNotAfter"
  | "serverKeySecret"
  | "cacheFqdn"
  | "cacheCertificatePem"
  | "cacheKeySecret"
>;

/** A real site has no GCP resources here: the contract describes it from config. */
function externalSiteValues(
  onprem: ExternalOnprem,
): Omit<OnpremContractValues, keyof RegistryPkiValues> {
  return {
    mode: "external",
    projectId: "",
    region: "",
    networkName: "",
    networkId: "",
    networkSelfLink: "",
    subnetName: "",
    subnetSelfLink: "",
    subnetCidr: onprem.networkCidrs[0],
    podsRangeName: "",
    servicesRangeName: "",
    networkCidrs: onprem.networkCidrs,
    routerName: "",
    asn: onprem.asn,
    vpnGatewayId: "",
    vpnGatewaySelfLink: "",
    vpnInterfaceIps: onprem.peerInterfaces,
    clusterName: "",
    clusterLocation: "",
    clusterEndpoint: "",
    clusterCaCertificate: "",
    registryIp: onprem.registryIp,
    registryBucket: "",
    registryStorageServiceAccount: "",
  };
}
