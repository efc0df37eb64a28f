import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import {
  ContainerCluster,
  type ContainerClusterConfig,
} from "@cdktf/provider-google/lib/container-cluster";
import { ContainerNodePool } from "@cdktf/provider-google/lib/container-node-pool";
import type { NodeServiceAccount } from "./node-service-account";

/**
 * How a cluster enforces NetworkPolicy: GKE's Calico addon on the legacy datapath, the
 * enforcement built into GKE Dataplane V2, or none.
 */
export type NetworkPolicyEnforcement = "calico" | "dataplane-v2" | "none";

export interface AuthorizedNetwork {
  readonly cidr: string;
  readonly displayName: string;
}

export interface NodePoolSettings {
  readonly machineType: string;
  /** Nodes per zone when `autoscaling` is not set. */
  readonly nodeCount: number;
  /**
   * Per-zone autoscaling bounds; replaces nodeCount when set.
   * @default fixed nodeCount
   */
  readonly autoscaling?: { readonly minNodes: number; readonly maxNodes: number };
  readonly diskType: string;
  readonly diskSizeGb: number;
}

/** A registry whose CA the nodes' containerd trusts, the CA PEM held in Secret Manager. */
export interface TrustedRegistry {
  readonly fqdns: string[];
  /** Secret Manager secret version URI holding the CA certificate. */
  readonly caSecretUri: string;
  /** Grants the node pool must wait for (the node service account's access to the secret). */
  readonly dependsOn: ITerraformDependable[];
}

export interface PrivateGkeClusterProps {
  readonly projectId: string;
  /** Zone (zonal cluster) or region (regional cluster). */
  readonly location: string;
  readonly name: string;
  readonly network: string;
  readonly subnetwork: string;
  readonly podsRangeName: string;
  readonly servicesRangeName: string;
  /** RFC 1918 /28 for the control plane. */
  readonly controlPlaneCidr: string;
  /**
   * Networks allowed to reach the control plane's IP endpoint.
   * @default [] (none)
   */
  readonly authorizedNetworks?: readonly AuthorizedNetwork[];
  /**
   * Enable the DNS-based control-plane endpoint, reachable from anywhere with IAM
   * (Terraform Cloud runners) without an IP allow-list.
   * @default false
   */
  readonly dnsEndpoint?: boolean;
  /** @default "REGULAR" */
  readonly releaseChannel?: string;
  /** @default the release channel's default version */
  readonly minMasterVersion?: string;
  /** @default true */
  readonly deletionProtection?: boolean;
  /**
   * How the cluster enforces NetworkPolicy. `calico` is switched on in place (GKE then recreates
   * the nodes once); `dataplane-v2` on an existing cluster replaces it (the datapath is fixed at
   * creation).
   * @default "calico"
   */
  readonly networkPolicy?: NetworkPolicyEnforcement;
  readonly nodePool: NodePoolSettings;
  /**
   * The nodes' identity. Created by the caller so that grants on other resources (the CA
   * secret) can exist before the node pool that needs them.
   */
  readonly nodeServiceAccount: NodeServiceAccount;
  /**
   * Registries whose private CA containerd on the nodes trusts (GKE >= 1.27.3-gke.1700).
   * @default none
   */
  readonly trustedRegistry?: TrustedRegistry;
  /**
   * Resources to create first (the APIs these resources need).
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A private, VPC-native GKE cluster with hardened defaults: private nodes, shielded nodes with
 * secure boot, workload identity, a dedicated least-privilege node service account and a
 * separately managed node pool.
 */
export class PrivateGkeCluster extends Construct {
  public readonly cluster: ContainerCluster;
  public readonly nodePool: ContainerNodePool;
  public readonly nodeServiceAccount: NodeServiceAccount;
  /** Control-plane endpoint for clients: the DNS endpoint when enabled, else the IP. */
  public readonly endpoint: string;
  /** Base64 PEM of the cluster CA. */
  public readonly caCertificate: string;

