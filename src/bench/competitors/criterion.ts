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
  const pooled = [...fresh, ...base];
  const below = countBelow(settings.resamples, t, () => {
    const x = resample(pooled, fresh.length, rng);
    const y = resample(pooled, base.length, rng);
    return welchTTest(x, y).t;
  });
  const share = below / settings.resamples;
  const p = 2 * Math.min(share, 1 - share);

  const changes = new Float64Array(settings.resamples);
  for (let r = 0; r < settings.resamples; r++) {
    changes[r] =
      mean(resample(fresh, fresh.length, rng)) / mean(resample(base, base.length, rng)) - 1;
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

function countBelow(times: number, threshold: number, draw: () => number): number {
  let count = 0;
  for (let i = 0; i < times; i++) if (draw() < threshold) count++;
  return count;
}

function resample(values: readonly number[], size: number, rng: Rng): number[] {
  const out = new Array<number>(size);
  for (let i = 0; i < size; i++) out[i] = values[rng.int(values.length)] as number;
  return out;
}
