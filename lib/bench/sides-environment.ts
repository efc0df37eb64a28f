/**
 * An environment with `count` application sides: environments/example.yaml's on-prem, its
 * cloud section repeated under sides with non-overlapping ranges (side n: 10.<128+n>.0.0/16
 * cut into subnet, pods and services; its own ASN, control-plane /28 and link-local /29).
 * Used by `npm run bench` for the scale rows.
 */
import { parse, stringify } from "yaml";

/** Octets 128-255 hold the sides' /16s inside the application block 10.128.0.0/9. */
export const MAX_SIDES = 128;

/** The parts of a one-side hybrid environment this rewrites; the rest is kept as it is. */
interface OneSideEnvironment {
  readonly cloud: Readonly<Record<string, unknown>> & {
    readonly cluster: Readonly<Record<string, unknown>>;
  };
  readonly onprem: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** `count` sides made from `oneSideYaml` (a hybrid environment with a cloud section), as YAML. */
export function sidesEnvironment(oneSideYaml: string, count: number): string {
  if (count < 1 || count > MAX_SIDES) throw new Error(`1 to ${MAX_SIDES} sides, not ${count}`);
  const { cloud, ...rest } = parse(oneSideYaml) as OneSideEnvironment;
  const sides: Record<string, unknown> = {};
  for (let n = 0; n < count; n++) {
    const block = `10.${128 + n}`;
    sides[`side${n}`] = {
      ...cloud,
      projectId: `apps-side${n}-123`,
      asn: 64520 + n,
      network: {
        name: `side${n}`,
        subnetCidr: `${block}.0.0/24`,
        podsCidr: `${block}.64.0/18`,
        servicesCidr: `${block}.128.0/20`,
      },
      cluster: {
        ...cloud.cluster,
        name: `side${n}-cluster`,
        controlPlaneCidr: `172.17.${n}.0/28`,
      },
      vpn: { linkLocalRange: `169.254.${n}.0/29` },
    };
  }
  return stringify({
    ...rest,
    onprem: { ...rest.onprem, applicationRanges: ["10.128.0.0/9"] },
    sides,
  });
}
