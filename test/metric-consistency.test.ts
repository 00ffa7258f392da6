import { describe, expect, it } from "vitest";
import { metricProcessConsistency, type TimedRound } from "../src/measure/metric-consistency.js";
import {
  consistencyScope,
  durationMsPerUnit,
  type ScopeSample,
} from "../src/measure/metric-consistency-scope.js";
import { createRng } from "../src/measure/stats/prng.js";
import { rankCorrelation } from "../src/measure/stats/rank-correlation.js";

/** Per-run means of one side and the noise (standard deviation, ms) around each. */
interface Side {
  metric: number;
  wall: number;
  cpu: number | null;
}

/** `count` rounds drawn from normal noise of `sd` ms around A's and B's means, seeded. */
function rounds(a: Side, b: Side, sd: number, count = 20, seed = 7): TimedRound[] {
  const rng = createRng(seed);
  // Most of the process's time is the timed work: its noise shows in the metric and the times alike.
  const draw = (side: Side) => {
    const shared = sd * rng.normal();
    return {
      metricMs: side.metric + shared,
      wallMs: side.wall + shared + 0.3 * sd * rng.normal(),
      cpuMs: side.cpu === null ? null : side.cpu + shared + 0.3 * sd * rng.normal(),
    };
  };
  return Array.from({ length: count }, () => ({ a: draw(a), b: draw(b) }));
}

const check = (r: TimedRound[], seed = 1) =>
  metricProcessConsistency(r, 0.05, 200, createRng(seed));

describe("the metric's saving against the process's (statistics)", () => {
  it("passes an honest saving: the process saves what the metric says", () => {
    const finding = check(
      rounds({ metric: 200, wall: 250, cpu: 240 }, { metric: 100, wall: 150, cpu: 140 }, 5),
    );
    expect(finding.inconsistent).toBe(false);
    expect(finding.metric.estimate).toBeCloseTo(100, -1);
    expect(finding.cpu?.estimate).toBeCloseTo(100, -1);
    expect(finding.wall.estimate).toBeCloseTo(100, -1);
  });

  it("rejects a saving only the metric shows: the printed number divided, the process unchanged", () => {
    const rng = createRng(3);
    const honestA = rounds(
      { metric: 200, wall: 250, cpu: 240 },
      { metric: 200, wall: 250, cpu: 240 },
      5,
    );
    // B does the same work, then prints a twentieth of it.
    const gamed = honestA.map((r) => ({
      a: r.a,
      b: { ...r.b, metricMs: r.b.metricMs / 20 + rng.next() },
    }));
    const finding = check(gamed);
    expect(finding.inconsistent).toBe(true);
    expect(finding.metric.low).toBeGreaterThan(150);
    expect(finding.cpu?.high).toBeLessThan(95);
    expect(finding.wall.high).toBeLessThan(95);
  });

  it("rejects a saving the process shows only a small part of", () => {
    // The metric says 100 ms saved, the process saved 20: the timer was moved, not the work cut.
    const finding = check(
      rounds({ metric: 200, wall: 250, cpu: 240 }, { metric: 100, wall: 230, cpu: 220 }, 5),
    );
    expect(finding.inconsistent).toBe(true);
  });

  it("passes a noisy honest saving: the interval does not prove a shortfall", () => {
    // The process shows 60% of the metric's 30 ms saving (the rest was timed but overlapped),
    // and its times are far noisier than that: some seeds' point estimates fall below half.
    const estimates: number[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      const noisy = rounds(
        { metric: 200, wall: 250, cpu: 240 },
        { metric: 170, wall: 232, cpu: 222 },
        5,
        20,
        seed,
      );
      const rng = createRng(seed + 100);
      for (const r of noisy) {
        r.a.wallMs += 40 * rng.normal();
        r.b.wallMs += 40 * rng.normal();
        r.a.cpuMs = (r.a.cpuMs as number) + 40 * rng.normal();
        r.b.cpuMs = (r.b.cpuMs as number) + 40 * rng.normal();
      }
      const finding = check(noisy, seed);
      estimates.push(
        Math.max(finding.cpu?.estimate ?? 0, finding.wall.estimate) / finding.metric.estimate,
      );
      expect(finding.inconsistent).toBe(false);
    }
    expect(Math.min(...estimates)).toBeLessThan(0.5);
  });

  it("passes an I/O-bound benchmark's saving, which shows in wall time and not in CPU time", () => {
    // It waits on I/O: 200 ms of wall timed, little CPU; the candidate waits half as long.
    const finding = check(
      rounds({ metric: 200, wall: 240, cpu: 30 }, { metric: 100, wall: 140, cpu: 30 }, 3),
    );
    expect(finding.cpu?.high).toBeLessThan(50);
    expect(finding.inconsistent).toBe(false);
  });

  it("passes a multithreaded benchmark's saving, which shows in CPU time more than wall time", () => {
    const finding = check(
      rounds({ metric: 200, wall: 240, cpu: 800 }, { metric: 100, wall: 230, cpu: 400 }, 3),
    );
    expect(finding.inconsistent).toBe(false);
  });

  it("decides by wall time alone when the OS gave no CPU time", () => {
    const gamed = rounds(
      { metric: 200, wall: 250, cpu: null },
      { metric: 10, wall: 250, cpu: null },
      5,
    );
    const finding = check(gamed);
    expect(finding.cpu).toBeNull();
    expect(finding.inconsistent).toBe(true);
    const honest = rounds(
      { metric: 200, wall: 250, cpu: null },
      { metric: 100, wall: 150, cpu: null },
      5,
    );
    expect(check(honest).inconsistent).toBe(false);
  });

  it("does not judge a metric that did not credibly improve", () => {
    // The process got 50 ms slower and the metric did not move: a regression, not a gamed metric.
    const finding = check(
      rounds({ metric: 200, wall: 250, cpu: 240 }, { metric: 200, wall: 300, cpu: 290 }, 5),
    );
    expect(finding.metric.low).toBeLessThan(0);
    expect(finding.cpu?.high).toBeLessThan(0);
    expect(finding.inconsistent).toBe(false);
  });

  it("replays: the same rounds and seed give the same intervals", () => {
    const r = rounds(
      { metric: 200, wall: 250, cpu: 240 },
      { metric: 120, wall: 200, cpu: 190 },
      10,
    );
    expect(check(r, 9)).toEqual(check(r, 9));
  });
});

