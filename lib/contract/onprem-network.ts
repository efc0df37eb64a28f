import { defineContract } from "./contract";
import { ONPREM_NETWORK_STACK } from "./stack-names";

const value = (description: string) => ({ type: "string", sensitive: false, description }) as const;
const list = (description: string) => ({ type: "list", sensitive: false, description }) as const;

/**
 * What onprem-network publishes. In `external` mode the GCP-only values (network, router,
 * cluster) are empty strings and `vpnInterfaceIps` holds the device's public IPs, so the
 * consumers read one uniform contract.
 */
export const onpremNetworkContract = defineContract(ONPREM_NETWORK_STACK, {
  mode: value("simulated (GCP VPC stand-in) or external (a real data centre)"),
  projectId: value("GCP project of the simulated on-prem side"),
  region: value("Region of the on-prem side"),
  networkName: value("VPC name"),
  networkId: value("VPC id"),
  networkSelfLink: value("VPC self link"),
  subnetName: value("Subnet name"),
  subnetSelfLink: value("Subnet self link"),
  subnetCidr: value("Primary subnet range"),
  podsRangeName: value("Secondary range name for pods"),
  servicesRangeName: value("Secondary range name for services"),
  networkCidrs: list("Every on-prem range that may cross the VPN (subnet, pods, services)"),
  routerName: value("Cloud Router name; the cloud side adds its interfaces and BGP peers"),
  asn: { type: "number", sensitive: false, description: "BGP ASN of the on-prem side" },
  vpnGatewayId: value("HA VPN gateway id"),
  vpnGatewaySelfLink: value("HA VPN gateway self link"),
  vpnInterfaceIps: list("Public IPs of the on-prem VPN interfaces, in interface order"),
  clusterName: value("Registry cluster name"),
  clusterLocation: value("Registry cluster location"),
  clusterEndpoint: value("Registry cluster control-plane endpoint (IP or DNS name)"),
  clusterCaCertificate: value("Registry cluster CA certificate (base64 PEM)"),
  registryIp: value("Reserved internal IP of the registry's load balancer"),
  registryFqdn: value("Registry host name, as in the server certificate"),
  caCertificatePem: value("Registry CA certificate (PEM)"),
  serverCertificatePem: value("Registry server certificate (PEM)"),
  serverCertificateNotAfter: value(
    "End of the registry server certificate's validity (RFC 3339), for the renewal alert",
  ),
  serverKeySecret: value(
    "Secret Manager secret (projects/<cloud project>/secrets/<id>) holding the registry server's private key: not an output, so consumers that do not need it never store it",
  ),
  registryBucket: value(
    "Cloud Storage bucket of the registry's images (gcs storage; empty otherwise)",
  ),
  registryStorageServiceAccount: value(
    "Google service account the registry acts as through Workload Identity (gcs storage; empty otherwise)",
  ),
  cacheFqdn: value("Pull-through cache host name, as in its certificate"),
  cacheCertificatePem: value("Pull-through cache server certificate (PEM)"),
  cacheKeySecret: value(
    "Secret Manager secret holding the pull-through cache's private key (empty without the cache)",
  ),
});
