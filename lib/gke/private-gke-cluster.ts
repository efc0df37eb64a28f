import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { ContainerCluster } from "@cdktf/provider-google/lib/container-cluster";
import { ContainerNodePool } from "@cdktf/provider-google/lib/container-node-pool";
import type { NodeServiceAccount } from "./node-service-account";

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
