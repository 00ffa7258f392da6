import { describe, expect, it } from "vitest";
import { type CompareReport, formatCompareReport } from "../src/measure/compare-report.js";
import { memoryCheck } from "../src/measure/memory-check.js";

const report = (saved: number, ci: [number, number]): CompareReport => ({
  verdict: "improved",
  improvement: 0.2,
  ci: [0.15, 0.25],
  rounds: 10,
  looks: 1,
  seed: 1,
  noiseFloor: 0.01,
  delta: 0.05,
  minEffect: 0.05,
  alpha: 0.05,
  a: { revision: "HEAD~1", commit: "a".repeat(40) },
  b: { revision: "HEAD", commit: "b".repeat(40) },
  bench: "./bench",
  scenarios: [],
  counters: [],
  stoppedFor: "efficacy",
  memory: {
    verdict: "inconclusive",
    check: memoryCheck({ estimate: saved, low: ci[0], high: ci[1] }, 0.1),
    improvement: saved,
    ci,
    medianAKb: 10240,
    medianBKb: 10240 * (1 - saved),
    tolerance: 0.1,
  },
  memoryNote: "",
  vetoes: [],
  behaviour: { changed: false, checked: 0, learnedFrom: 0, firstDifference: null },
  samples: [],
});

const memoryRow = (text: string) => text.split("\n").find((l) => l.startsWith("peak memory"));

describe("the peak-memory check (issue 13, item 17)", () => {
  it("says a saving in words and calls the check within tolerance, not inconclusive", () => {
    const row = memoryRow(formatCompareReport(report(0.111, [0.078, 0.143])));
    expect(row).toMatch(/11\.1% less\s+\[7\.8% less, 14\.3% less\]\s+within tolerance \(10%\)/);
    expect(row).not.toMatch(/inconclusive|no-change|\+11/);
  });

  it("calls memory that credibly grew past the tolerance vetoed", () => {
    const row = memoryRow(formatCompareReport(report(-0.25, [-0.3, -0.2])));
    expect(row).toMatch(/25\.0% more\s+\[30\.0% more, 20\.0% more\]\s+vetoed: grew past 10%/);
  });

  it("says an interval across the tolerance is not settled", () => {
    expect(memoryCheck({ estimate: -0.08, low: -0.12, high: -0.04 }, 0.1)).toBe("not settled");
    expect(memoryCheck({ estimate: 0.084, low: 0.05, high: 0.11 }, 0.1)).toBe("within tolerance");
  });
});
