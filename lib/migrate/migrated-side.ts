/**
 * `npm run migrate-to-sides`: the two environments it compares must be the same hybrid
 * deployment before (a `cloud:` section) and after (`sides`), and the side the cloud section
 * became must be known: named, or the only one.
 */
import { ToolError } from "../cli/command-line";
import type { Config } from "../config/schema";
import {
  applicationSidesOf,
  hasManySides,
  type ApplicationSide,
} from "../config/sides/application-sides";

/** The two environment files, as the user named them, and the side if they named one. */
export interface MigrationFiles {
  readonly from: string;
  readonly to: string;
  readonly side?: string;
}

/** The side of `after` that `before`'s cloud section became; refuses any other pair. */
export function migratedSide(
  before: Config,
  after: Config,
  files: MigrationFiles,
): ApplicationSide {
  const { from, to } = files;
  if (before.mode !== "hybrid" || hasManySides(before)) {
    throw new ToolError(
      `${from} must be a hybrid environment with a cloud section (the deployment as it is)`,
    );
  }
  if (after.mode !== "hybrid" || !hasManySides(after)) {
    throw new ToolError(
      `${to} must be a hybrid environment with sides (the deployment as it will be)`,
    );
  }
  const sides = applicationSidesOf(after);
  const wanted = files.side ?? (sides.length === 1 ? sides[0].name : undefined);
  const side = sides.find((candidate) => candidate.name === wanted);
  if (!side) {
    throw new ToolError(
      `name the side the cloud section became with --side (one of ${sides.map((s) => s.name).join(", ")})`,
    );
  }
  return side;
}
