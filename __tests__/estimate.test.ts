import { estimateOf } from "../lib/estimate/cost-estimate";
import {
  HOURS_PER_MONTH,
  PRICES,
  PRICE_TABLE_DATE,
  TYPICAL_MINUTES,
} from "../lib/estimate/price-table";
import { renderEstimate } from "../lib/estimate/render-estimate";
import { stacksOf } from "./helpers/environments";

const itemsOf = (name: Parameters<typeof stacksOf>[0], stack: string) =>
  estimateOf(stacksOf(name)).find((estimate) => estimate.stack === stack);

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
});
