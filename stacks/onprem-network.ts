import type { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { TimeProvider } from "@cdktf/provider-time/lib/provider";
import { TlsProvider } from "@cdktf/provider-tls/lib/provider";
import { configureStateBackend } from "../lib/backend/state-backend";
import {
  keyStoreOf,
  networkRangesOf,
  parentDomain,
  privateZoneNameOf,
  registryIpOf,
} from "../lib/config/derived";
import { hasManySides } from "../lib/config/sides";
import { PrivateZone } from "../lib/dns/private-zone";
import { clusterSettingsOf } from "./settings";
import type { HybridConfig } from "../lib/config/schema";
import { publishContract, type ContractValues } from "../lib/contract/contract";
import { onpremNetworkContract } from "../lib/contract/onprem-network";
import { ONPREM_NETWORK_STACK } from "../lib/contract/stack-names";
import { ProjectServices } from "../lib/gcp/project-services";
import { RegistryBucket } from "../lib/gcp/registry-bucket";
import { REGISTRY_DEFAULT_NAME } from "../lib/registry/registry-server";
import { GARBAGE_COLLECTION_SERVICE_ACCOUNT } from "../lib/registry/garbage-collection";
import { garbageCollectionEnabled } from "../lib/config/derived";
import { SecretValue } from "../lib/gcp/secret-value";
import { NodeServiceAccount } from "../lib/gke/node-service-account";
import { PrivateGkeCluster } from "../lib/gke/private-gke-cluster";
import { CloudNat } from "../lib/network/cloud-nat";
import { CloudRouter } from "../lib/network/cloud-router";
import { Firewall } from "../lib/network/firewall";
import { HaVpnGateway } from "../lib/network/ha-vpn-gateway";
import { InternalAddress } from "../lib/network/internal-address";
import { Vpc } from "../lib/network/vpc";
import { RegistryPki } from "../lib/pki/registry-pki";
import { REGISTRY_SERVICE_PORT } from "../lib/registry/ports";

type OnpremContractValues = ContractValues<typeof onpremNetworkContract.outputs>;
type SimulatedOnprem = Extract<HybridConfig["onprem"], { mode: "simulated" }>;
type ExternalOnprem = Extract<HybridConfig["onprem"], { mode: "external" }>;

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
    const manySides = hasManySides(config);
    // With several sides the cache certificate exists before any side enables its cache, so
    // a side turning it on changes nothing here; all sides' caches share its one name.
    const cache = config.app.pullThroughCache;
    const pki = new RegistryPki(this, "registry-pki", {
      registryFqdn: config.registry.fqdn,
      ipAddresses: [registryIp],
      cacheFqdn: cache.enabled || manySides ? cache.fqdn : undefined,
      ...config.registry.pki,
    });
    // The private keys go to Secret Manager, where the workloads stacks read them: as outputs
    // they would also sit in the state of every stack that reads this one.
    const keyStoreProject = keyStoreOf(config);
    const keyStore = new GoogleProvider(this, "google-key-store", {
      alias: "keys",
      ...keyStoreProject,
    });
    const keyStoreApi = new ProjectServices(this, "key-store-services", {
      provider: keyStore,
      projectId: keyStoreProject.project,
      services: ["secretmanager.googleapis.com"],
    });
    const keySecret = (id: string, suffix: string, value: string) =>
      new SecretValue(this, id, {
        provider: keyStore,
        projectId: keyStoreProject.project,
        secretId: `${config.registry.fqdn.replace(/\./g, "-")}-${suffix}`,
        value,
        dependsOn: keyStoreApi.services,
      });
    const serverKey = keySecret("server-key", "server-key", pki.server.privateKeyPem);
    const cacheKey = pki.cache
      ? keySecret("cache-key", "cache-key", pki.cache.privateKeyPem)
      : undefined;
    const pkiValues = {
      registryFqdn: config.registry.fqdn,
      caCertificatePem: pki.ca.certificatePem,
      serverCertificatePem: pki.server.certificatePem,
      serverCertificateNotAfter: pki.server.certificate.validityEndTime,
      serverKeySecret: serverKey.secretName,
      cacheFqdn: pki.cache ? cache.fqdn : "",
      cacheCertificatePem: pki.cache?.certificatePem ?? "",
      cacheKeySecret: cacheKey?.secretName ?? "",
    };

    const networkValues =
      onprem.mode === "simulated"
        ? this.simulatedNetwork(config, onprem, registryIp)
        : externalSiteValues(onprem);
    publishContract(this, onpremNetworkContract, { ...networkValues, ...pkiValues });
  }

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

    const vpc = new Vpc(this, "vpc", {
      projectId,
      region,
      name: onprem.network.name,
      subnetCidr: onprem.network.subnetCidr,
      podsCidr: onprem.network.podsCidr,
      servicesCidr: onprem.network.servicesCidr,
      flowLogs: onprem.network.flowLogs,
      dependsOn: apis.services,
    });
    new Firewall(this, "firewall", {
      projectId,
      network: vpc.network.id,
      namePrefix: onprem.network.name,
      internalRanges: networkRangesOf(onprem.network),
      peerRanges: peerRangesOf(config),
      peerTcpPorts: [String(REGISTRY_SERVICE_PORT)],
      iapSsh: onprem.iapSsh,
    });
    const router = new CloudRouter(this, "router", {
      projectId,
      region,
      name: `${onprem.network.name}-router`,
      network: vpc.network.id,
      asn: onprem.asn,
      advertisedRanges: onprem.advertisedRanges,
    });
    new CloudNat(this, "nat", {
      projectId,
      region,
      name: `${onprem.network.name}-nat`,
      router: router.router.name,
    });
    const vpnGateway = new HaVpnGateway(this, "vpn-gateway", {
      projectId,
      region,
      name: `${onprem.network.name}-vpn`,
      network: vpc.network.id,
    });
    const cluster = new PrivateGkeCluster(this, "registry-cluster", {
      ...clusterSettingsOf(onprem),
      networkPolicy: onprem.cluster.networkPolicy,
      network: vpc.network.id,
      subnetwork: vpc.subnet.id,
      podsRangeName: vpc.podsRangeName,
      servicesRangeName: vpc.servicesRangeName,
      nodeServiceAccount: new NodeServiceAccount(this, "registry-nodes", {
        projectId,
        clusterName: onprem.cluster.name,
        dependsOn: apis.services,
      }),
      dependsOn: apis.services,
    });
    const address = new InternalAddress(this, "registry-ip", {
      projectId,
      region,
      name: `${onprem.network.name}-registry`,
      subnetwork: vpc.subnet.id,
      address: registryIp,
      description: `Internal load balancer of ${config.registry.fqdn}`,
    });

    if (manySides) {
      // Each side's zone binds its own VPC only: a VPC takes one private zone per domain.
      new PrivateZone(this, "registry-zone", {
        projectId,
        name: privateZoneNameOf(config.registry.fqdn),
        domain: parentDomain(config.registry.fqdn),
        networks: [vpc.network.selfLink],
        aRecords: [{ fqdn: config.registry.fqdn, ip: address.address }],
      });
    }

    const bucket = gcsStorage
      ? new RegistryBucket(this, "registry-bucket", {
          projectId,
          location: region,
          bucketName: gcsStorage.bucket ?? `${projectId}-registry`,
          preventDestroy: gcsStorage.preventDestroy,
          serviceAccountId: "registry-storage",
          kubernetesServiceAccount: {
            namespace: config.registry.namespace,
            name: REGISTRY_DEFAULT_NAME,
          },
          collectorServiceAccount: garbageCollectionEnabled(config.registry)
            ? { namespace: config.registry.namespace, name: GARBAGE_COLLECTION_SERVICE_ACCOUNT }
            : undefined,
          workloadPool: cluster.cluster.workloadIdentityConfig.workloadPool,
          dependsOn: apis.services,
        })
      : undefined;

    return {
      mode: "simulated",
      projectId,
      region,
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
      vpnGatewayId: vpnGateway.gateway.id,
      vpnGatewaySelfLink: vpnGateway.gateway.selfLink,
      vpnInterfaceIps: vpnGateway.interfaceIps,
      clusterName: cluster.cluster.name,
      clusterLocation: cluster.cluster.location,
      clusterEndpoint: cluster.endpoint,
      clusterCaCertificate: cluster.caCertificate,
      registryIp: address.address,
      registryBucket: bucket?.bucket.name ?? "",
      registryStorageServiceAccount: bucket?.serviceAccount.email ?? "",
    };
  }
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
