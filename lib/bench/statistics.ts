/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A point of a least-squares fit. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** The least-squares line through some points, and the largest distance of a point from it. */
export interface LinearFit {
  readonly slope: number;
  readonly intercept: number;
  /** The largest |y - (intercept + slope * x)| over the points: small means linear. */
  readonly worst: number;
}

/** The least-squares line through `points`. */
export function linearFit(points: readonly Point[]): LinearFit {
  const n = points.length;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  const slope =
    points.reduce((sum, p) => sum + (p.x - meanX) * (p.y - meanY), 0) /
    points.reduce((sum, p) => sum + (p.x - meanX) ** 2, 0);
  const intercept = meanY - slope * meanX;
  const worst = Math.max(...points.map((p) => Math.abs(p.y - (intercept + slope * p.x))));
  return { slope, intercept, worst };
}
