/**
 * Google Cloud list prices (USD, on-demand, europe-west1) the estimate uses, with the date
 * they were taken from Google's pricing pages. They change: the estimate prints this date, and
 * the Google Cloud pricing calculator (https://cloud.google.com/products/calculator) is the
 * authority. Usage-based charges (traffic, NAT data processing, DNS queries, storage that
 * grows) are not in the estimate.
 */
export const PRICE_TABLE_DATE = "2025-11-01";

/** The region whose list prices the table holds; other regions' prices differ. */
export const PRICE_REGION = "europe-west1";

export const HOURS_PER_MONTH = 730;

export const PRICES = {
  /** Per HA VPN tunnel and hour (https://cloud.google.com/network-connectivity/docs/vpn/pricing). */
  vpnTunnelHour: 0.05,
  /**
   * GKE cluster management fee per cluster and hour; the free tier credits $74.40 a month per
   * billing account, one zonal cluster's fee (https://cloud.google.com/kubernetes-engine/pricing).
   */
  gkeClusterHour: 0.1,
  /** Cloud NAT per VM using the gateway and hour, up to 32 VMs (https://cloud.google.com/nat/pricing). */
  natVmHour: 0.0014,
  /**
   * External IPv4 address in use (on a standard VM or by a Cloud NAT gateway) per hour
   * (https://cloud.google.com/vpc/network-pricing#ipaddress; Cloud NAT bills the addresses its
   * gateways use at this rate on top of its per-VM fee, https://cloud.google.com/nat/pricing).
   */
  externalIpv4Hour: 0.005,
  /** Internal passthrough load balancer forwarding rule per hour (https://cloud.google.com/vpc/network-pricing). */
  forwardingRuleHour: 0.025,
  /** Cloud DNS managed zone per month, first 25 zones (https://cloud.google.com/dns/pricing). */
  dnsZoneMonth: 0.2,
  /** Secret Manager active secret version per month (https://cloud.google.com/secret-manager/pricing). */
  secretVersionMonth: 0.06,
  /** Persistent disk per GB and month, by type (https://cloud.google.com/compute/disks-image-pricing). */
  diskGbMonth: { "pd-standard": 0.044, "pd-balanced": 0.11, "pd-ssd": 0.187 } as Readonly<
    Record<string, number>
  >,
  /** Machine types per hour (https://cloud.google.com/compute/vm-instance-pricing). */
  machineHour: {
    "e2-micro": 0.0092,
    "e2-small": 0.0184,
    "e2-medium": 0.0368,
    "e2-standard-2": 0.0737,
    "e2-standard-4": 0.1474,
    "e2-standard-8": 0.2948,
    "n2-standard-2": 0.1068,
    "n2-standard-4": 0.2136,
  } as Readonly<Record<string, number>>,
} as const;

/**
 * Typical time to create each kind of resource, in minutes, from Google's documentation
 * (private GKE clusters take several minutes; node pools a few) and from creating them with
 * this project; not measured here. Resources of one stack are created in parallel where they
 * do not depend on each other: the estimate follows the longest chain.
 */
export const TYPICAL_MINUTES = {
  apis: 1.5,
  network: 1,
  vpn: 2,
  cluster: 8,
  nodePool: 4,
  iamWait: 2,
  dns: 0.5,
  registryRollout: 3,
} as const;
