import { ENVIRONMENTS, stacksOf, type EnvironmentName } from "./helpers/environments";
import { allStrings } from "./helpers/json";

// Snapshots are reviewed like code: a change here must be intended and explained in its commit.
const cases = (Object.keys(ENVIRONMENTS) as EnvironmentName[]).flatMap((environment) =>
  Object.keys(stacksOf(environment)).map((stack) => [environment, stack] as const),
);

describe("synthesized stacks", () => {
  it.each(cases)("%s / %s matches its snapshot", (environment, stack) => {
    expect(stacksOf(environment)[stack]).toMatchSnapshot();
  });

  it.each(cases)("%s / %s holds no machine path, date or timestamp", (environment, stack) => {
    for (const text of allStrings(stacksOf(environment)[stack])) {
      expect(text).not.toMatch(/(^|[\s"'])\/(tmp|home|root|work|Users)\//);
      expect(text).not.toMatch(/\b20\d\d-\d\d-\d\d(T|\b)/);
    }
  });

  it("builds all three stacks in hybrid mode and only workloads in standalone mode", () => {
    expect(Object.keys(stacksOf("default")).sort()).toEqual([
      "cloud-network",
      "onprem-network",
      "workloads",
    ]);
    expect(Object.keys(stacksOf("standalone"))).toEqual(["workloads"]);
  });
});
