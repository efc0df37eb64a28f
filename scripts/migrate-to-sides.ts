/**
 * `npm run migrate-to-sides -- --from <cloud: environment> --to <sides environment> [--side <name>]`:
 * the Terraform commands that move an existing one-side deployment's states to the stacks of
 * the same deployment declared under `sides`, so no resource is replaced (README, Many
 * application sides). Both files are synthesized in temporary folders; nothing is run.
 */
import { buildApp } from "../main";
import { loadEnvironmentOrReport } from "../lib/config/load";
import { applicationSidesOf, hasManySides } from "../lib/config/sides";
import {
  migrationCommands,
  sidesMigration,
  type StackResources,
} from "../lib/migrate/sides-migration";
import { synthesizedStacks } from "../lib/synth/synthesized-stacks";
import { flagValue } from "./argv";

function fail(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
}

function run(): void {
  const from = flagValue("--from");
  const to = flagValue("--to");
  if (!from || !to) {
    fail(
      "usage: npm run migrate-to-sides -- --from <cloud: file> --to <sides file> [--side <name>]",
    );
    return;
  }
  const before = loadEnvironmentOrReport(from);
  const after = loadEnvironmentOrReport(to);
  if (!before || !after) return;
  if (before.mode !== "hybrid" || hasManySides(before)) {
    fail(`${from} must be a hybrid environment with a cloud section (the deployment as it is)`);
    return;
  }
  if (after.mode !== "hybrid" || !hasManySides(after)) {
    fail(`${to} must be a hybrid environment with sides (the deployment as it will be)`);
    return;
  }
  const sides = applicationSidesOf(after);
  const wanted = flagValue("--side") ?? (sides.length === 1 ? sides[0].name : undefined);
  const side = sides.find((candidate) => candidate.name === wanted);
  if (!side) {
    fail(
      `name the side the cloud section became with --side (one of ${sides.map((s) => s.name).join(", ")})`,
    );
    return;
  }
  process.stdout.write(
    migrationCommands(
      sidesMigration(
        synthesizedStacks<StackResources>((app) => buildApp(app, before)),
        synthesizedStacks<StackResources>((app) => buildApp(app, after)),
        side,
      ),
    ),
  );
}

run();
