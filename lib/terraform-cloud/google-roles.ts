/**
 * The predefined IAM roles a stack's service account needs for each Google resource type it
 * manages (issue 23: one service account per stack, no project owner). Roles from
 * https://cloud.google.com/iam/docs/understanding-roles; kept to the narrowest predefined role
 * that holds the create, update, delete and get permissions of the type.
 */

/** Network objects: VPCs, subnets, routers and their NAT, interfaces and BGP peers, VPN. */
const NETWORK_ADMIN = "roles/compute.networkAdmin";

/** By Terraform type (data sources as `data.<type>`); every type a stack emits has an entry. */
export const GOOGLE_ROLES_BY_TYPE: Readonly<Record<string, readonly string[]>> = {
  google_compute_network: [NETWORK_ADMIN],
  google_compute_subnetwork: [NETWORK_ADMIN],
  google_compute_router: [NETWORK_ADMIN],
  google_compute_router_nat: [NETWORK_ADMIN],
  google_compute_router_interface: [NETWORK_ADMIN],
  google_compute_router_peer: [NETWORK_ADMIN],
  google_compute_ha_vpn_gateway: [NETWORK_ADMIN],
  google_compute_external_vpn_gateway: [NETWORK_ADMIN],
  google_compute_vpn_tunnel: [NETWORK_ADMIN],
  google_compute_address: [NETWORK_ADMIN],
  // compute.firewalls.* is in securityAdmin, not networkAdmin.
  google_compute_firewall: ["roles/compute.securityAdmin"],
  // Snapshot schedules: compute.resourcePolicies.* and compute.disks.addResourcePolicies.
  google_compute_resource_policy: ["roles/compute.storageAdmin"],
  google_compute_disk_resource_policy_attachment: ["roles/compute.storageAdmin"],
  // Creating nodes that run as the node service account needs iam.serviceAccounts.actAs.
  google_container_cluster: ["roles/container.clusterAdmin", "roles/iam.serviceAccountUser"],
  google_container_node_pool: ["roles/container.clusterAdmin", "roles/iam.serviceAccountUser"],
  google_service_account: ["roles/iam.serviceAccountAdmin"],
  google_service_account_iam_member: ["roles/iam.serviceAccountAdmin"],
  // The external Artifact Registry reader's key (a reader outside Google has no other way in).
  google_service_account_key: ["roles/iam.serviceAccountKeyAdmin"],
  // Grants the node and reader service accounts their roles: it can set the project's IAM
  // policy, which is why each stack has its own account (docs/security.md).
  google_project_iam_member: ["roles/resourcemanager.projectIamAdmin"],
  google_project_service: ["roles/serviceusage.serviceUsageAdmin"],
  google_secret_manager_secret: ["roles/secretmanager.admin"],
  google_secret_manager_secret_version: ["roles/secretmanager.admin"],
  google_secret_manager_secret_iam_member: ["roles/secretmanager.admin"],
  "data.google_secret_manager_secret_version": ["roles/secretmanager.secretAccessor"],
  google_dns_managed_zone: ["roles/dns.admin"],
  google_dns_record_set: ["roles/dns.admin"],
  google_storage_bucket: ["roles/storage.admin"],
  google_storage_bucket_iam_member: ["roles/storage.admin"],
  google_monitoring_alert_policy: ["roles/monitoring.editor"],
  google_monitoring_notification_channel: ["roles/monitoring.editor"],
  // monitoring.metricsScopes.link is only in monitoring.admin.
  google_monitoring_monitored_project: ["roles/monitoring.admin"],
  google_artifact_registry_repository: ["roles/artifactregistry.admin"],
  google_artifact_registry_repository_iam_member: ["roles/artifactregistry.admin"],
  // The provider's own access token: no permission of its own.
  "data.google_client_config": [],
};

/**
 * Kubernetes objects in a GKE cluster, through its (DNS-based) endpoint: Kubernetes Engine
 * Developer holds access to API objects inside clusters and container.clusters.connect
 * (https://cloud.google.com/kubernetes-engine/docs/how-to/iam#predefined); the stacks create
 * no RBAC objects, which would need Kubernetes Engine Admin.
 */
export const KUBERNETES_ROLE = "roles/container.developer";

/** The roles for `types` (Terraform types, data sources as `data.<type>`), sorted. */
export function googleRolesFor(types: Iterable<string>): string[] {
  const roles = new Set<string>();
  for (const type of types) {
    const forType = GOOGLE_ROLES_BY_TYPE[type] as readonly string[] | undefined;
    if (!forType) {
      throw new Error(
        `${type}: no IAM roles known for it; add them to lib/terraform-cloud/google-roles.ts`,
      );
    }
    forType.forEach((role) => roles.add(role));
  }
  return [...roles].sort();
}
