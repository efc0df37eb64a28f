import { estimateOf, type EstimatedStackJson } from "../lib/estimate/cost-estimate";
import {
  HOURS_PER_MONTH,
  PRICES,
  PRICE_REGION,
  PRICE_TABLE_DATE,
  TYPICAL_MINUTES,
} from "../lib/estimate/price-table";
import { renderEstimate } from "../lib/estimate/render-estimate";
import { stacksOf } from "./helpers/environments";

const itemsOf = (name: Parameters<typeof stacksOf>[0], stack: string) =>
  estimateOf(stacksOf(name)).find((estimate) => estimate.stack === stack);

const E2_STANDARD_2_MONTH = (PRICES.machineHour["e2-standard-2"] ?? NaN) * HOURS_PER_MONTH;

/** A stack of one cluster and its pool, as Terraform JSON, for the cases no environment has. */
function clusterStack(
  cluster: Record<string, unknown>,
  pool: Record<string, unknown>,
): EstimatedStackJson {
  return {
    resource: {
      google_container_cluster: { c: { name: "c", ...cluster } },
      google_container_node_pool: {
        p: {
          name: "p",
          cluster: "${google_container_cluster.c.name}",
          node_config: { machine_type: "e2-standard-2" },
          ...pool,
        },
      },
    },
  };
}

const nodesIn = (stack: EstimatedStackJson) =>
  estimateOf({ s: stack })[0]?.items.find((item) => item.what === "e2-standard-2 nodes (p)");

