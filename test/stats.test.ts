import { describe, expect, it } from "vitest";
import { bootstrapStandardErrors } from "../src/measure/stats/bootstrap.js";
import { obrienFlemingSpent, sequentialBoundaries } from "../src/measure/stats/group-sequential.js";
import { hodgesLehmann } from "../src/measure/stats/hodges-lehmann.js";
import { medianInterval } from "../src/measure/stats/median-interval.js";
import { normalCdf, normalQuantile, tQuantile } from "../src/measure/stats/normal.js";
import { createRng } from "../src/measure/stats/prng.js";
import {
  mad,
  median,
  quantileSorted,
  robustCv,
  standardDeviation,
} from "../src/measure/stats/robust.js";

describe("robust summaries", () => {
  it("computes median, MAD and robust CV by hand", () => {
    // sorted: 9 10 10 11 30; median 10; |x−10| = 1 0 0 1 20 → MAD 1
    const values = [10, 30, 9, 11, 10];
    expect(median(values)).toBe(10);
    expect(mad(values)).toBe(1);
    expect(robustCv(values)).toBeCloseTo(0.14826, 10);
    expect(values).toEqual([10, 30, 9, 11, 10]); // inputs are not reordered
  });

  it("interpolates quantiles like R's type 7", () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0.9)).toBeCloseTo(3.7, 12);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("has the sample standard deviation", () => {
    // mean 5; squares 9 1 1 9 → 20/3
    expect(standardDeviation([2, 4, 6, 8])).toBeCloseTo(Math.sqrt(20 / 3), 12);
  });
});

describe("Hodges–Lehmann", () => {
  it("is the median of the Walsh averages", () => {
    // Walsh averages of 1, 2, 9: 1, 1.5, 5, 2, 5.5, 9 → sorted 1 1.5 2 5 5.5 9 → (2+5)/2
    expect(hodgesLehmann([1, 2, 9])).toBe(3.5);
    // of 0, 4: 0, 2, 4 → 2
    expect(hodgesLehmann([0, 4])).toBe(2);
    expect(hodgesLehmann([7])).toBe(7);
  });

  it("shrugs off a wild value that drags the mean", () => {
    const values = [1, 1.1, 0.9, 1.05, 0.95, 1, 50];
    expect(hodgesLehmann(values)).toBeLessThan(1.1);
  });
});

describe("normal and t distributions", () => {
  it("matches tabulated values", () => {
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.05)).toBeCloseTo(-1.644854, 5);
    expect(normalQuantile(1e-6)).toBeCloseTo(-4.753424, 4);
    // Student t table
    expect(tQuantile(0.975, 9)).toBeCloseTo(2.262157, 3);
    expect(tQuantile(0.995, 19)).toBeCloseTo(2.860935, 3);
    expect(tQuantile(0.99991, 9)).toBeCloseTo(6.0965, 1);
  });
});

describe("group-sequential boundaries", () => {
  it("spends alpha like Lan–DeMets O'Brien–Fleming", () => {
    expect(obrienFlemingSpent(0.025, 1)).toBeCloseTo(0.025, 8);
    // 2 − 2Φ(z_{0.9875}/√0.5) = 2 − 2Φ(2.241403/0.707107) = 2 − 2Φ(3.169871)
    expect(obrienFlemingSpent(0.025, 0.5)).toBeCloseTo(0.001525, 5);
    expect(obrienFlemingSpent(0.025, 0)).toBe(0);
  });

  it("reproduces the published boundaries for four equal looks at one-sided 0.025", () => {
    // Jennison & Turnbull / gsDesign sfLDOF: 4.333, 2.963, 2.359, 2.014
    const b = sequentialBoundaries([10, 20, 30, 40], 0.025);
    expect(b[0]).toBeCloseTo(4.333, 2);
    expect(b[1]).toBeCloseTo(2.963, 2);
    expect(b[2]).toBeCloseTo(2.359, 2);
    expect(b[3]).toBeCloseTo(2.014, 2);
  });

  it("is the fixed-sample z with a single look", () => {
    expect(sequentialBoundaries([40], 0.05)[0]).toBeCloseTo(1.644854, 4);
  });
});

describe("bootstrap standard error", () => {
  it("is reproducible from the seed and near σ/√n for normal data", () => {
    const rng = createRng(7);
    const values = Array.from({ length: 40 }, () => rng.normal());
    const first = bootstrapStandardErrors([values], 400, createRng(1))[0] as number;
    const again = bootstrapStandardErrors([values], 400, createRng(1))[0] as number;
    expect(again).toBe(first);
    const theory = standardDeviation(values) / Math.sqrt(40);
    expect(first).toBeGreaterThan(0.75 * theory);
    expect(first).toBeLessThan(1.35 * theory);
  });

  it("is zero for constant data", () => {
    expect(bootstrapStandardErrors([[3, 3, 3, 3]], 50, createRng(1))[0]).toBe(0);
  });
});

describe("confidence interval of the median", () => {
  it("uses the binomial order statistics", () => {
    const ten = Array.from({ length: 10 }, (_, i) => 10 - i);
    // n = 10: [x(2), x(9)], coverage 1 − 2·11/1024
    expect(medianInterval(ten)).toEqual({ low: 2, high: 9, coverage: 1 - 22 / 1024 });
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    const interval = medianInterval(twenty);
    expect([interval.low, interval.high]).toEqual([6, 15]);
    expect(interval.coverage).toBeCloseTo(0.9586, 4);
  });

  it("says when too few values reach the level", () => {
    expect(medianInterval([3, 1, 2])).toEqual({ low: 1, high: 3, coverage: 0.75 });
  });
});

describe("seeded generator", () => {
  it("repeats its sequence for a seed and differs between seeds", () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
    for (const x of seqA) expect(x >= 0 && x < 1).toBe(true);
  });
});
