import { describe, expect, it } from "vitest";
import {
  cannotClear,
  classify,
  DEFAULT_DECISION,
  decide,
  type LookBoundaries,
  noiseFloor,
  type PairedSeries,
} from "../src/measure/decision.js";
import { fractionToGain, gainToFraction, logGain } from "../src/measure/gain.js";
import { lookBoundaries, lookSchedule, runSequential } from "../src/measure/sequential.js";
import { createRng } from "../src/measure/stats/prng.js";

const looks = lookSchedule({ minRounds: 10, lookEvery: 5, maxRounds: 40 });
const firstLook = lookBoundaries(looks, DEFAULT_DECISION.alpha, 1)[0] as LookBoundaries;
const rounds = 10;
const constant = (value: number) => Array.from({ length: rounds }, () => value);
const series = (
  name: string,
  a: number[],
  b: number[],
  better: "lower" | "higher" = "lower",
): PairedSeries => ({
  name,
  better,
  a,
  b,
});
const decideOne = (s: PairedSeries[], memory: { a: number[]; b: number[] } | null = null) =>
  decide(
    s,
    memory,
    lookBoundaries(looks, DEFAULT_DECISION.alpha, s.length)[0] ?? firstLook,
    DEFAULT_DECISION,
    createRng(1),
  );

describe("gains", () => {
  it("reports time saved for lower-is-better and relative gain for higher-is-better", () => {
    expect(gainToFraction(logGain(100, 80, "lower"), "lower")).toBeCloseTo(0.2, 12);
    expect(gainToFraction(logGain(100, 125, "lower"), "lower")).toBeCloseTo(-0.25, 12);
    expect(gainToFraction(logGain(100, 110, "higher"), "higher")).toBeCloseTo(0.1, 12);
    expect(gainToFraction(fractionToGain(0.03, "lower"), "lower")).toBeCloseTo(0.03, 12);
  });
});

describe("classify", () => {
  it("applies the four verdict rules around ±δ", () => {
    expect(classify({ estimate: 0.05, low: 0.02, high: 0.08 }, 0.01)).toBe("improved");
    expect(classify({ estimate: 0.05, low: 0.005, high: 0.08 }, 0.01)).toBe("inconclusive");
    expect(classify({ estimate: -0.05, low: -0.08, high: -0.02 }, 0.01)).toBe("regressed");
    expect(classify({ estimate: 0, low: -0.008, high: 0.009 }, 0.01)).toBe("no-change");
    expect(classify({ estimate: 0, low: -0.03, high: 0.03 }, 0.01)).toBe("inconclusive");
  });
});

