// What a histogram can and cannot say about a quantile: Prometheus' histogram_quantile() computed in
// process, and where an estimate sits among the bounds (first bucket, inside, +Inf). Labs 01 and 03.

/** One cumulative bucket: observations ≤ `le` (Infinity for +Inf). */
export interface CumulativeBucket {
  readonly le: number;
  readonly count: number;
}

/**
 * histogram_quantile() as Prometheus 2.x computes it (promql/quantile.go, bucketQuantile): find the
 * bucket holding the rank, then interpolate linearly between its lower and upper bound. The first
 * bucket's lower bound is 0, so any quantile inside it is a fraction of the first bound, whatever
 * the real values were; a rank in +Inf returns the largest finite bound. NaN without observations.
 */
export function histogramQuantile(q: number, buckets: readonly CumulativeBucket[]): number {
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  if (sorted.length < 2 || sorted[sorted.length - 1]!.le !== Infinity) return NaN;
  // Prometheus makes the counts monotonic first (a scrape between two observations can disagree).
  let max = 0;
  const counts = sorted.map((b) => (max = Math.max(max, b.count)));
  const total = counts[counts.length - 1]!;
  if (total === 0) return NaN;
  let rank = q * total;
  const b = counts.findIndex((c) => c >= rank);
  if (b === sorted.length - 1) return sorted[sorted.length - 2]!.le;
  if (b === 0 && sorted[0]!.le <= 0) return sorted[0]!.le;
  let start = 0;
  let count = counts[b]!;
  if (b > 0) {
    start = sorted[b - 1]!.le;
    count -= counts[b - 1]!;
    rank -= counts[b - 1]!;
  }
  return start + (sorted[b]!.le - start) * (rank / count);
}

/** The cumulative buckets a histogram with `bounds` would hold after observing `values`. */
export function cumulativeBuckets(values: readonly number[], bounds: readonly number[]): CumulativeBucket[] {
  return [...bounds, Infinity].map((le) => ({ le, count: values.filter((v) => v <= le).length }));
}

/** Where an estimate from histogram_quantile sits among the finite bounds of its histogram. */
export type QuantileLocation =
  | { readonly kind: "first-bucket"; readonly upper: number }
  | { readonly kind: "inside"; readonly lower: number; readonly upper: number }
  | { readonly kind: "overflow"; readonly lower: number };

export function locateQuantile(value: number, bounds: readonly number[]): QuantileLocation {
  const first = bounds[0]!;
  const last = bounds[bounds.length - 1]!;
  if (value <= first) return { kind: "first-bucket", upper: first };
  if (value >= last) return { kind: "overflow", lower: last };
  const i = bounds.findIndex((b) => value <= b);
  return { kind: "inside", lower: bounds[i - 1]!, upper: bounds[i]! };
}

/** Seconds as the workbook prints bounds: "1 ms", "2.5 ms", "80 ms", "1.28 s". */
export function formatSeconds(s: number): string {
  if (s < 1) return `${Number((s * 1000).toPrecision(4))} ms`;
  return `${Number(s.toPrecision(4))} s`;
}

/**
 * The resolution of a bucket list in words, for panel descriptions: its bounds, and what a quantile
 * read from it means at either end.
 */
export function describeResolution(bounds: readonly number[], format: (x: number) => string = formatSeconds): string {
  const first = format(bounds[0]!);
  const last = format(bounds[bounds.length - 1]!);
  return `bounds ${bounds.map(format).join(", ")}. A quantile is interpolated inside the bucket that holds it, so it is known only to that bucket's width; below ${first} it reads as a fraction of ${first} whatever the real values, above ${last} it reads ${last}.`;
}