function samples(
  count: number,
  each: (i: number) => Partial<ScopeSample> & { value: number },
): ScopeSample[] {
  return Array.from({ length: count }, (_, i) => {
    const { value, ...rest } = each(i);
    return {
      metrics: { report_ms: value },
      units: {},
      format: "keyvalue",
      wallMs: 250,
      cpuMs: 230,
      ...rest,
    };
  });
}

const REPORT = { name: "report_ms", direction: "lower" } as const;

describe("where the check is sound (learned from the baseline's runs)", () => {
  it("checks a hand-written benchmark whose timed work is most of its process's time", () => {
    const scope = consistencyScope(
      samples(10, () => ({ value: 200 })),
      REPORT,
    );
    expect(scope).toEqual({
      checked: true,
      msPerUnit: 1,
      note: "checked (report_ms is 80% of the process's wall time)",
    });
  });

  it("checks against CPU time where contention makes the process's wall time long", () => {
    const scope = consistencyScope(
      samples(10, () => ({ value: 275, wallMs: 600, cpuMs: 240 })),
      REPORT,
    );
    expect(scope.note).toBe("checked (report_ms is 115% of the process's CPU time)");
  });

  it("skips a calibrated-time harness, the wall time itself, and a harness's JSON", () => {
    for (const format of ["go-bench", "jmh", "tinybench", "hyperfine"] as const) {
      const scope = consistencyScope(
        samples(10, () => ({ value: 200, format, units: { report_ms: "ms" } })),
        REPORT,
      );
      expect(scope).toEqual({
        checked: false,
        note: `not checked: the benchmark is a calibrated-time harness (${format}), whose process runs for a set time or number of repetitions whatever the speed`,
      });
    }
    const wall = consistencyScope(
      samples(10, () => ({ value: 250, format: "wall-time", metrics: { "wall-time": 250 } })),
      { name: "wall-time", direction: "lower" },
    );
    expect(wall.note).toBe("not checked: the metric is the process's wall time itself");
  });

  it("skips metrics that are not durations in a known unit", () => {
    const value = consistencyScope(
      samples(10, () => ({ value: 0, format: "number", metrics: { value: 200 } })),
      { name: "value", direction: "lower" },
    );
    expect(value.checked).toBe(false);
    expect(value.note).toContain("the unit of value is unknown");
    const rate = consistencyScope(
      samples(10, () => ({ value: 0, metrics: { rps: 200 }, units: { rps: "req/s" } })),
      { name: "rps", direction: "higher" },
    );
    expect(rate.note).toBe("not checked: higher is better for rps, so it is not a duration");
    const memory = consistencyScope(
      samples(10, () => ({ value: 0, metrics: { heap: 200 }, units: { heap: "MB" } })),
      { name: "heap", direction: "lower" },
    );
    expect(memory.note).toBe("not checked: heap is not a duration (its unit is MB)");
  });

  it("skips a metric that is a small share of the process's time, or more than all of it", () => {
    const small = consistencyScope(
      samples(10, () => ({ value: 20 })),
      REPORT,
    );
    expect(small.note).toBe(
      "not checked: report_ms is only 8% of the process's wall time and 9% of its CPU time, too small a part to compare their savings",
    );
    // `echo "report_ms: $(cat file)"` runs for 3 ms and prints 100: not this process's time.
    const printed = consistencyScope(
      samples(10, () => ({ value: 100, wallMs: 3, cpuMs: 2 })),
      REPORT,
    );
    expect(printed.note).toBe(
      "not checked: report_ms is 3333% of the process's wall time: it does not time the process's own work",
    );
  });

  it("skips a metric that does not move with the process's time across runs that vary enough", () => {
    // The metric goes 100 → 190 while the process's time goes down: it measures something else.
    const unrelated = samples(10, (i) => ({
      value: 100 + 10 * i,
      wallMs: 300 - 5 * i,
      cpuMs: 290 - 5 * i,
    }));
    const scope = consistencyScope(unrelated, REPORT);
    expect(scope.checked).toBe(false);
    expect(scope.note).toBe(
      "not checked: report_ms is 52% of the process's wall time, but across the baseline's runs it does not move with the process's time (rank correlation -1.00 with wall, -1.00 with CPU)",
    );
    // Contention: the timed work's wall time varies, its CPU time hardly (coarse, and unordered).
    const contended = unrelated.map((s, i) => ({ ...s, wallMs: 200 + 10 * i, cpuMs: 200 - i }));
    expect(consistencyScope(contended, REPORT).checked).toBe(true);
    const related = unrelated.map((s, i) => ({ ...s, wallMs: 200 + 10 * i, cpuMs: 190 + 10 * i }));
    expect(consistencyScope(related, REPORT).checked).toBe(true);
  });

  it("reads the unit from the unit printed, else from the metric's name", () => {
    expect(durationMsPerUnit("parse", "s")).toBe(1000);
    expect(durationMsPerUnit("parse", "µs")).toBe(0.001);
    expect(durationMsPerUnit("parse", "ops/s")).toBeUndefined();
    expect(durationMsPerUnit("BenchmarkParse ns/op", "ns/op")).toBe(1e-6);
    expect(durationMsPerUnit("parse", "B/op")).toBeUndefined();
    expect(durationMsPerUnit("parse_ms", undefined)).toBe(1);
    expect(durationMsPerUnit("latency.us", undefined)).toBe(0.001);
    expect(durationMsPerUnit("totalSeconds", undefined)).toBe(1000);
    expect(durationMsPerUnit("parseMillis", undefined)).toBe(1);
    expect(durationMsPerUnit("ms", undefined)).toBe(1);
    // Too ambiguous to read as a time: a bare _s, or a name that merely ends in the letters.
    expect(durationMsPerUnit("requests_s", undefined)).toBeUndefined();
    expect(durationMsPerUnit("items", undefined)).toBeUndefined();
    expect(durationMsPerUnit("value", undefined)).toBeUndefined();
  });
});

describe("rank correlation", () => {
  it("is +1 for any rising relation, −1 for a falling one, 0 for a constant series", () => {
    expect(rankCorrelation([1, 2, 3, 4], [10, 100, 1000, 10_000])).toBeCloseTo(1, 12);
    expect(rankCorrelation([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(rankCorrelation([1, 2, 3, 4], [5, 5, 5, 5])).toBe(0);
    // ties share their average rank: ranks x 1 2 3 4, y 1.5 1.5 3 4
    expect(rankCorrelation([1, 2, 3, 4], [7, 7, 8, 9])).toBeCloseTo(0.9486832981, 9);
  });
});
