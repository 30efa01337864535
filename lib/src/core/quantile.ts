/**
 * Quantile of sorted values by linear interpolation between order statistics (Hyndman & Fan type 7),
 * the default of numpy.percentile and R's quantile(), so intervals match what a Python user computes.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (n === 1) return sorted[0];
  const position = (n - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, n - 1);
  const weight = position - lower;
  return sorted[lower] + weight * (sorted[upper] - sorted[lower]);
}
