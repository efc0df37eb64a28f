/**
 * GKE cluster rules across fields: authorized networks, versions, node service account ids.
 */
import { isRfc1918, prefixLength } from "../../network/ipv4";
import type { GcpSideView } from "../semantic-view";
import { ConfigProblem } from "../core/problem";

/** Authorized networks wider than this are refused (0.0.0.0/0 split in halves included). */
const MIN_AUTHORIZED_PREFIX = 8;

/** GKE's containerd private-registry CA trust needs this version or later on COS. */
export const NATIVE_CA_TRUST_MIN_VERSION = [1, 27, 3, 1700] as const;

export function compareGkeVersion(version: string, minimum: readonly number[]): number {
  const parts = version.match(/\d+/g)?.map(Number) ?? [];
  for (let i = 0; i < minimum.length; i++) {
    const diff = (parts[i] ?? 0) - minimum[i];
    if (diff !== 0) return diff;
  }
  return 0;
}

type Cluster = NonNullable<GcpSideView["cluster"]>;

export function clusterProblems(
  side: string,
  region: string | undefined,
  cluster: Cluster,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const cp = cluster.controlPlaneCidr;
  if (prefixLength(cp) !== 28) {
    problems.push({
      path: `${side}.cluster.controlPlaneCidr`,
      value: cp,
      message: "must be a /28",
      hint: "GKE private control planes need exactly a /28, e.g. 172.16.0.0/28",
    });
  } else if (!isRfc1918(cp)) {
    problems.push({
      path: `${side}.cluster.controlPlaneCidr`,
      value: cp,
      message: "is not an RFC 1918 private range",
      hint: "use a /28 from 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16",
    });
  }
  cluster.authorizedNetworks.forEach((network, i) => {
    const prefix = prefixLength(network.cidr);
    if (prefix < MIN_AUTHORIZED_PREFIX) {
      problems.push({
        path: `${side}.cluster.authorizedNetworks.${i}.cidr`,
        value: network.cidr,
        message:
          prefix === 0
            ? "opens the control plane to the whole internet"
            : `is wider than a /${MIN_AUTHORIZED_PREFIX}`,
        hint: "list only the networks that run kubectl or Terraform, or set dnsEndpoint: true",
      });
    }
  });
  if (
    region &&
    cluster.location &&
    cluster.location !== region &&
    !cluster.location.startsWith(`${region}-`)
  ) {
    problems.push({
      path: `${side}.cluster.location`,
      value: cluster.location,
      message: `is not in the side's region ${region}`,
      hint: `use ${region} (regional) or a zone such as ${region}-b`,
    });
  }
  const autoscaling = cluster.nodePool.autoscaling;
  if (autoscaling && autoscaling.minNodes > autoscaling.maxNodes) {
    problems.push({
      path: `${side}.cluster.nodePool.autoscaling`,
      value: autoscaling,
      message: "has minNodes greater than maxNodes",
      hint: "set minNodes <= maxNodes",
    });
  }
  return problems;
}
/** GKE cluster names: at most 40 characters (https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters#Cluster). */
export const GKE_CLUSTER_NAME_MAX = 40;
/** Largest persistent disk: 64 TB (https://cloud.google.com/compute/docs/disks#introduction). */
export const MAX_DISK_GB = 65536;

/**
 * Node service account ids are the first 24 characters of the cluster name plus `-nodes`
 * (lib/gke/node-service-account.ts): two clusters in one project must not share them.
 */
export function serviceAccountProblems(
  sides: ReadonlyArray<{ readonly path: string; readonly view: GcpSideView }>,
): ConfigProblem[] {
  const id = (name: string) => `${name.slice(0, 24).replace(/-+$/, "")}-nodes`;
  return sides.flatMap((side, i) => {
    const b = side.view.cluster?.name;
    const clash = sides.slice(0, i).find((earlier) => {
      const a = earlier.view.cluster?.name;
      return a && b && earlier.view.projectId === side.view.projectId && a !== b && id(a) === id(b);
    });
    return clash && b
      ? [
          {
            path: `${side.path}.cluster.name`,
            value: b,
            message: `gives the same node service account id (${id(b)}) as ${clash.path}.cluster.name in the same project`,
            hint: "make the two cluster names differ within their first 24 characters",
          },
        ]
      : [];
  });
}
