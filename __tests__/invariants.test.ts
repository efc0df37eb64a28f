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
    const found = invariantViolations({ broken }).join("\n");
    expect(found).toContain("GCP name Bad_Name");
    expect(found).toContain("namespace apps created twice");
    expect(found).toContain("image no spaces allowed");
    expect(found).toContain("memory request 1Gi above limit 512Mi");
  });
});
