/**
 * Application side rules: the two forms, each side against on-prem, several sides against each
 * other (ranges, repositories, caches, reader accounts, the on-prem router's BGP peers).
 */
import { cidrsOverlap, cidrWithin } from "../../network/ipv4";
import { onpremRanges } from "../network/named-ranges";
import type { ApplicationSideView, SemanticView } from "../semantic-view";
import { ConfigProblem } from "../core/problem";
import { gcpSideProblems, linkLocalProblems } from "../network/rules";
import { NATIVE_CA_TRUST_MIN_VERSION, compareGkeVersion } from "../cluster/rules";
import { appProblems, cacheProblems } from "../registry/rules";
import { artifactReaderAccountId } from "../derived-names";

/** Rules of one application side on its own and against on-prem. */
export function applicationSideProblems(
  view: SemanticView,
  side: ApplicationSideView,
): ConfigProblem[] {
  const problems = [...linkLocalProblems(view, side), ...gcpSideProblems(side.path, side)];
  const version = side.cluster?.minMasterVersion;
  if (version && compareGkeVersion(version, NATIVE_CA_TRUST_MIN_VERSION) < 0) {
    problems.push({
      path: `${side.path}.cluster.minMasterVersion`,
      value: version,
      message:
        "is older than 1.27.3-gke.1700, which GKE needs to trust a private registry CA natively",
      hint: "remove minMasterVersion to follow the release channel, or use 1.27.3-gke.1700 or later",
    });
  }
  if (view.registry && side.app) problems.push(...cacheProblems(side, view.registry, side.app));
  if (side.app && side.appPath !== "app") problems.push(...appProblems(side.app, side.appPath));
  return problems;
}

/**
 * A Cloud Router carries at most 128 BGP peers, a fixed limit ("Maximum number of BGP peers
 * for each Cloud Router in a given VPC network and region: 128",
 * https://cloud.google.com/network-connectivity/docs/router/quotas). The simulated on-prem
 * router holds every side's sessions.
 */
export const MAX_BGP_PEERS_PER_ROUTER = 128;

/** BGP sessions (and HA VPN tunnels) each side adds to the simulated on-prem router. */
const SESSIONS_PER_SIDE = 2;

/** Exactly one of `cloud` (one side) and `sides` (several), and at least one side. */
export function applicationSidesFormProblems(view: SemanticView): ConfigProblem[] {
  const { declares } = view;
  if (declares.cloud && declares.sides) {
    return [
      {
        path: "sides",
        value: "(both cloud and sides)",
        message: "cannot be combined with cloud",
        hint: "move the cloud section under sides as one named side (docs/modes.md, Many application sides), or remove sides",
      },
    ];
  }
  if (!declares.cloud && !declares.sides) {
    return [
      {
        path: "cloud",
        value: undefined,
        message: "is required: the application side is missing",
        hint: "add a cloud section for one application cluster, or sides with one entry per cluster",
      },
    ];
  }
  return [];
}

