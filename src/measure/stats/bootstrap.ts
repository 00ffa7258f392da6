import { hodgesLehmann } from "./hodges-lehmann.js";
import type { Rng } from "./prng.js";
import { standardDeviation } from "./robust.js";

/**
 * Bootstrap standard error of the Hodges–Lehmann estimate of each series, resampling rounds with
 * replacement. The series are paired by round, so one set of resampled rounds serves them all.
 * The factor √(n/(n−1)) undoes the plug-in bootstrap's small-sample shrinkage.
 */
export function bootstrapStandardErrors(
  series: readonly (readonly number[])[],
  resamples: number,
  rng: Rng,
): number[] {
  const n = series[0]?.length ?? 0;
  if (n < 2) return series.map(() => Number.POSITIVE_INFINITY);
  const estimates = series.map(() => new Float64Array(resamples));
  const picked = new Float64Array(n);
  const scratch = new Float64Array((n * (n + 1)) / 2);
  const indices = new Int32Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) indices[i] = rng.int(n);
    for (const [s, values] of series.entries()) {
      for (let i = 0; i < n; i++) picked[i] = values[indices[i] as number] as number;
      (estimates[s] as Float64Array)[r] = hodgesLehmann(picked, scratch);
    }
  }
  const correction = Math.sqrt(n / (n - 1));
  return estimates.map((e) => standardDeviation(Array.from(e)) * correction);
}
