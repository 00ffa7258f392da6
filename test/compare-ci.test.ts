import { describe, expect, it } from "vitest";
import { formatCompareMarkdown } from "../src/measure/compare-markdown.js";
import type { CompareReport } from "../src/measure/compare-report.js";
import { failsGate } from "../src/measure/fail-on.js";

function report(overrides: Partial<CompareReport> = {}): CompareReport {
  return {
    verdict: "regressed",
    improvement: 0.12,
    ci: [0.1, 0.14],
    rounds: 15,
    looks: 2,
    stoppedFor: "efficacy",
    seed: 4242,
    noiseFloor: 0.004,
    delta: 0.01,
    minEffect: 0.01,
    alpha: 0.05,
    a: { revision: "origin/main", commit: "0123456789abcdef" },
    b: { revision: "HEAD", commit: "fedcba9876543210" },
    bench: "node -e 'console.log(`x`)'",
    scenarios: [
      {
        name: "parse|json",
        better: "lower",
        unit: "ms",
        verdict: "improved",
        improvement: 0.4,
        ci: [0.38, 0.42],
        medianA: 100,
        medianB: 60,
        noiseFloor: 0.004,
      },
      {
        name: "render",
        better: "lower",
        unit: "ms",
        verdict: "regressed",
        improvement: -0.1,
        ci: [-0.12, -0.08],
        medianA: 100,
        medianB: 110,
        noiseFloor: 0.004,
      },
    ],
    memory: {
      verdict: "no-change",
      check: "within tolerance",
      improvement: 0,
      ci: [-0.01, 0.01],
      medianAKb: 2048,
      medianBKb: 2048,
      tolerance: 0.1,
    },
    memoryNote: "peak RSS from the OS for every sample",
    counters: [
      {
        name: "allocs/op",
        better: "lower",
        medianA: 3,
        medianB: 5,
        verdict: "regressed",
        unit: null,
      },
    ],
    vetoes: ["scenario render regressed by more than 3.0%"],
    behaviour: { changed: false, firstDifference: null, learnedFrom: 16, checked: 16 },
    samples: [],
    ...overrides,
  };
}

describe("compare --markdown", () => {
  it("renders the verdict, one table row per scenario, counter and memory, and how to replay", () => {
    expect(formatCompareMarkdown(report())).toBe(
      [
        "### compare: **regressed** +12.0% [+10.0%, +14.0%]",
        "",
        "A `origin/main` (0123456789) → B `HEAD` (fedcba9876), bench ``node -e 'console.log(`x`)'``",
        "",
        "| scenario | better | median A | median B | improvement | interval | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        "| parse\\|json | lower | 100.0 ms | 60.000 ms | +40.0% | [+38.0%, +42.0%] | improved |",
        "| render | lower | 100.0 ms | 110.0 ms | -10.0% | [-12.0%, -8.0%] | regressed |",
        "| allocs/op | lower | 3 | 5 | counter | exact | regressed |",
        "| peak memory | lower | 2.0 MiB | 2.0 MiB | unchanged | [1.0% more, 1.0% less] | within tolerance (10%) |",
        "",
        "- 15 interleaved rounds (2 looks, stopped for a verdict); δ = 1.00%; replay with `--seed 4242`",
        "- veto: scenario render regressed by more than 3.0%",
        "- output: B prints every line A's 16 runs print invariably",
      ].join("\n"),
    );
  });

  it("says why memory was not guarded, and warns when B's output differs", () => {
    const text = formatCompareMarkdown(
      report({
        memory: null,
        memoryNote: "peak memory not guarded: no GNU time",
        counters: [],
        vetoes: [],
        behaviour: {
          changed: true,
          firstDifference: { line: 1, expected: "sum=10", actual: { line: 1, text: "sum=11" } },
          learnedFrom: 11,
          checked: 1,
        },
      }),
    );
    expect(text).not.toContain("peak memory |");
    expect(text).toContain("- peak memory not guarded: no GNU time");
    expect(text).toMatch(/^- warning: B's output differs from A's/m);
  });

  it("names a revision given as a commit hash once, by its short hash", () => {
    const commit = "0123456789abcdef0123456789abcdef01234567";
    const text = formatCompareMarkdown(report({ a: { revision: commit, commit } }));
    expect(text).toContain("A `0123456789` → B `HEAD` (fedcba9876)");
  });
});

describe("compare --fail-on", () => {
  it("fails a regressed gate only on a regression, a not-improved gate on anything but improved", () => {
    const verdicts = ["improved", "regressed", "no-change", "inconclusive"] as const;
    expect(verdicts.map((v) => failsGate(v, "regressed"))).toEqual([false, true, false, false]);
    expect(verdicts.map((v) => failsGate(v, "not-improved"))).toEqual([false, true, true, true]);
  });
});
