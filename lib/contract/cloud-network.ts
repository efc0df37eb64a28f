import { defineContract } from "./contract";
import { CLOUD_NETWORK_STACK } from "./stack-names";

const value = (description: string) => ({ type: "string", sensitive: false, description }) as const;

const CLOUD_NETWORK_OUTPUTS = {
  projectId: value("GCP project of the application side"),
  region: value("Region of the application side"),
  networkName: value("Application VPC name"),
  networkSelfLink: value("Application VPC self link"),
  clusterName: value("Application cluster name"),
  clusterLocation: value("Application cluster location"),
  clusterEndpoint: value("Application cluster control-plane endpoint (IP or DNS name)"),
  clusterCaCertificate: value("Application cluster CA certificate (base64 PEM)"),
  dnsZoneName: value("Cloud DNS private zone holding the registry record"),
  dnsDomain: value("Domain of the private zone, with the trailing dot"),
  registryFqdn: value("Registry host name the application cluster pulls from"),
  cacheIp: value("Reserved internal IP of the pull-through cache (empty when disabled)"),
  artifactRegistryUrl: value("Docker repository URL in Artifact Registry (empty when disabled)"),
  artifactRegistryDockerConfigJson: {
    type: "string",
    sensitive: true,
    description: "Ready .dockerconfigjson for clusters outside GKE (empty unless externalReader)",
  },
} as const;

/** What an application side's network stack publishes for its workloads stack. */
export function cloudNetworkContractOf(stackName: string) {
  return defineContract(stackName, CLOUD_NETWORK_OUTPUTS);
}

/** The contract of the one side's cloud-network stack (the `cloud:` form). */
export const cloudNetworkContract = cloudNetworkContractOf(CLOUD_NETWORK_STACK);
