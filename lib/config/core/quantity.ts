/**
 * Kubernetes resource quantities as numbers, to compare requests with limits
 * (https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/):
 * decimal SI suffixes (m, k, M, G, T, P, E) and binary ones (Ki, Mi, Gi, Ti, Pi, Ei).
 */
const SUFFIX: Readonly<Record<string, number>> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** The quantity's value in base units (cores, bytes), or undefined when it is not one. */
export function quantityValue(quantity: string): number | undefined {
  const match = QUANTITY.exec(quantity);
  if (!match) return undefined;
  return Number(match[1]) * SUFFIX[match[2] ?? ""];
}