/** The range rules only `sides` has: every side inside onprem.applicationRanges. */
function applicationRangeProblems(view: SemanticView, blocks: readonly string[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  // The blocks are admitted as traffic sources; the control plane's /28 never sends any.
  const networks = onpremRanges(view).filter((range) => !range.path.endsWith("controlPlaneCidr"));
  blocks.forEach((block, i) => {
    const clash = networks.find((range) => cidrsOverlap(range.cidr, block));
    if (clash) {
      problems.push({
        path: `onprem.applicationRanges.${i}`,
        value: block,
        message: `overlaps ${clash.path} (${clash.cidr})`,
        hint: "the application blocks must leave the on-prem ranges out, e.g. 10.128.0.0/9 beside an on-prem 10.0.0.0/16",
      });
    }
  });
  for (const side of view.sides) {
    const network = side.network;
    if (!network) continue;
    for (const field of ["subnetCidr", "podsCidr", "servicesCidr"] as const) {
      const cidr = network[field];
      if (!blocks.some((block) => cidrWithin(cidr, block))) {
        problems.push({
          path: `${side.path}.network.${field}`,
          value: cidr,
          message: `is outside onprem.applicationRanges (${blocks.join(", ")})`,
          hint: "pick a range inside them, or add a block to onprem.applicationRanges (that changes the registry's stacks: onprem-network and registry)",
        });
      }
    }
  }
  return problems;
}

/** Sides sharing a project and region share Artifact Registry repository ids. */
function repositoryProblems(sides: readonly ApplicationSideView[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, string>();
  for (const side of sides) {
    const repository = side.artifactRegistry;
    if (!repository?.enabled || !side.projectId || !side.region) continue;
    const key = `${side.projectId}/${side.region}/${repository.repositoryId}`;
    const earlier = seen.get(key);
    if (earlier) {
      problems.push({
        path: `${side.path}.artifactRegistry.repositoryId`,
        value: repository.repositoryId,
        message: `is also ${earlier}.artifactRegistry.repositoryId in the same project and region`,
        hint: "give each side's repository its own id, or enable Artifact Registry on one of them",
      });
    } else {
      seen.set(key, side.path);
    }
  }
  return problems;
}

/**
 * One certificate serves every side's pull-through cache (onprem-network issues it before any
 * side exists), so a side's own app section keeps the top-level cache name.
 */
function cacheNameProblems(view: SemanticView): ConfigProblem[] {
  const name = view.app?.pullThroughCache.fqdn;
  if (!name) return [];
  return view.sides.flatMap((side) =>
    side.appPath !== "app" &&
    side.app?.pullThroughCache.enabled &&
    side.app.pullThroughCache.fqdn !== name
      ? [
          {
            path: `${side.appPath}.pullThroughCache.fqdn`,
            value: side.app.pullThroughCache.fqdn,
            message: `differs from app.pullThroughCache.fqdn (${name}): every side's cache presents the one cache certificate`,
            hint: `remove it here, or set app.pullThroughCache.fqdn to it for all sides`,
          },
        ]
      : [],
  );
}

/** Rules of the `sides` form: ranges inside the application blocks, limits, shared names. */
export function manySidesProblems(view: SemanticView): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const count = view.sides.length;
  if (count === 0) {
    problems.push({
      path: "sides",
      value: {},
      message: "declares no side",
      hint: "add one entry per application cluster, e.g. sides: { prod: { projectId: …, … } }",
    });
  }
  if (view.onprem?.mode === "simulated" && count * SESSIONS_PER_SIDE > MAX_BGP_PEERS_PER_ROUTER) {
    problems.push({
      path: "sides",
      value: `${count} sides`,
      message: `would give the on-prem Cloud Router ${count * SESSIONS_PER_SIDE} BGP sessions (${SESSIONS_PER_SIDE} per side); a Cloud Router carries at most ${MAX_BGP_PEERS_PER_ROUTER}`,
      hint: `keep to ${MAX_BGP_PEERS_PER_ROUTER / SESSIONS_PER_SIDE} sides per on-prem router (https://cloud.google.com/network-connectivity/docs/router/quotas)`,
    });
  }
  const blocks = view.applicationRanges;
  if (blocks === undefined) {
    problems.push({
      path: "onprem.applicationRanges",
      value: undefined,
      message: "is required with sides",
      hint: "list the address blocks every side's ranges lie in, e.g. [10.128.0.0/9]: the registry admits them, so adding a side inside them changes no registry stack",
    });
  } else {
    problems.push(...applicationRangeProblems(view, blocks));
  }
  if (view.onprem?.mode === "external" && view.onprem.site.keyStoreProjectId === undefined) {
    problems.push({
      path: "onprem.keyStoreProjectId",
      value: undefined,
      message: "is required with sides and an external on-prem",
      hint: "name the GCP project whose Secret Manager keeps the registry's private keys (not a side's: a side may be removed)",
    });
  }
  return [...problems, ...repositoryProblems(view.sides), ...cacheNameProblems(view)];
}

/** With `cloud`, onprem.applicationRanges has no use: say so rather than ignore it. */
export function singleSideProblems(view: SemanticView): ConfigProblem[] {
  return view.applicationRanges !== undefined && !view.declares.sides
    ? [
        {
          path: "onprem.applicationRanges",
          value: view.applicationRanges,
          message: "is only used with sides",
          hint: "remove it, or move the cloud section under sides (docs/modes.md, Many application sides)",
        },
      ]
    : [];
}

/** Service account ids: 6-30 characters (https://cloud.google.com/iam/docs/service-accounts-create). */
const SERVICE_ACCOUNT_ID = /^[a-z]([-a-z0-9]{4,28}[a-z0-9])$/;

/** Reader accounts of sides sharing a project must not collide: account ids are per project. */
export function readerAccountProblems(sides: readonly ApplicationSideView[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, string>();
  for (const side of sides) {
    const artifacts = side.artifactRegistry;
    if (!side.projectId || !artifacts?.enabled || !artifacts.externalReader) continue;
    const accountId = artifactReaderAccountId(artifacts.repositoryId);
    if (!SERVICE_ACCOUNT_ID.test(accountId)) {
      problems.push({
        path: `${side.path}.artifactRegistry.repositoryId`,
        value: artifacts.repositoryId,
        message: `makes the reader account id ${accountId}, which is not 6-30 characters of a-z, 0-9 and '-' starting with a letter`,
        hint: "use a repository id of at least 2 characters starting with a letter",
      });
      continue;
    }
    const key = `${side.projectId}/${accountId}`;
    const first = seen.get(key);
    if (first) {
      problems.push({
        path: `${side.path}.artifactRegistry.externalReader`,
        value: true,
        message: `makes the service account ${accountId} in project ${side.projectId}, which ${first} makes too`,
        hint: "turn externalReader on for one side per project, or give the repositories ids that differ in their first 22 characters",
      });
    } else {
      seen.set(key, side.path);
    }
  }
  return problems;
}