describe("decide", () => {
  it("calls an exact 20% time saving improved, with a point interval", () => {
    const d = decideOne([series("t", constant(100), constant(80))]);
    expect(d.verdict).toBe("improved");
    expect(d.overall.estimate).toBeCloseTo(0.2, 12);
    expect(d.overall.low).toBeCloseTo(0.2, 12);
    expect(d.settled).toBe(true);
    expect(d.scenarios[0]?.verdict).toBe("improved");
  });

  it("calls identical runs no-change and a slowdown regressed", () => {
    expect(decideOne([series("t", constant(100), constant(100))]).verdict).toBe("no-change");
    const slower = decideOne([series("t", constant(100), constant(125))]);
    expect(slower.verdict).toBe("regressed");
    expect(slower.overall.estimate).toBeCloseTo(-0.25, 12);
  });

  it("honours higher-is-better metrics", () => {
    const d = decideOne([series("ops", constant(1000), constant(1100), "higher")]);
    expect(d.verdict).toBe("improved");
    expect(d.overall.estimate).toBeCloseTo(0.1, 12);
  });

  it("stays inconclusive on noisy rounds at the strict first look", () => {
    const a = constant(100);
    const b = a.map((_, i) => (i % 2 === 0 ? 92 : 104));
    const d = decideOne([series("t", a, b)]);
    expect(d.verdict).toBe("inconclusive");
    expect(d.settled).toBe(false);
    expect(d.overall.low).toBeLessThan(0);
    expect(d.overall.high).toBeGreaterThan(0.01);
  });

  it("states the overall of several time scenarios as share saved, between theirs (issue 13, item 16)", () => {
    const d = decideOne([
      series("halved", constant(100), constant(50)),
      series("fifth", constant(100), constant(80)),
    ]);
    // 1 − geomean(0.5, 0.8) = 0.3675, not the speed-up 1/0.632 − 1 = 0.58
    expect(d.overall.estimate).toBeCloseTo(1 - Math.sqrt(0.5 * 0.8), 12);
    const [low, high] = [0.2, 0.5];
    expect(d.scenarios.map((s) => s.improvement.estimate)).toEqual([
      expect.closeTo(high, 12),
      expect.closeTo(low, 12),
    ]);
    expect(d.overall.estimate).toBeGreaterThan(low);
    expect(d.overall.estimate).toBeLessThan(high);
  });

  it("lets a regressing scenario veto a better overall score", () => {
    const d = decideOne([
      series("fast", constant(100), constant(70)),
      series("slow", constant(100), constant(110)),
    ]);
    // geometric mean of the per-round ratios 0.7 and 1.1 is below 1: the score alone says improved
    expect(d.overall.estimate).toBeGreaterThan(0.1);
    expect(d.scenarios.map((s) => s.verdict)).toEqual(["improved", "regressed"]);
    expect(d.verdict).toBe("regressed");
    expect(d.vetoes).toEqual(["scenario slow regressed by more than 3.0%"]);
  });

  it("vetoes on peak memory past its tolerance, and not within it", () => {
    const faster = [series("t", constant(100), constant(80))];
    const bloated = decideOne(faster, { a: constant(1000), b: constant(1200) });
    expect(bloated.verdict).toBe("regressed");
    expect(bloated.vetoes).toEqual(["peak memory grew by more than 10%"]);
    expect(bloated.memory?.estimate).toBeCloseTo(-0.2, 12);
    const slightly = decideOne(faster, { a: constant(1000), b: constant(1050) });
    expect(slightly.verdict).toBe("improved");
    expect(slightly.memory?.verdict).toBe("no-change");
  });

  it("raises δ to the noise floor on noisy arms", () => {
    // robust CV of [9,10,10,11,30] is 1.4826·1/10; over √40 rounds
    expect(noiseFloor([9, 10, 10, 11, 30], [10, 10, 10, 10, 10], 40)).toBeCloseTo(
      0.14826 / Math.sqrt(40),
      12,
    );
    const a = Array.from({ length: rounds }, (_, i) => (i % 2 === 0 ? 80 : 120));
    const d = decideOne([
      series(
        "t",
        a,
        a.map((x) => x * 0.9),
      ),
    ]);
    expect(d.noiseFloor).toBeGreaterThan(DEFAULT_DECISION.minEffect);
    expect(d.delta).toBe(d.noiseFloor);
  });
});

describe("futility", () => {
  // Per-round log gains alternating ±1.5% around zero: at the first look the interval is far wider
  // than ±δ, but even its plausible top leaves the last look's lower bound short of δ.
  const aroundZero = (round: number) => (round % 2 === 0 ? 0.015 : -0.015);
  const withGains = (gains: number[]): PairedSeries[] => [
    series(
      "t",
      gains.map(() => 100),
      gains.map((g) => 100 * Math.exp(-g)),
    ),
  ];

  it("stops a comparison whose improvement cannot clear δ, as a drop", () => {
    const d = decideOne(withGains(Array.from({ length: rounds }, (_, i) => aroundZero(i))));
    expect(d.verdict).toBe("inconclusive");
    expect(d.overall.high).toBeGreaterThan(d.delta);
    expect(d.settledBy).toBe("futility");
    expect(d.settled).toBe(true);
  });

  it("does not stop for futility when the improvement might still clear δ", () => {
    const d = decideOne(withGains(Array.from({ length: rounds }, (_, i) => 0.03 + aroundZero(i))));
    expect(d.verdict).toBe("inconclusive");
    expect(d.settledBy).toBeNull();
  });

  it("never stops for futility when the estimate is well above δ", () => {
    const rng = createRng(7);
    for (let trial = 0; trial < 10; trial++) {
      const gains = Array.from({ length: rounds }, () => 0.06 + 0.03 * rng.normal());
      expect(decideOne(withGains(gains)).settledBy).not.toBe("futility");
    }
  });

  it("asks more of a look than of the last: the last look's half-width is projected", () => {
    const interval = { estimate: 0.02, low: -0.02, high: 0.06, standardError: 0.01 };
    const settings = { futilityZ: 1.5, maxRounds: 40 };
    // plausible top 0.02 + 1.57·0.01 ≈ 0.036; last look's half-width ≈ 2.0·0.01·√(10/40) = 0.01
    expect(cannotClear(interval, 10, 0.02, 1.96, settings)).toBe(false);
    expect(cannotClear(interval, 10, 0.03, 1.96, settings)).toBe(true);
  });
});

