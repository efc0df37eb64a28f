import { invariantViolations } from "./helpers/invariants";
import { SYNTH_NAMES, stacksOf } from "./helpers/environments";

describe("synthesized stacks keep the platforms' rules", () => {
  it.each(SYNTH_NAMES)("%s", (name) => {
    expect(invariantViolations(stacksOf(name))).toEqual([]);
  });

  it("the checker finds what it checks", () => {
    const broken = {
      terraform: {},
      resource: {
        google_compute_network: { n: { name: "Bad_Name" } },
        kubernetes_namespace_v1: {
          a: { metadata: { name: "apps" } },
          b: { metadata: { name: "apps" } },
        },
        kubernetes_deployment_v1: {
          d: {
            metadata: { name: "d" },
            spec: {
              template: {
                spec: {
                  container: [
                    {
                      name: "c",
                      image: "no spaces allowed",
                      resources: { requests: { memory: "1Gi" }, limits: { memory: "512Mi" } },
                    },
                  ],
                },
              },
            },
          },
        },
      },
    };
    const maintenance = {
      terraform: { cloud: { workspaces: { name: "team:é-registry" } } },
      resource: {
        kubernetes_cron_job_v1: {
          gc: {
            metadata: { name: "gc" },
            spec: {
              schedule: "0 3 * * 7",
              timezone: "europe/berlin",
              job_template: { spec: { template: { spec: { container: [] } } } },
            },
          },
        },
        kubernetes_persistent_volume_claim_v1: {
          c: {
            metadata: { name: "c" },
            spec: { storage_class_name: "Fast SSD", resources: { requests: { storage: "0" } } },
          },
        },
        kubernetes_manifest: {
          m: {
            manifest: {
              metadata: { labels: { release: "kube prometheus" } },
              spec: { endpoints: [{ interval: "10000000000000s" }] },
            },
          },
        },
        kubernetes_namespace_v1: { k: { metadata: { name: "kube-system" } } },
        google_service_account: {
          a: { project: "p-123456", account_id: "reader-one" },
          b: { project: "p-123456", account_id: "reader-one" },
        },
      },
    };
    const more = invariantViolations({ maintenance }).join("\n");
    for (const what of [
      "schedule 0 3 * * 7",
      "time zone europe/berlin",
      "storage request 0",
      "storage class Fast SSD",
      "label value kube prometheus",
      "scrape interval 10000000000000s",
      "namespace kube-system exists on every cluster",
      "p-123456/reader-one also in maintenance",
      "workspace name team:é-registry",
    ]) {
      expect(more).toContain(what);
    }
    const found = invariantViolations({ broken }).join("\n");
    expect(found).toContain("GCP name Bad_Name");
    expect(found).toContain("namespace apps created twice");
    expect(found).toContain("image no spaces allowed");
    expect(found).toContain("memory request 1Gi above limit 512Mi");
  });
});