  constructor(scope: Construct, id: string, props: PrivateGkeClusterProps) {
    super(scope, id);
    this.nodeServiceAccount = props.nodeServiceAccount;
    const nodeIdentity = {
      serviceAccount: this.nodeServiceAccount.email,
      oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
      shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
      workloadMetadataConfig: { mode: "GKE_METADATA" },
    };

    this.cluster = new ContainerCluster(this, "cluster", {
      project: props.projectId,
      location: props.location,
      name: props.name,
      network: props.network,
      subnetwork: props.subnetwork,
      networkingMode: "VPC_NATIVE",
      ipAllocationPolicy: {
        clusterSecondaryRangeName: props.podsRangeName,
        servicesSecondaryRangeName: props.servicesRangeName,
      },
      // The default pool only exists while the cluster is created; it still must not run as
      // the Compute default service account.
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      nodeConfig: nodeIdentity,
      privateClusterConfig: {
        enablePrivateNodes: true,
        enablePrivateEndpoint: false,
        masterIpv4CidrBlock: props.controlPlaneCidr,
      },
      masterAuthorizedNetworksConfig: {
        cidrBlocks: (props.authorizedNetworks ?? []).map((network) => ({
          cidrBlock: network.cidr,
          displayName: network.displayName,
        })),
      },
      controlPlaneEndpointsConfig: props.dnsEndpoint
        ? { dnsEndpointConfig: { allowExternalTraffic: true } }
        : undefined,
      workloadIdentityConfig: { workloadPool: `${props.projectId}.svc.id.goog` },
      // Managed Service for Prometheus: its collectors scrape the PodMonitorings the workloads
      // create (on by default for new clusters since GKE 1.27; explicit so it cannot drift).
      monitoringConfig: { managedPrometheus: { enabled: true } },
      ...enforcementOf(props.networkPolicy ?? "calico"),
      enableShieldedNodes: true,
      releaseChannel: { channel: props.releaseChannel ?? "REGULAR" },
      minMasterVersion: props.minMasterVersion,
      deletionProtection: props.deletionProtection ?? true,
      dependsOn: props.dependsOn,
      // GKE reports the first node pool's config as the cluster's node_config; a difference
      // (e.g. containerd_config) would be "applied" to the deleted default pool.
      lifecycle: { ignoreChanges: ["node_config"] },
    });

    const trusted = props.trustedRegistry;
    this.nodePool = new ContainerNodePool(this, "node-pool", {
      project: props.projectId,
      location: props.location,
      cluster: this.cluster.name,
      // Node pool names are at most 40 characters and end with a letter or digit; trimming a
      // hyphen changes only names Google refused anyway.
      name: `${props.name}-pool`.slice(0, 40).replace(/-+$/, ""),
      nodeCount: props.nodePool.autoscaling ? undefined : props.nodePool.nodeCount,
      autoscaling: props.nodePool.autoscaling
        ? {
            minNodeCount: props.nodePool.autoscaling.minNodes,
            maxNodeCount: props.nodePool.autoscaling.maxNodes,
          }
        : undefined,
      management: { autoRepair: true, autoUpgrade: true },
      // Nodes start working as their account at once: its roles first (and the CA's grant).
      dependsOn: [...this.nodeServiceAccount.roleBindings, ...(trusted?.dependsOn ?? [])],
      nodeConfig: {
        ...nodeIdentity,
        machineType: props.nodePool.machineType,
        diskType: props.nodePool.diskType,
        diskSizeGb: props.nodePool.diskSizeGb,
        imageType: "COS_CONTAINERD",
        containerdConfig: trusted
          ? {
              privateRegistryAccessConfig: {
                enabled: true,
                certificateAuthorityDomainConfig: [
                  {
                    fqdns: trusted.fqdns,
                    gcpSecretManagerCertificateConfig: { secretUri: trusted.caSecretUri },
                  },
                ],
              },
            }
          : undefined,
      },
    });

    this.endpoint = props.dnsEndpoint
      ? this.cluster.controlPlaneEndpointsConfig.dnsEndpointConfig.endpoint
      : this.cluster.endpoint;
    this.caCertificate = this.cluster.masterAuth.clusterCaCertificate;
  }
}

/**
 * The cluster arguments of a NetworkPolicy enforcement. GKE offers the Calico addon only on the
 * legacy datapath (Dataplane V2 has enforcement built in and the console greys the addon out:
 * https://cloud.google.com/kubernetes-engine/docs/how-to/dataplane-v2), so
 * `dataplane-v2` sets neither the addon nor the network_policy block.
 */
function enforcementOf(
  enforcement: NetworkPolicyEnforcement,
): Pick<ContainerClusterConfig, "datapathProvider" | "networkPolicy" | "addonsConfig"> {
  switch (enforcement) {
    case "dataplane-v2":
      // ForceNew in the provider (google 6.50.0, resource_container_cluster.go:2052-2055):
      // choosing it for an existing cluster plans a replacement, which deletion protection stops.
      return { datapathProvider: "ADVANCED_DATAPATH" };
    case "calico":
      // Both update in place (resource_container_cluster.go:3389 addons_config, then :3956
      // setNetworkPolicy): the master addon first, as GKE requires, then the nodes, which GKE
      // recreates once, rolling, like an upgrade.
      return {
        networkPolicy: { enabled: true, provider: "CALICO" },
        addonsConfig: { networkPolicyConfig: { disabled: false } },
      };
    case "none":
      // Nothing set, as before this setting existed: no diff on clusters created without it.
      return {};
  }
}
