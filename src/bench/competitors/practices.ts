import { createRng } from "../../measure/stats/prng.js";
import { mean, median } from "../../measure/stats/robust.js";
import type { NoiseModel } from "../noise-models.js";
import { CRITERION_DEFAULTS, criterionCompare } from "./criterion.js";
import { mannWhitneyU } from "./mann-whitney.js";
import { welchTTest } from "./welch.js";

/** One comparison by a tool's usual practice: whether it reports B faster, and the runs it took. */
export interface PracticeResult {
  kept: boolean;
  runs: number;
}

/**
 * All of A's runs, then all of B's (not interleaved), as these tools measure: hyperfine runs its
 * commands one after the other, benchstat compares a `-count=N` run before the change with one
 * after it, criterion compares with the baseline it saved. `ratio` is the true B/A of a time.
 */
function blocks(model: NoiseModel, ratio: number, seed: number, perArm: number) {
  const rng = createRng(seed);
  const noise = model.trial(rng, 2 * perArm);
  const a = Array.from({ length: perArm }, (_, i) => 100 * noise(i));
  const b = Array.from({ length: perArm }, (_, i) => 100 * ratio * noise(perArm + i));
  return { a, b, rng };
}

/** hyperfine's usual practice: 10 runs of each, Welch's t-test at 5%, B kept if faster. */
export function hyperfineTrial(model: NoiseModel, ratio: number, seed: number): PracticeResult {
  const { a, b } = blocks(model, ratio, seed, 10);
  const test = welchTTest(a, b);
  return { kept: test.p < 0.05 && mean(b) < mean(a), runs: 20 };
}

/** benchstat's: `-count=10` before and after, Mann–Whitney U at 5%, B kept if its median is lower. */
export function benchstatTrial(model: NoiseModel, ratio: number, seed: number): PracticeResult {
  const { a, b } = blocks(model, ratio, seed, 10);
  const test = mannWhitneyU(a, b);
  return { kept: test.p < 0.05 && median(b) < median(a), runs: 20 };
}

/**
 * criterion.rs's defaults (100 samples per benchmark, 5% significance, 1% noise threshold), one
 * run per sample, with `resamples` bootstrap resamples (criterion's own 100 000 is too slow for
 * thousands of trials; the percentile interval moves by well under 0.1 point at 2000).
 */
export function criterionTrial(
  model: NoiseModel,
  ratio: number,
  seed: number,
  samples = 100,
  resamples = 2000,
): PracticeResult {
  const { a, b, rng } = blocks(model, ratio, seed, samples);
  const result = criterionCompare(a, b, { ...CRITERION_DEFAULTS, resamples }, rng);
  return { kept: result.verdict === "improved", runs: 2 * samples };
}
