/** The pure arithmetic of the benchmark: percentiles, summaries, ratios. */

export interface Summary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/**
 * The nearest-rank percentile of ascending `sorted` values: the smallest value with at least `p`
 * percent of the values at or below it (p50 of [1, 2, 3, 4] is 2, p99 of 100 values is the 99th).
 * NaN for no values.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], not ${p}`);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

/** Count, p50, p99, max and mean of `samples` (any order). */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
  };
}

/** `value / base`; NaN when the base is not a positive number. */
export function ratio(value: number, base: number): number {
  return base > 0 && Number.isFinite(base) ? value / base : Number.NaN;
}

/** The median of a few values (e.g. per-round figures). */
export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/**
 * The median of `values[i] / bases[i]`: each value set against the base measured next to it (the
 * same round of alternating runs), so a stretch of time when the machine was slower for both
 * cancels out, where a ratio of two medians would compare rounds run at different times. Pairs
 * with no positive base are left out; NaN when none is left.
 */
export function pairedRatio(values: readonly number[], bases: readonly number[]): number {
  if (values.length !== bases.length) throw new RangeError(`${values.length} values against ${bases.length} bases`);
  const ratios = values.map((v, i) => ratio(v, bases[i] ?? Number.NaN)).filter((r) => Number.isFinite(r));
  return median(ratios);
}
