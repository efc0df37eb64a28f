/**
 * The cross-field rules of a whole environment, in the order they are reported: each concept's
 * rules live beside its schema (network/, cluster/, registry/, maintenance/, sides/, backend/).
 */
import { isUsableGcpSubnetHost } from "../network/ipv4";
import type { SemanticView } from "./semantic-view";
import { ConfigProblem } from "./core/problem";
import {
  applicationSideProblems,
  applicationSidesFormProblems,
  manySidesProblems,
  readerAccountProblems,
  singleSideProblems,
} from "./sides/rules";
import {
  asnProblems,
  externalSiteProblems,
  gcpNameProblems,
  gcpSideProblems,
  hybridRanges,
  nameClashProblems,
  overlapProblems,
  siteProblems,
} from "./network/rules";
import { alertProblems, backupProblems, snapshotPolicyProblems } from "./maintenance/rules";
import {
  dnsZoneProblems,
  exposureProblems,
  namespaceProblems,
  pkiProblems,
  registryProblems,
  resourceProblems,
  storageProblems,
} from "./registry/rules";
import { serviceAccountProblems } from "./cluster/rules";
import { workspaceProblems } from "./backend/rules";

function hybridProblems(view: SemanticView): ConfigProblem[] {
  const { onprem, registry } = view;
  const problems: ConfigProblem[] = [
    ...applicationSidesFormProblems(view),
    ...overlapProblems(hybridRanges(view)),
    ...asnProblems(view),
    ...view.sides.flatMap((side) => applicationSideProblems(view, side)),
    ...nameClashProblems([
      ...(onprem?.mode === "simulated" ? [{ path: "onprem", view: onprem.side }] : []),
      ...view.sides.map((side) => ({ path: side.path, view: side })),
    ]),
  ];
  problems.push(...(view.declares.sides ? manySidesProblems(view) : singleSideProblems(view)));
  if (onprem?.mode === "simulated") {
    problems.push(...gcpSideProblems("onprem", onprem.side));
    const subnet = onprem.side.network?.subnetCidr;
    if (onprem.registryIp && subnet && !isUsableGcpSubnetHost(subnet, onprem.registryIp)) {
      problems.push({
        path: "onprem.registryIp",
        value: onprem.registryIp,
        message: `is not a usable address of onprem.network.subnetCidr (${subnet})`,
        hint: "pick a host address inside the subnet (GCP reserves the first two and last two)",
      });
    }
    if (registry && registry.exposure.type !== "internalLoadBalancer") {
      problems.push({
        path: "registry.exposure.type",
        value: registry.exposure.type,
        message: "must be internalLoadBalancer when onprem.mode is simulated",
        hint: "the registry is reached across the VPN on the reserved internal IP",
      });
    }
  } else if (onprem?.mode === "external") {
    problems.push(...externalSiteProblems(onprem.site, registry));
  }
  problems.push(...alertProblems(view));
  return problems;
}

function standaloneProblems(view: SemanticView): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { registry, app } = view;
  const exposure = registry?.exposure;
  if (exposure?.type === "clusterIP" && !exposure.nodeProxy) {
    problems.push({
      path: "registry.exposure.nodeProxy",
      value: false,
      message: "leaves the nodes no way to reach a ClusterIP registry",
      hint: "set nodeProxy: true (nodes pull from localhost:5000), or use nodePort or loadBalancer",
    });
  }
  if (registry && app && app.namespace === registry.namespace) {
    problems.push({
      path: "app.namespace",
      value: app.namespace,
      message: "equals registry.namespace",
      hint: "keep the registry and the applications that pull from it in separate namespaces",
    });
  }
  if (app?.pullThroughCache.enabled) {
    problems.push({
      path: "app.pullThroughCache.enabled",
      value: true,
      message: "has nothing to cache in standalone mode: the registry is in the same cluster",
      hint: "set it to false",
    });
  }
  return problems;
}

/**
 * Every cross-field problem of a config, checked on each part that is valid on its own, so
 * they are reported together with schema problems elsewhere in the file.
 */
export function semanticProblems(view: SemanticView): ConfigProblem[] {
  if (!view.mode) return [];
  return [
    ...platformProblems(view),
    ...derivedNameProblems(view),
    ...(view.registry ? registryProblems(view.registry, view.app) : []),
    ...(view.registry ? backupProblems(view, view.registry) : []),
    ...(view.mode === "hybrid" ? hybridProblems(view) : standaloneProblems(view)),
  ];
}

/** Every platform rule the view's valid parts allow to check. */
function platformProblems(view: SemanticView): ConfigProblem[] {
  const registry = view.registry;
  const app = view.app;
  const onpremSide = view.onprem?.mode === "simulated" ? view.onprem.side : undefined;
  return [
    ...(onpremSide ? gcpNameProblems("onprem", "onprem", onpremSide) : []),
    ...view.sides.flatMap((side) => gcpNameProblems(side.path, "cloud", side)),
    ...serviceAccountProblems([
      ...(onpremSide ? [{ path: "onprem", view: onpremSide }] : []),
      ...view.sides.map((side) => ({ path: side.path, view: side })),
    ]),
    ...(registry ? resourceProblems(registry) : []),
    ...(registry ? pkiProblems(registry) : []),
    ...(registry ? storageProblems(registry) : []),
    ...(registry ? exposureProblems(registry) : []),
    ...(registry && view.mode === "hybrid" ? dnsZoneProblems(view, registry) : []),
    ...(registry && app ? namespaceProblems(view, registry, app, "app") : []),
    // A side's own app section is checked where it is.
    ...view.sides.flatMap((side) =>
      registry && side.app && side.appPath !== "app"
        ? namespaceProblems(view, registry, side.app, side.appPath)
        : [],
    ),
    ...siteProblems(view),
  ];
}

/** Every derived name an environment makes that its receiving API would refuse. */
function derivedNameProblems(view: SemanticView): ConfigProblem[] {
  return [
    ...snapshotPolicyProblems(view),
    ...readerAccountProblems(view.sides),
    ...workspaceProblems(view),
  ];
}
