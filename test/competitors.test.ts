import { describe, expect, it } from "vitest";
import { CRITERION_DEFAULTS, criterionCompare } from "../src/bench/competitors/criterion.js";
import { mannWhitneyU } from "../src/bench/competitors/mann-whitney.js";
import { studentTCdf } from "../src/bench/competitors/student-t.js";
import { welchTTest } from "../src/bench/competitors/welch.js";
import { createRng } from "../src/measure/stats/prng.js";

// Reference values from scipy 1.17 (stats.t.cdf, ttest_ind(equal_var=False), mannwhitneyu).
const A = [10.21, 9.83, 10.52, 10.14, 9.95, 10.47, 10.06, 10.38, 9.71, 10.66];
const B = [9.62, 9.91, 9.44, 9.85, 10.02, 9.55, 9.77, 9.33, 9.98, 9.69];

describe("the statistics of the tools people use instead", () => {
  it("computes Student's t distribution at real degrees of freedom", () => {
    expect(studentTCdf(-2.1, 7)).toBeCloseTo(0.036935598106461326, 9);
    expect(studentTCdf(1.3, 3.5)).toBeCloseTo(0.8637022920978149, 9);
    expect(studentTCdf(0.5, 30)).toBeCloseTo(0.6896384975574363, 9);
    expect(studentTCdf(0, 4)).toBeCloseTo(0.5, 12);
  });

  it("runs Welch's t-test like scipy (hyperfine's welch_ttest.py)", () => {
    const test = welchTTest(A, B);
    expect(test.t).toBeCloseTo(3.8734430202160652, 9);
    expect(test.degreesOfFreedom).toBeCloseTo(16.58691279373175, 9);
    expect(test.p).toBeCloseTo(0.0012697302956510322, 8);
    expect(welchTTest(B, A).t).toBeCloseTo(-3.8734430202160652, 9);
  });

  it("runs the exact Mann–Whitney U test without ties, the normal approximation with them", () => {
    expect(mannWhitneyU(A, B)).toEqual({ u: 89, p: expect.closeTo(0.0020892420273225226, 12) });
    expect(mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]).p).toBeCloseTo(0.004329004329, 10);
    expect(mannWhitneyU([1, 3, 5, 7, 9, 11, 13], [2, 4, 6, 8, 10])).toEqual({
      u: 20,
      p: expect.closeTo(0.7550505050505051, 12),
    });
    const tiedA = [10.2, 9.8, 10.5, 10.1, 9.9, 10.4, 10.0, 10.3, 9.7, 10.6];
    const tiedB = [9.6, 9.9, 9.4, 9.8, 10.0, 9.5, 9.7, 9.3, 9.9, 9.6];
    expect(mannWhitneyU(tiedA, tiedB)).toEqual({
      u: 89.5,
      p: expect.closeTo(0.0031061827209542276, 7), // to the normal CDF's 1e-7
    });
  });

  it("bootstraps criterion's interval of the mean's change to the known standard error", () => {
    // base is constant 10; fresh alternates 9 and 11 (sd 1): a resampled mean of 100 has sd 0.1,
    // so the change's 95% interval is ±1.96 · 0.01.
    const base = Array.from({ length: 100 }, () => 10);
    const fresh = Array.from({ length: 100 }, (_, i) => (i % 2 ? 9 : 11));
    const settings = { ...CRITERION_DEFAULTS, resamples: 20_000 };
    const result = criterionCompare(base, fresh, settings, createRng(7));
    expect(result.change.estimate).toBeCloseTo(0, 12);
    expect(result.change.low).toBeCloseTo(-0.0196, 3);
    expect(result.change.high).toBeCloseTo(0.0196, 3);
    expect(result.verdict).toBe("no-change");
  });

  it("tells an improvement from one within its noise threshold, as criterion does", () => {
    const rng = createRng(3);
    const noisy = (level: number) =>
      Array.from({ length: 100 }, () => level * (1 + 0.01 * rng.normal()));
    const settings = { ...CRITERION_DEFAULTS, resamples: 5000 };
    const base = noisy(100);
    const faster = criterionCompare(base, noisy(95), settings, rng);
    expect(faster.verdict).toBe("improved");
    expect(faster.p).toBeLessThan(0.001);
    expect(faster.change.low).toBeLessThan(-0.04);
    expect(faster.change.high).toBeGreaterThan(-0.06);
    // 0.7% faster is significant with 100 samples at 1% noise, but inside the 1% threshold.
    const slightly = criterionCompare(
      base,
      base.map((v) => 0.993 * v),
      settings,
      rng,
    );
    expect(slightly.p).toBeLessThan(0.05);
    expect(slightly.verdict).toBe("within-noise");
  });

  it("finds the mixed bootstrap's p close to Welch's own", () => {
    const settings = { ...CRITERION_DEFAULTS, resamples: 20_000 };
    const result = criterionCompare(B, A, settings, createRng(11));
    // Welch's t-distribution p is 0.0013; the pooled bootstrap's null is close to it.
    expect(result.p).toBeLessThan(0.01);
    expect(result.verdict).toBe("regressed");
  });
});
