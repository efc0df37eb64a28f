/**
 * Which stacks cdktf may run at the same time: it runs every stack whose dependencies are done
 * (cli-core cdktf-project.js `execute`, unbounded without --parallelism). With simulated
 * on-prem, every side's network stack writes the one on-prem Cloud Router by read-modify-write
 * of its whole interface and peer lists, so those stacks must form a chain. The real CLI runs
 * this order in __tests__/e2e/deploy-order.e2e.ts.
 */
import { stackNamesOf } from "../main";
import { configOf, dependenciesOf, type SynthName } from "./helpers/environments";

describe("deploy order", () => {
  it("chains the sides' network stacks: none runs beside another (shared on-prem router)", () => {
    const dependencies = dependenciesOf("threeSides");
    expect(dependencies["cloud-network-dev"]).toEqual(["onprem-network"]);
    expect(dependencies["cloud-network-staging"]).toEqual(["cloud-network-dev", "onprem-network"]);
    expect(dependencies["cloud-network-prod"]).toEqual(["cloud-network-staging", "onprem-network"]);
    // Workloads stay free to run beside a network stack: they write no shared cloud object.
    expect(dependencies["workloads-dev"]).toEqual([
      "cloud-network-dev",
      "onprem-network",
      "registry",
    ]);
  });

  it("leaves an external site's sides parallel: each writes only its own router", () => {
    const dependencies = dependenciesOf("externalSides");
    const networks = Object.keys(dependencies).filter((name) => name.startsWith("cloud-network-"));
    expect(networks.length).toBeGreaterThan(1);
    for (const network of networks) expect(dependencies[network]).toEqual(["onprem-network"]);
  });

  it("knows the stacks before synthesis, in the app's order", () => {
    for (const name of ["threeSides", "externalSides", "default", "standalone"] as SynthName[]) {
      expect(stackNamesOf(configOf(name))).toEqual(Object.keys(dependenciesOf(name)));
    }
  });
});
