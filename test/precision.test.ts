import { describe, expect, it } from "vitest";
import { DEFAULT_DECISION } from "../src/measure/decision.js";
import { estimateDuration, formatEstimate } from "../src/measure/duration-estimate.js";
import { preciseEnough } from "../src/measure/precision.js";
import { lookBoundaries, lookSchedule } from "../src/measure/sequential.js";

describe("the headline's precision", () => {
  it("asks ±0.5 points of a small gain and 5% of the estimate of a large one", () => {
    expect(preciseEnough({ estimate: 0.03, low: 0.026, high: 0.034 })).toBe(true);
    expect(preciseEnough({ estimate: 0.03, low: 0.02, high: 0.04 })).toBe(false);
    // a 2× speedup (50% saved) within ±2 points is precise enough; within ±3 it is not
    expect(preciseEnough({ estimate: 0.5, low: 0.48, high: 0.52 })).toBe(true);
    expect(preciseEnough({ estimate: 0.5, low: 0.47, high: 0.53 })).toBe(false);
    expect(preciseEnough({ estimate: -0.4, low: -0.41, high: -0.39 })).toBe(true);
  });
});

describe("the duration estimate", () => {
  const looks = lookSchedule({ minRounds: 10, lookEvery: 5, maxRounds: 40 });
  const boundaries = lookBoundaries(looks, DEFAULT_DECISION.alpha, 1);
  const estimate = (cv: number | undefined, maxMinutes?: number) =>
    estimateDuration({
      secondsPerRound: 60,
      cv,
      looks,
      boundaries,
      settings: DEFAULT_DECISION,
      maxMinutes,
    });

  it("expects fewer rounds than the most for a quiet no-change, more on noise", () => {
    const quiet = estimate(0.02);
    expect(quiet.typicalRounds).toBeLessThan(40);
    expect(quiet.maxSeconds).toBe(40 * 60);
    expect(quiet.typicalSeconds).toBe(quiet.typicalRounds * 60);
    const noisy = estimate(0.08);
    expect(noisy.typicalRounds).toBeGreaterThanOrEqual(quiet.typicalRounds);
    expect(noisy.resolvableGain).toBeGreaterThan(quiet.resolvableGain);
    expect(quiet.resolvableGain).toBeGreaterThan(DEFAULT_DECISION.minEffect);
  });

  it("assumes a quiet machine's noise when none is known, and says so", () => {
    const assumed = estimate(undefined);
    expect(assumed).toMatchObject({ cv: 0.02, cvAssumed: true });
    expect(formatEstimate(assumed)).toMatch(
      /^about \d+ min \(\d+ rounds\) if the change does nothing, at most 40 min \(40 rounds\); a true gain of \d+\.\d% or more is kept 95% of the time \(2\.0% noise assumed, 60 s per round\)$/,
    );
  });

  it("is capped by --max-minutes", () => {
    const capped = estimate(0.02, 15);
    expect(capped).toMatchObject({ capped: true, maxSeconds: 15 * 60 });
    expect(formatEstimate(capped)).toContain("at most 15 min (the time cap)");
  });
});
