/**
 * What `npm run verify` checks in a deployed environment, from its config and the user's
 * choices: where the registry's CA and pulling user are published and how to reach the
 * registry, the routers whose BGP sessions must be up, the application cluster of the chosen
 * side, and the seeding Job.
 */
import { ToolError } from "../cli/command-line";
import type { AppSection, Config } from "../config/schema";
import { applicationSidesOf, hasManySides } from "../config/sides/application-sides";
import { REGISTRY_STACK, WORKLOADS_STACK } from "../contract/stack-names";
import { seedJobName } from "../registry/seed-job";
import { clusterChecks, type ClusterCheckProps, type CommandCheck } from "./cluster-checks";
import type { RegistryCheckTarget } from "./registry-check";
import { seedJobCheck } from "./seed-check";
import type { StackOutputs } from "./registry-outputs";

/** The user's choices (verify's flags). */
export interface VerifyChoices {
  /** Connect here (`host:port`) instead of the registry's name, e.g. a port-forward. */
  readonly registryAddress?: string;
  /** kubectl context of the application cluster (undefined: the current context). */
  readonly appContext?: string;
  /** kubectl context of the registry's cluster (undefined: the current context). */
  readonly registryContext?: string;
  /** With several sides, the side whose cluster is checked. @default the first side */
  readonly side?: string;
}

/** The stack publishing the registry's CA and users: registry with sides, else workloads. */
export function registryOutputsStack(config: Config): string {
  return config.mode === "hybrid" && hasManySides(config) ? REGISTRY_STACK : WORKLOADS_STACK;
}

/** The registry to check, with the CA and pulling user from its stack's outputs. */
export function registryCheckTarget(
  config: Config,
  outputs: StackOutputs,
  choices: VerifyChoices,
): RegistryCheckTarget {
  return {
    fqdn: config.registry.fqdn,
    address: choices.registryAddress ?? `${config.registry.fqdn}:443`,
    caPem: String(outputs.registry_ca_certificate_pem.value),
    user: String(outputs.registry_pull_username.value),
    password: String(outputs.registry_pull_password.value),
  };
}

/** The app section of the side whose cluster is checked. */
export function checkedApp(config: Config, side: string | undefined): AppSection {
  if (config.mode !== "hybrid") return config.app;
  const sides = applicationSidesOf(config);
  const found = side === undefined ? sides[0] : sides.find((s) => s.name === side);
  if (!found) {
    throw new ToolError(
      `--side ${side ?? ""} names no side; the sides are ${sides.map((s) => s.name).join(", ")}`,
    );
  }
  return found.app;
}

/** Every Cloud Router with BGP sessions: each side's and a simulated on-prem's. */
export function routersOf(config: Config): ClusterCheckProps["routers"] {
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

/** The seeding Job the config expects, in the registry's cluster. */
export function seedCheckOf(config: Config, registryContext: string | undefined): CommandCheck {
  const { registry } = config;
  return seedJobCheck({
    context: registryContext,
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

/**
 * The checks verify runs with gcloud and kubectl: BGP sessions, the chosen side's cluster and,
 * with seed images, the seeding Job. Refuses a side the config does not have.
 */
export function commandChecksOf(config: Config, choices: VerifyChoices): CommandCheck[] {
  const app = checkedApp(config, choices.side);
  return [
    ...clusterChecks({
      routers: routersOf(config),
      appContext: choices.appContext,
      appNamespace: app.namespace,
      registryFqdn: config.registry.fqdn,
      sampleImage: app.sampleApp.enabled
        ? `${config.registry.fqdn}/${app.sampleApp.image}`
        : undefined,
      toolImage: app.caTrustDaemonSet.image,
    }),
    ...(config.registry.seedImages.length > 0
      ? [seedCheckOf(config, choices.registryContext)]
      : []),
  ];
}
