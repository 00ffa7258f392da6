import type { Rng } from "../../measure/stats/prng.js";
import { mean, quantileSorted } from "../../measure/stats/robust.js";
import { welchTTest } from "./welch.js";

export interface CriterionSettings {
  /** criterion's `significance_level` (default 0.05). */
  significanceLevel: number;
  /** criterion's `noise_threshold` (default 0.01). */
  noiseThreshold: number;
  /** criterion's `confidence_level` (default 0.95). */
  confidenceLevel: number;
  /** criterion's `nresamples` (default 100 000; fewer in the Monte-Carlo harness). */
  resamples: number;
}

export const CRITERION_DEFAULTS: CriterionSettings = {
  significanceLevel: 0.05,
  noiseThreshold: 0.01,
  confidenceLevel: 0.95,
  resamples: 100_000,
};

export interface CriterionComparison {
  /** The relative change of the mean, new / base − 1, with its bootstrap percentile interval. */
  change: { estimate: number; low: number; high: number };
  /** Two-sided p of Welch's t against its distribution under a mixed (pooled) bootstrap. */
  p: number;
  verdict: "improved" | "regressed" | "no-change" | "within-noise";
}

/**
 * criterion.rs's comparison of a benchmark's new samples with its saved baseline
 * (analysis/compare.rs, report.rs): a t-test whose null distribution is bootstrapped from the
 * pooled samples, and a bootstrap interval of the mean's relative change. Lower is better (times):
 * `improved` when p < the significance level and the whole interval is below −noise threshold;
 * `within-noise` when significant but the interval reaches inside ±noise threshold.
 */
export function criterionCompare(
  base: readonly number[],
  fresh: readonly number[],
  settings: CriterionSettings,
  rng: Rng,
): CriterionComparison {
  const t = welchTTest(fresh, base).t;
  const pooled = Float64Array.from([...fresh, ...base]);
  const x = new Float64Array(fresh.length);
  const y = new Float64Array(base.length);
  let below = 0;
  for (let r = 0; r < settings.resamples; r++) {
    draw(pooled, x, rng);
    draw(pooled, y, rng);
    if (welchT(x, y) < t) below++;
  }
  const share = below / settings.resamples;
  const p = 2 * Math.min(share, 1 - share);

  const freshValues = Float64Array.from(fresh);
  const baseValues = Float64Array.from(base);
  const changes = new Float64Array(settings.resamples);
  for (let r = 0; r < settings.resamples; r++) {
    draw(freshValues, x, rng);
    draw(baseValues, y, rng);
    changes[r] = average(x) / average(y) - 1;
  }
  const ordered = Array.from(changes).sort((x, y) => x - y);
  const tail = (1 - settings.confidenceLevel) / 2;
  const change = {
    estimate: mean(fresh) / mean(base) - 1,
    low: quantileSorted(ordered, tail),
    high: quantileSorted(ordered, 1 - tail),
  };
  const noise = settings.noiseThreshold;
  const verdict =
    p >= settings.significanceLevel
      ? "no-change"
      : change.low < -noise && change.high < -noise
        ? "improved"
        : change.low > noise && change.high > noise
          ? "regressed"
          : "within-noise";
  return { change, p, verdict };
}

/** Fills `into` with draws from `values`, with replacement. */
function draw(values: Float64Array, into: Float64Array, rng: Rng): void {
  for (let i = 0; i < into.length; i++) into[i] = values[rng.int(values.length)] as number;
}

function average(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Welch's t statistic alone, on typed arrays: the bootstrap computes it thousands of times. */
function welchT(a: Float64Array, b: Float64Array): number {
  const ma = average(a);
  const mb = average(b);
  let sa = 0;
  let sb = 0;
  for (const v of a) sa += (v - ma) ** 2;
  for (const v of b) sb += (v - mb) ** 2;
  return (ma - mb) / Math.sqrt(sa / (a.length - 1) / a.length + sb / (b.length - 1) / b.length);
}
