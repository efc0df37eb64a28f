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
import { existsSync } from "node:fs";
import { startTool, ToolError, type FlagValues } from "../lib/cli/command-line";
import { loadEnvironmentOrReport } from "../lib/config/load";
import type { AppSection, Config } from "../lib/config/schema";
import { applicationSidesOf, hasManySides } from "../lib/config/sides";
import { REGISTRY_STACK, WORKLOADS_STACK } from "../lib/contract/stack-names";
import { seedJobName } from "../lib/registry/seed-job";
import { clusterChecks, runCommandChecks, type CommandCheck } from "../lib/verify/cluster-checks";
import { seedJobCheck } from "../lib/verify/seed-check";
import { checkRegistry, renderResults, type CheckResult } from "../lib/verify/registry-check";

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

type Flags = FlagValues<typeof SPEC.flags>;

/** The stack publishing the registry's CA and users: registry with sides, else workloads. */
function registryOutputsStack(config: Config): string {
  return config.mode === "hybrid" && hasManySides(config) ? REGISTRY_STACK : WORKLOADS_STACK;
}

/**
 * The deployed stack's outputs. Before a deploy Terraform's own answers ("please run
 * terraform init", an empty output list) do not say what is wrong: say that nothing is
 * deployed, and how to deploy it.
 */
function registryOutputs(stack: string): Record<string, { value: unknown }> {
  const deployIt = `deploy it first (npm run cdktf -- deploy ${stack}, HYBRID_CONFIG=${process.env.HYBRID_CONFIG ?? "the default environment"}), then verify`;
  const dir = `cdktf.out/stacks/${stack}`;
  if (!existsSync(dir)) {
    throw new ToolError(
      `nothing is deployed from this checkout: ${dir} does not exist; ${deployIt}`,
    );
  }
  const result = spawnSync("terraform", [`-chdir=${dir}`, "output", "-json"], {
    encoding: "utf8",
  });
  if (result.status !== 0 && /terraform init/.test(result.stderr)) {
    throw new ToolError(
      `${stack} is not deployed from this checkout (never initialized); ${deployIt}`,
    );
  }
  if (result.status !== 0) {
    throw new ToolError(
      `terraform output of ${stack} failed: ${result.stderr.trim().split("\n")[0] ?? ""}`,
    );
  }
  const outputs = JSON.parse(result.stdout) as Record<string, { value: unknown }>;
  if (!("registry_ca_certificate_pem" in outputs)) {
    throw new ToolError(`${stack} is not deployed (its state has no outputs); ${deployIt}`);
  }
  return outputs;
}

/** The app section of the side whose cluster is checked. */
function checkedApp(config: Config, flags: Flags): AppSection {
  if (config.mode !== "hybrid") return config.app;
  const sides = applicationSidesOf(config);
  const wanted = flags.side;
  const side = wanted === undefined ? sides[0] : sides.find((s) => s.name === wanted);
  if (!side) {
    throw new ToolError(
      `--side ${wanted ?? ""} names no side; the sides are ${sides.map((s) => s.name).join(", ")}`,
    );
  }
  return side.app;
}

function routersOf(config: Config) {
  if (config.mode !== "hybrid") return [];
  const routers = applicationSidesOf(config).map(({ cloud }) => ({
    name: `${cloud.network.name}-router`,
    region: cloud.region,
    project: cloud.projectId,
  }));
  if (config.onprem.mode === "simulated") {
    const onprem = config.onprem;
    routers.push({
      name: `${onprem.network.name}-router`,
      region: onprem.region,
      project: onprem.projectId,
    });
  }
  return routers;
}

/** The seeding Job the config expects, in the registry's cluster (--registry-context). */
function seedCheckOf(config: Config, flags: Flags): CommandCheck {
  const { registry } = config;
  return seedJobCheck({
    context: flags["registry-context"],
    namespace: registry.namespace,
    jobName: seedJobName({
      images: registry.seedImages,
      registryHost: registry.fqdn,
      copyToolImage: registry.copyToolImage,
      platform: registry.seedPlatform,
      sourceLogin: registry.seedSource !== undefined,
    }),
    stack: registryOutputsStack(config),
  });
}

startTool(SPEC, async (flags) => {
  const config = loadEnvironmentOrReport();
  if (!config) return 1;
  const outputs = registryOutputs(registryOutputsStack(config));
  const app = checkedApp(config, flags);
  const results: CheckResult[] = await checkRegistry({
    fqdn: config.registry.fqdn,
    address: flags["registry-address"] ?? `${config.registry.fqdn}:443`,
    caPem: String(outputs.registry_ca_certificate_pem.value),
    user: String(outputs.registry_pull_username.value),
    password: String(outputs.registry_pull_password.value),
  });
  process.stdout.write(renderResults(results));
  if (!flags["registry-only"]) {
    const checks = [
      ...clusterChecks({
        routers: routersOf(config),
        appContext: flags["app-context"],
        appNamespace: app.namespace,
        registryFqdn: config.registry.fqdn,
        sampleImage: app.sampleApp.enabled
          ? `${config.registry.fqdn}/${app.sampleApp.image}`
          : undefined,
        toolImage: app.caTrustDaemonSet.image,
      }),
      ...(config.registry.seedImages.length > 0 ? [seedCheckOf(config, flags)] : []),
    ];
    const execute = (command: readonly string[]) => {
      const ran = spawnSync(command[0], command.slice(1), { encoding: "utf8", timeout: 180000 });
      return { stdout: ran.stdout ?? "", status: ran.error ? null : ran.status };
    };
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