describe("npm run estimate", () => {
  it("counts the default environment's billable resources at the table's prices", () => {
    const cloud = itemsOf("default", "cloud-network");
    expect(cloud?.items).toEqual(
      expect.arrayContaining([
        {
          what: "HA VPN tunnels",
          quantity: "4",
          monthly: 4 * PRICES.vpnTunnelHour * HOURS_PER_MONTH,
        },
        {
          what: "GKE cluster management",
          quantity: "1",
          monthly: PRICES.gkeClusterHour * HOURS_PER_MONTH,
        },
        expect.objectContaining({
          what: "e2-standard-2 nodes (application-cluster-pool)",
          quantity: "1",
        }),
        { what: "Cloud DNS private zone", quantity: "1", monthly: PRICES.dnsZoneMonth },
      ]),
    );
    const workloads = itemsOf("default", "workloads");
    expect(workloads?.items.map((item) => item.what)).toEqual([
      "internal load balancer forwarding rules",
      "pd-balanced volume (registry-data)",
    ]);
  });

  it("the cache adds a load balancer and a disk; Artifact Registry is usage-priced", () => {
    const workloads = itemsOf("artifactRegistry", "workloads");
    expect(workloads?.items).toContainEqual(
      expect.objectContaining({ what: "internal load balancer forwarding rules", quantity: "2" }),
    );
    expect(workloads?.items).toContainEqual(
      expect.objectContaining({
        what: "pd-balanced volume (registry-cache-data)",
        quantity: "50Gi",
      }),
    );
    expect(itemsOf("artifactRegistry", "cloud-network")?.items).toContainEqual({
      what: "Artifact Registry storage",
      quantity: expect.stringContaining("per GB stored"),
    });
  });

  it("an external site: tunnels only on the cloud side, on-prem only the key store", () => {
    expect(itemsOf("externalPeer", "onprem-network")?.items).toEqual([
      { what: "Secret Manager versions", quantity: "1", monthly: PRICES.secretVersionMonth },
    ]);
    expect(itemsOf("externalPeer", "cloud-network")?.items).toContainEqual(
      expect.objectContaining({ what: "HA VPN tunnels", quantity: "2" }),
    );
  });

  it("standalone on your own cluster costs nothing on Google Cloud", () => {
    const text = renderEstimate(estimateOf(stacksOf("standalone")));
    expect(text).toContain("workloads: $0.00/month");
    expect(text).toContain("nothing billed by Google Cloud");
  });

  it("gives a typical deploy time per stack from the documented durations", () => {
    const t = TYPICAL_MINUTES;
    expect(itemsOf("default", "onprem-network")?.deployMinutes).toBe(
      t.apis + t.cluster + t.nodePool,
    );
    expect(itemsOf("default", "cloud-network")?.deployMinutes).toBe(
      t.apis + t.cluster + t.nodePool + t.iamWait,
    );
    expect(itemsOf("default", "workloads")?.deployMinutes).toBe(t.registryRollout);
  });

  it("prints the price table's date and where to check current prices", () => {
    const text = renderEstimate(estimateOf(stacksOf("default")));
    expect(text).toContain(`list prices of ${PRICE_TABLE_DATE}`);
    expect(text).toMatch(/^Total: \$\d+\.\d\d\/month/m);
    expect(text).toContain("https://cloud.google.com/products/calculator");
  });

  it("counts node_count in every zone of the pool: a zonal pool once, a regional one per zone", () => {
    // hybrid-three-sides: dev's cluster is zonal (europe-west1-b), prod's regional (europe-west4).
    const dev = itemsOf("threeSides", "cloud-network-dev");
    expect(dev?.items).toContainEqual({
      what: "e2-standard-2 nodes (dev-cluster-pool)",
      quantity: "1",
      monthly: E2_STANDARD_2_MONTH,
    });
    const prod = itemsOf("threeSides", "cloud-network-prod");
    expect(prod?.items).toContainEqual({
      what: "e2-standard-2 nodes (prod-cluster-pool)",
      quantity: "6 (2 per zone × 3 zones, regional default)",
      monthly: 6 * E2_STANDARD_2_MONTH,
    });
    expect(prod?.items).toContainEqual(
      expect.objectContaining({ what: "pd-balanced boot disks", quantity: "6 × 50 GB" }),
    );
    expect(prod?.items).toContainEqual(
      expect.objectContaining({ what: "Cloud NAT (per node using it)", quantity: "6" }),
    );
  });

  it("node_locations and autoscaling minimums count per zone too", () => {
    const regional = { location: "europe-west1" };
    expect(
      nodesIn(clusterStack(regional, { autoscaling: { min_node_count: 2, max_node_count: 5 } })),
    ).toEqual({
      what: "e2-standard-2 nodes (p)",
      quantity: "6 (autoscaling minimum, 2 per zone × 3 zones, regional default)",
      monthly: 6 * E2_STANDARD_2_MONTH,
    });
    expect(
      nodesIn(
        clusterStack(
          { ...regional, node_locations: ["europe-west1-b", "europe-west1-c"] },
          { node_count: 2 },
        ),
      )?.quantity,
    ).toBe("4 (2 per zone × 2 zones, cluster node_locations)");
    // A zonal cluster's node_locations leave out its own zone.
    expect(
      nodesIn(clusterStack({ location: "europe-west1-b", node_locations: ["europe-west1-c"] }, {}))
        ?.quantity,
    ).toBe("2 (1 per zone × 2 zones, cluster node_locations)");
    // The pool's own node_locations win over the cluster's.
    expect(
      nodesIn(
        clusterStack(
          { ...regional, node_locations: ["europe-west1-b"] },
          { node_count: 1, node_locations: ["europe-west1-c", "europe-west1-d"] },
        ),
      )?.quantity,
    ).toBe("2 (1 per zone × 2 zones, node_locations)");
    expect(
      nodesIn(clusterStack(regional, { autoscaling: { total_min_node_count: 4 } }))?.quantity,
    ).toBe("4 (autoscaling total minimum)");
    expect(nodesIn(clusterStack({ location: "europe-west1-b" }, { node_count: 3 }))?.quantity).toBe(
      "3",
    );
  });

  it("counts the external IPv4 addresses Cloud NAT allocates", () => {
    const nats = Object.values(
      stacksOf("default")["cloud-network"]?.resource?.google_compute_router_nat ?? {},
    );
    expect(nats.map((nat) => nat.nat_ip_allocate_option)).toEqual(["AUTO_ONLY"]);
    const ipItem = {
      what: "Cloud NAT external IPv4 addresses",
      quantity: "1",
      monthly: PRICES.externalIpv4Hour * HOURS_PER_MONTH,
    };
    expect(itemsOf("default", "cloud-network")?.items).toContainEqual(ipItem);
    expect(itemsOf("default", "onprem-network")?.items).toContainEqual(ipItem);
    // Six nodes reserve 6 × 64 ports: still one address.
    expect(itemsOf("threeSides", "cloud-network-prod")?.items).toContainEqual(ipItem);

    const natStack = (nat: Record<string, unknown>, nodes: number): EstimatedStackJson => ({
      resource: {
        google_container_node_pool: {
          p: { name: "p", location: "europe-west1-b", node_count: nodes },
        },
        google_compute_router_nat: { n: nat },
      },
    });
    const ips = (stack: EstimatedStackJson) =>
      estimateOf({ s: stack })[0]?.items.find(
        (item) => item.what === "Cloud NAT external IPv4 addresses",
      )?.quantity;
    // 64,512 source ports per address, 64 reserved per VM by default.
    expect(ips(natStack({ nat_ip_allocate_option: "AUTO_ONLY" }, 1008))).toBe("1");
    expect(ips(natStack({ nat_ip_allocate_option: "AUTO_ONLY" }, 1009))).toBe("2");
    expect(ips(natStack({ nat_ip_allocate_option: "AUTO_ONLY", min_ports_per_vm: 4096 }, 20))).toBe(
      "2",
    );
    expect(
      ips(natStack({ nat_ip_allocate_option: "MANUAL_ONLY", nat_ips: ["a", "b", "c"] }, 1)),
    ).toBe("3");
  });

  it("says which region's prices it uses when the environment runs in others", () => {
    expect(itemsOf("threeSides", "cloud-network-prod")?.regions).toEqual(["europe-west4"]);
    expect(renderEstimate(estimateOf(stacksOf("threeSides")))).toContain(
      `Prices are ${PRICE_REGION} list prices; this environment uses europe-west1, europe-west4: real prices differ by region.`,
    );
    expect(renderEstimate(estimateOf(stacksOf("default")))).not.toContain(
      "real prices differ by region",
    );
  });
});