describe("sequential looks", () => {
  it("looks at the minimum, every step, and always at the maximum", () => {
    expect(looks).toEqual([10, 15, 20, 25, 30, 35, 40]);
    expect(lookSchedule({ minRounds: 10, lookEvery: 5, maxRounds: 12 })).toEqual([10, 12]);
    expect(lookSchedule({ minRounds: 10, lookEvery: 5, maxRounds: 6 })).toEqual([6]);
  });

  it("uses stricter boundaries early and splits alpha across scenarios", () => {
    const b = lookBoundaries(looks, 0.05, 3);
    expect((b[0] as { overall: number }).overall).toBeGreaterThan(
      (b[6] as { overall: number }).overall,
    );
    for (const look of b) expect(look.perScenario).toBeGreaterThan(look.overall);
  });

  it("stops at the first settled look and runs no further round", async () => {
    let ran = 0;
    const outcome = await runSequential({
      looks,
      boundaries: lookBoundaries(looks, 0.05, 1),
      runRound: () => {
        ran++;
      },
      decideAt: (count) => ({ settledBy: count >= 15 ? ("equivalence" as const) : null }),
    });
    expect(ran).toBe(15);
    expect(outcome).toMatchObject({ rounds: 15, looks: 2, stoppedFor: "equivalence" });
  });

  it("stops before a round when the time is up, and says so", async () => {
    let ran = 0;
    const outcome = await runSequential({
      looks,
      boundaries: lookBoundaries(looks, 0.05, 1),
      runRound: () => {
        ran++;
      },
      decideAt: () => ({ settledBy: null }),
      timeUp: () => ran >= 7,
    });
    expect(ran).toBe(7);
    expect(outcome).toMatchObject({ rounds: 7, looks: 1, stoppedFor: "time" });
  });

  it("calls a futility stop at the last look the end of the rounds", async () => {
    const outcome = await runSequential({
      looks: [2, 4],
      boundaries: lookBoundaries([2, 4], 0.05, 1),
      runRound: () => {},
      decideAt: (count) => ({ settledBy: count === 4 ? ("futility" as const) : null }),
    });
    expect(outcome).toMatchObject({ rounds: 4, stoppedFor: "max-rounds" });
  });

  it("stops at the last look when nothing settles", async () => {
    let ran = 0;
    const outcome = await runSequential({
      looks: [2, 4],
      boundaries: lookBoundaries([2, 4], 0.05, 1),
      runRound: () => {
        ran++;
      },
      decideAt: () => ({ settledBy: null }),
    });
    expect(ran).toBe(4);
    expect(outcome.stoppedFor).toBe("max-rounds");
  });
});

describe("secondary counters", () => {
  const counter = (a: number[], b: number[]) => ({
    name: "allocs/op",
    better: "lower" as const,
    a,
    b,
  });
  const decideWith = (counters: ReturnType<typeof counter>[], b = 90) =>
    decide(
      [series("ns/op", constant(100), constant(b))],
      null,
      firstLook,
      DEFAULT_DECISION,
      createRng(1),
      counters,
    );

  it("leaves 0 → 0 unchanged and lets the scenario decide", () => {
    const decision = decideWith([counter(constant(0), constant(0))]);
    expect(decision.verdict).toBe("improved");
    expect(decision.counters).toEqual([
      { name: "allocs/op", better: "lower", medianA: 0, medianB: 0, verdict: "no-change" },
    ]);
    expect(decision.vetoes).toEqual([]);
  });

  it("calls 0 → 1 a regression of the counter that vetoes the scenario's win", () => {
    const decision = decideWith([counter(constant(0), constant(1))]);
    expect(decision.verdict).toBe("regressed");
    expect(decision.overall.estimate).toBeCloseTo(0.1, 10);
    expect(decision.counters[0]?.verdict).toBe("regressed");
    expect(decision.vetoes).toEqual(["counter allocs/op regressed: median 0 → 1"]);
    expect(decision.settled).toBe(true);
  });

  it("reports a counter that fell as improved without changing the verdict", () => {
    const decision = decideWith([counter(constant(2), constant(1))], 100);
    expect(decision.verdict).toBe("no-change");
    expect(decision.counters[0]?.verdict).toBe("improved");
  });
});
