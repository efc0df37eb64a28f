/**
 * `npm run migrate-to-sides` compares a deployment before (a cloud: section) and after
 * (sides): any other pair of environments is refused, and the side the cloud section became
 * is the one named, or the only one.
 */
import { ToolError } from "../lib/cli/command-line";
import { migratedSide } from "../lib/migrate/migrated-side";
import { configOf } from "./helpers/environments";

const files = { from: "before.yaml", to: "after.yaml" };

describe("npm run migrate-to-sides: the side the cloud section became", () => {
  it("is the only side, or the one named", () => {
    expect(migratedSide(configOf("default"), configOf("defaultAsSides"), files).name).toBe("app");
    expect(
      migratedSide(configOf("default"), configOf("threeSides"), { ...files, side: "staging" })
        .networkStack,
    ).toBe("cloud-network-staging");
  });

  it("must be named among several, and name a side", () => {
    for (const side of [undefined, "nowhere"]) {
      expect(() =>
        migratedSide(configOf("default"), configOf("threeSides"), { ...files, side }),
      ).toThrow(
        new ToolError(
          "name the side the cloud section became with --side (one of dev, staging, prod)",
        ),
      );
    }
  });

  it("needs a cloud: section before and sides after", () => {
    expect(() => migratedSide(configOf("threeSides"), configOf("defaultAsSides"), files)).toThrow(
      "before.yaml must be a hybrid environment with a cloud section (the deployment as it is)",
    );
    expect(() => migratedSide(configOf("standalone"), configOf("defaultAsSides"), files)).toThrow(
      ToolError,
    );
    expect(() => migratedSide(configOf("default"), configOf("default"), files)).toThrow(
      "after.yaml must be a hybrid environment with sides (the deployment as it will be)",
    );
  });
});
