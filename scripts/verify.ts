/**
 * `npm run verify`: after a deploy, what a user checks by hand, with a PASS/FAIL line each and
 * exit code 1 on any failure. The registry part reads the CA and the pulling user from the
 * workloads stack's outputs and speaks to the registry directly; the cluster part runs gcloud
 * and kubectl and prints each command it ran.
 *
 *   npm run verify [-- --registry-address host:port] [--app-context <kubectl context>]
 *                     [--registry-context <kubectl context>] [--side <name>] [--registry-only]
 *
 * --registry-address connects elsewhere than the registry's name (e.g. a kubectl port-forward)
 * while still verifying the certificate for the name. With several application sides the
 * registry's outputs come from the registry stack, every side's BGP sessions are checked, and
 * --side picks the side whose cluster is checked (default: the first). With seed images, the
 * seeding Job's state is read in the registry's cluster (--registry-context; default: the
 * current context).
 */
import { spawnSync } from "node:child_process";
import { startTool } from "../lib/cli/command-line";
import { loadEnvironmentOrReport } from "../lib/config/load";
import { runCommandChecks } from "../lib/verify/cluster-checks";
import {
  commandChecksOf,
  registryCheckTarget,
  registryOutputsStack,
} from "../lib/verify/environment-checks";
import { checkRegistry, renderResults } from "../lib/verify/registry-check";
import { registryOutputs } from "../lib/verify/registry-outputs";

const USAGE = `usage: [HYBRID_CONFIG=<file>] npm run verify [-- --registry-address <host:port>]
         [--app-context <context>] [--registry-context <context>] [--side <name>]
         [--registry-only]

After a deploy, what a user checks by hand, with a PASS/FAIL line each; exit code 1 when a
check fails. The registry's CA and pulling user come from the deployed stack's outputs; the
cluster checks run gcloud and kubectl and print each command.

  --registry-address <host:port>  connect here (e.g. a kubectl port-forward) while still
                                  verifying the certificate for the registry's name
  --app-context <context>         kubectl context of the application cluster
  --registry-context <context>    kubectl context of the registry's cluster (seeding Job)
  --side <name>                   with several sides, the side whose cluster is checked
                                  (default: the first)
  --registry-only                 only the registry checks`;

const SPEC = {
  command: "npm run verify",
  usage: USAGE,
  flags: {
    "registry-address": { type: "string" },
    "app-context": { type: "string" },
    "registry-context": { type: "string" },
    side: { type: "string" },
    "registry-only": { type: "boolean" },
  },
} as const;

/** Runs a check's command (for at most 3 minutes): its output; null status when it did not run. */
function execute(command: readonly string[]) {
  const ran = spawnSync(command[0], command.slice(1), { encoding: "utf8", timeout: 180000 });
  return { stdout: ran.stdout ?? "", status: ran.error ? null : ran.status };
}

startTool(SPEC, async (flags) => {
  const config = loadEnvironmentOrReport();
  if (!config) return 1;
  const choices = {
    registryAddress: flags["registry-address"],
    appContext: flags["app-context"],
    registryContext: flags["registry-context"],
    side: flags.side,
  };
  const stack = registryOutputsStack(config);
  const outputs = registryOutputs({ stack, environment: process.env.HYBRID_CONFIG });
  // Built before anything runs: a --side the environment lacks is refused first.
  const checks = commandChecksOf(config, choices);
  const results = await checkRegistry(registryCheckTarget(config, outputs, choices));
  process.stdout.write(renderResults(results));
  if (!flags["registry-only"]) {
    results.push(
      ...runCommandChecks(checks, execute, {
        command: (command) => process.stdout.write(`$ ${command.join(" ")}\n`),
        result: (result) => process.stdout.write(renderResults([result])),
      }),
    );
  }
  const failed = results.filter((result) => !result.ok).length;
  process.stdout.write(failed ? `${failed} check(s) failed\n` : "all checks passed\n");
  return failed ? 1 : 0;
});
