import { ContainerCluster } from "@cdktf/provider-google/lib/container-cluster";
import { Testing } from "cdktf";
// Type-only: brings cdktf's matchers' declarations into jest's `expect`.
import type {} from "cdktf/lib/testing/adapters/jest";
import { ContainerNodePool } from "@cdktf/provider-google/lib/container-node-pool";
import { onpremNetworkContract } from "../lib/contract/onprem-network";
import { outputName } from "../lib/contract/contract";
import { cidrContains } from "../lib/network/ipv4";
import { NODE_SERVICE_ACCOUNT_ROLES } from "../lib/gke/node-service-account";
import { configOf, stacksOf } from "./helpers/environments";
import { allStrings, resourcesOf } from "./helpers/json";

// cdktf's matchers (toHaveResourceWithProperties, ...): only this file uses them, and loading
// cdktf in every test file cost about 0.1 s each.
Testing.setupJest();

const stack = stacksOf("default")["onprem-network"];
const config = configOf("default");
if (config.mode !== "hybrid" || config.onprem.mode !== "simulated") throw new Error("fixture");
const onprem = config.onprem;

function only(type: string): Record<string, unknown> {
  const found = resourcesOf(stack, type);
  expect(found).toHaveLength(1);
  return found[0][1];
}

describe("onprem-network (simulated)", () => {
  const cluster = only("google_container_cluster");
  const pool = only("google_container_node_pool");

  it("enables the APIs it needs and keeps them on destroy", () => {
    const services = resourcesOf(stack, "google_project_service").map(([, s]) => s);
    expect(services.map((s) => s.service)).toEqual(
      expect.arrayContaining(["compute.googleapis.com", "container.googleapis.com"]),
    );
    for (const service of services) expect(service.disable_on_destroy).toBe(false);
  });

  it("creates a custom-mode VPC and a subnet with named secondary ranges and Private Google Access", () => {
    expect(only("google_compute_network").auto_create_subnetworks).toBe(false);
    const subnet = only("google_compute_subnetwork");
    expect(subnet.ip_cidr_range).toBe("10.0.0.0/24");
    expect(subnet.private_ip_google_access).toBe(true);
    expect(subnet.secondary_ip_range).toEqual([
      { range_name: "on-prem-pods", ip_cidr_range: "10.100.0.0/16" },
      { range_name: "on-prem-services", ip_cidr_range: "10.101.0.0/20" },
    ]);
  });

  it("has no 0.0.0.0/0 anywhere", () => {
    expect(allStrings(stack).filter((s) => s.includes("0.0.0.0/0"))).toEqual([]);
  });

  it("allows ICMP and the registry port only from the application side's ranges", () => {
    const peer = resourcesOf(stack, "google_compute_firewall").find(([id]) =>
      id.includes("allow-peer"),
    );
    expect(peer?.[1].source_ranges).toEqual(["10.0.1.0/24", "10.110.0.0/16", "10.111.0.0/20"]);
    expect(peer?.[1].allow).toEqual([{ protocol: "icmp" }, { protocol: "tcp", ports: ["443"] }]);
  });

  it("runs a Cloud Router with the on-prem ASN and a NAT for all subnets with error logging", () => {
    expect(only("google_compute_router").bgp).toMatchObject({
      asn: 64512,
      advertise_mode: "DEFAULT",
    });
    expect(only("google_compute_router_nat")).toMatchObject({
      source_subnetwork_ip_ranges_to_nat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
      log_config: { enable: true, filter: "ERRORS_ONLY" },
    });
  });

  it("creates the HA VPN gateway without tunnels", () => {
    only("google_compute_ha_vpn_gateway");
    expect(resourcesOf(stack, "google_compute_vpn_tunnel")).toEqual([]);
  });

  it("makes the cluster private with a /28 control plane and authorized networks from config", () => {
    expect(cluster.private_cluster_config).toEqual({
      enable_private_nodes: true,
      enable_private_endpoint: false,
      master_ipv4_cidr_block: "172.16.0.0/28",
    });
    expect(cluster.master_authorized_networks_config).toEqual({
      cidr_blocks: [{ cidr_block: "203.0.113.0/24", display_name: "ops-office" }],
    });
  });

  it("is VPC-native on the named secondary ranges", () => {
    expect(cluster.networking_mode).toBe("VPC_NATIVE");
    expect(cluster.ip_allocation_policy).toEqual({
      cluster_secondary_range_name: "on-prem-pods",
      services_secondary_range_name: "on-prem-services",
    });
  });

  it("uses shielded nodes with secure boot and workload identity", () => {
    expect(cluster.enable_shielded_nodes).toBe(true);
    expect(pool).toMatchObject({
      node_config: {
        shielded_instance_config: { enable_secure_boot: true },
        workload_metadata_config: { mode: "GKE_METADATA" },
      },
    });
    expect(cluster.workload_identity_config).toEqual({
      workload_pool: "onprem-project-123.svc.id.goog",
    });
  });

  it("keeps private, shielded defaults (cdktf matchers on the synthesized stack)", () => {
    const synthesized = JSON.stringify(stack);
    expect(synthesized).toHaveResourceWithProperties(ContainerCluster, {
      deletion_protection: true,
      enable_shielded_nodes: true,
      private_cluster_config: {
        enable_private_nodes: true,
        enable_private_endpoint: false,
        master_ipv4_cidr_block: "172.16.0.0/28",
      },
    });
    expect(synthesized).toHaveResourceWithProperties(ContainerNodePool, {
      management: { auto_repair: true, auto_upgrade: true },
    });
  });

  it("ignores the node_config GKE reports from the first node pool", () => {
    expect(cluster.lifecycle).toEqual({ ignore_changes: ["node_config"] });
  });

  it("creates the node service account and its grants after the APIs are enabled", () => {
    // The on-prem project's services (the key store's API is in the application project).
    const services = resourcesOf(stack, "google_project_service")
      .filter(([, body]) => body.provider === undefined)
      .map(([id]) => `google_project_service.${id}`);
    for (const type of ["google_service_account", "google_project_iam_member"]) {
      for (const [, resource] of resourcesOf(stack, type))
        expect([...(resource.depends_on as string[])].sort()).toEqual(services.sort());
    }
  });

  it("removes the default pool, keeps deletion protection on and follows a release channel", () => {
    expect(cluster.remove_default_node_pool).toBe(true);
    expect(cluster.deletion_protection).toBe(true);
    expect(cluster.release_channel).toEqual({ channel: "REGULAR" });
    expect(pool).toMatchObject({ node_count: 1, node_config: { machine_type: "e2-standard-2" } });
  });

  it("runs nodes as a dedicated service account with only the needed roles", () => {
    const account = resourcesOf(stack, "google_service_account");
    expect(account).toHaveLength(1);
    const accountRef = `\${google_service_account.${account[0][0]}.email}`;
    expect(pool).toMatchObject({ node_config: { service_account: accountRef } });
    expect(cluster).toMatchObject({ node_config: { service_account: accountRef } });
    const roles = resourcesOf(stack, "google_project_iam_member").map(([, m]) => m.role);
    expect(roles.sort()).toEqual([...NODE_SERVICE_ACCOUNT_ROLES].sort());
  });

  it("offers the DNS-based control-plane endpoint when asked", () => {
    const dns = stacksOf("artifactRegistry")["onprem-network"];
    const [[, withDns]] = resourcesOf(dns, "google_container_cluster");
    expect(withDns.control_plane_endpoints_config).toEqual({
      dns_endpoint_config: { allow_external_traffic: true },
    });
    expect(cluster.control_plane_endpoints_config).toBeUndefined();
  });

  it("reserves the registry IP inside the subnet", () => {
    const address = only("google_compute_address");
    expect(address.address_type).toBe("INTERNAL");
    expect(cidrContains(onprem.network.subnetCidr, String(address.address))).toBe(true);
    expect(address.address).toBe("10.0.0.10");
  });

  describe("registry PKI", () => {
    const keys = resourcesOf(stack, "tls_private_key").map(([, k]) => k);
    const ca = only("tls_self_signed_cert");
    const request = only("tls_cert_request");
    const server = only("tls_locally_signed_cert");

    it("uses ECDSA P-256 keys by default", () => {
      for (const key of keys)
        expect(key).toMatchObject({ algorithm: "ECDSA", ecdsa_curve: "P256" });
    });

    it("makes the CA certificate a CA limited to signing", () => {
      expect(ca.is_ca_certificate).toBe(true);
      expect(ca.allowed_uses).toEqual(["cert_signing", "crl_signing"]);
    });

    it("puts the registry FQDN and the registry IP in the SANs", () => {
      expect(request.dns_names).toEqual(["registry.onprem.internal"]);
      expect(request.ip_addresses).toEqual(["10.0.0.10"]);
    });

    it("signs a server-auth certificate with early renewal from config", () => {
      expect(server.allowed_uses).toContain("server_auth");
      expect(server.validity_period_hours).toBe(365 * 24);
      expect(server.early_renewal_hours).toBe(30 * 24);
    });

    it("supports RSA keys as an option", () => {
      const rsa = stacksOf("externalPeer")["onprem-network"];
      const rsaKeys = resourcesOf(rsa, "tls_private_key").map(([, k]) => k);
      expect(rsaKeys.length).toBeGreaterThan(0);
      for (const key of rsaKeys)
        expect(key).toEqual({ algorithm: "RSA", rsa_bits: 4096, "//": key["//"] });
    });
  });

  it("publishes every contract output with its declared sensitivity", () => {
    for (const [key, spec] of Object.entries(onpremNetworkContract.outputs)) {
      const output = stack.output?.[outputName(key)];
      expect(output).toBeDefined();
      expect(Boolean(output?.sensitive)).toBe(spec.sensitive);
    }
    // No private key is an output: consumers that read this state never store one.
    expect(Object.keys(stack.output ?? {}).filter((name) => name.includes("private_key"))).toEqual(
      [],
    );
    expect(stack.output?.server_key_secret.value).toMatch(
      /^\$\{google_secret_manager_secret\.server-key_secret_\w+\.id\}$/,
    );
  });

  it("keeps the private keys in Secret Manager of the application project, after its API", () => {
    const secrets = resourcesOf(stack, "google_secret_manager_secret");
    expect(secrets.map(([, body]) => body.secret_id)).toEqual([
      "registry-onprem-internal-server-key",
    ]);
    for (const [, body] of secrets) {
      expect(body).toMatchObject({ project: "app-project-123", provider: "google.keys" });
      expect(String(body.depends_on)).toContain("key-store-services_secretmanagergoogleapiscom");
    }
    const [[, version]] = resourcesOf(stack, "google_secret_manager_secret_version");
    expect(version.secret_data).toMatch(
      /tls_private_key\.registry-pki_server_key_\w+\.private_key_pem/,
    );
  });
});

describe("onprem-network (external)", () => {
  const external = stacksOf("externalPeer")["onprem-network"];

  it("creates no GCP resources but the key store in the application project, and the PKI", () => {
    const types = Object.keys(external.resource ?? {});
    expect(types.filter((type) => type.startsWith("google_")).sort()).toEqual([
      "google_project_service",
      "google_secret_manager_secret",
      "google_secret_manager_secret_version",
    ]);
    for (const type of types.filter((t) => t.startsWith("google_"))) {
      for (const [, body] of resourcesOf(external, type)) expect(body.provider).toBe("google.keys");
    }
    expect(types).toContain("tls_locally_signed_cert");
  });

  it("publishes the site's ranges, device IPs, ASN and registry IP from config", () => {
    expect(external.output?.mode.value).toBe("external");
    expect(external.output?.vpn_interface_ips.value).toEqual(["198.51.100.10", "198.51.100.11"]);
    expect(external.output?.asn.value).toBe(65010);
    expect(external.output?.registry_ip.value).toBe("192.168.10.20");
    expect(external.output?.network_cidrs.value).toEqual(["192.168.10.0/24", "192.168.20.0/24"]);
  });
});
