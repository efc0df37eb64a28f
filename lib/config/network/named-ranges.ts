import type { GcpSideView, SemanticView } from "../semantic-view";

/** A range of the config and the field it is at, for the overlap rules. */
export interface NamedRange {
  readonly path: string;
  readonly cidr: string;
}

/** The subnet, pod, service and control-plane ranges of a GCP side at `path`. */
export function sideRanges(path: string, view: GcpSideView): NamedRange[] {
  const ranges: NamedRange[] = [];
  if (view.network) {
    ranges.push(
      { path: `${path}.network.subnetCidr`, cidr: view.network.subnetCidr },
      { path: `${path}.network.podsCidr`, cidr: view.network.podsCidr },
      { path: `${path}.network.servicesCidr`, cidr: view.network.servicesCidr },
    );
  }
  if (view.cluster) {
    ranges.push({ path: `${path}.cluster.controlPlaneCidr`, cidr: view.cluster.controlPlaneCidr });
  }
  return ranges;
}

/** Every on-prem range: the simulated VPC's, or the real site's networkCidrs. */
export function onpremRanges(view: SemanticView): NamedRange[] {
  const { onprem } = view;
  return onprem?.mode === "simulated"
    ? sideRanges("onprem", onprem.side)
    : (onprem?.site.networkCidrs ?? []).map((cidr, i) => ({
        path: `onprem.networkCidrs.${i}`,
        cidr,
      }));
}
