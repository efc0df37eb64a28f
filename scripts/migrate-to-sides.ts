/**
 * `npm run migrate-to-sides -- --from <cloud: environment> --to <sides environment> [--side <name>]`:
 * the Terraform commands that move an existing one-side deployment's states to the stacks of
 * the same deployment declared under `sides`, so no resource is replaced (README, Many
 * application sides). Both files are synthesized in temporary folders; nothing is run.
 */
import { buildApp } from "../main";
import { startTool, UsageError } from "../lib/cli/command-line";
import { loadEnvironmentOrReport } from "../lib/config/load";
import { migratedSide } from "../lib/migrate/migrated-side";
import {
  migrationCommands,
  sidesMigration,
  type StackResources,
} from "../lib/migrate/sides-migration";
import { synthesizedStacks } from "../lib/synth/synthesized-stacks";

const USAGE = `usage: npm run migrate-to-sides -- --from <cloud: file> --to <sides file> [--side <name>]

Prints the Terraform commands that move an existing one-side deployment's states to the
stacks of the same deployment declared under sides, so that no resource is replaced (README,
Many application sides). Both files are synthesized in temporary folders; nothing is run.

  --from <file>   the environment as deployed (a hybrid file with a cloud section)
  --to <file>     the same environment with sides
  --side <name>   the side the cloud section became (needed with more than one side)`;

const SPEC = {
  command: "npm run migrate-to-sides",
  usage: USAGE,
  flags: {
    from: { type: "string" },
    to: { type: "string" },
    side: { type: "string" },
  },
} as const;

startTool(SPEC, (flags) => {
  const { from, to } = flags;
  if (!from || !to) throw new UsageError("both --from and --to are needed");
  const before = loadEnvironmentOrReport(from);
  const after = loadEnvironmentOrReport(to);
  if (!before || !after) return 1;
  const side = migratedSide(before, after, { from, to, side: flags.side });
  process.stdout.write(
    migrationCommands(
      sidesMigration(
        synthesizedStacks<StackResources>((app) => buildApp(app, before)),
        synthesizedStacks<StackResources>((app) => buildApp(app, after)),
        side,
      ),
    ),
  );
  return 0;
});
