import { describe, expect, it } from "vitest";
import type { IterationDecision } from "../src/experiment/events.js";
import type { Experiment } from "../src/experiment/schema.js";
import type { LoopState } from "../src/experiment/state.js";
import { progressChart } from "../src/loop/report/chart.js";
import { renderReportHtml } from "../src/loop/report/html.js";

describe("report.html", () => {
  it("shows raw HTML from models and diffs as text, and keeps links from running script", () => {
    const html = renderReportHtml({
      title: "Final report: <exp>",
      markdown: [
        "# Final report: exp-001",
        "",
        "| Iteration | Strategy |",
        "|---|---|",
        "| 1 | use <img src=x onerror=alert(1)> as a cache |",
        "",
        "<script>alert(1)</script>",
        "",
        "[click](javascript:alert(1)) and [plan](iterations/iter-001-x/plan.md) and [docs](https://example.org/a)",
        "",
        "```diff",
        "+  if (a < b && c > d) {",
        "```",
      ].join("\n"),
      chart: '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
    });
    expect(html).toContain("<title>Final report: &lt;exp&gt;</title>");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toMatch(/<script|<img|javascript:/);
    expect(html).toContain('<a href="#">click</a>');
    expect(html).toContain('<a href="iterations/iter-001-x/plan.md">plan</a>');
    expect(html).toContain('<a href="https://example.org/a">docs</a>');
    expect(html).toContain("+  if (a &lt; b &amp;&amp; c &gt; d) {");
    // the chart sits under the title
    expect(html).toContain(
      '<h1>Final report: exp-001</h1>\n<figure>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>',
    );
  });

  it("has no figure when there is no chart", () => {
    const html = renderReportHtml({ title: "t", markdown: "# t\n\nNo iteration.", chart: null });
    expect(html).not.toContain("<figure>");
    expect(html).toContain("<p>No iteration.</p>");
  });
});

describe("progress chart", () => {
  const experiment = { target: 5, metric: { name: "ms", direction: "lower" } } as Experiment;
  const state = (finished: LoopState["finished"]): LoopState => ({
    baseline: { commit: "a", value: 20 },
    best: { commit: "a", value: 20, knobs: {}, iteration: null },
    finished,
    unfinished: null,
    nextIteration: finished.length + 1,
    sinceLastKeep: 0,
    costUsd: 0,
    stopped: null,
  });
  const iteration = (
    n: number,
    strategy: string,
    decision: IterationDecision,
    value: number | null,
  ) => ({
    iteration: n,
    strategy,
    folder: `iter-00${n}`,
    decision,
    reason: "",
    value,
    bestValue: null,
    improvement: null,
    ci: null,
    knobs: {},
    commits: [],
  });

  it("ends when the values differ by less than their own precision (axis ticks are bounded)", () => {
    const huge = { ...state([iteration(1, "tiny", "drop", 1e9 + 1e-7)]) };
    huge.baseline = { commit: "a", value: 1e9 };
    const svg = progressChart({ ...experiment, target: 1e9 } as Experiment, huge) as string;
    expect(svg).toContain("</svg>");
    expect((svg.match(/<line /g) ?? []).length).toBeLessThan(20);
  });

  it("is absent until an iteration has finished", () => {
    expect(progressChart(experiment, state([]))).toBeNull();
  });

  it("draws the best so far as steps from the baseline, and escapes strategies in its tooltips", () => {
    const svg = progressChart(
      experiment,
      state([
        iteration(1, "cache <it>", "keep", 10),
        iteration(2, "unroll", "drop", 12),
        iteration(3, "skip checks", "rejected", null),
      ]),
    ) as string;
    expect(svg).toContain("<title>iteration 1: cache &lt;it&gt; — keep, 10</title>");
    expect(svg).toContain("<title>iteration 3: skip checks — rejected</title>");
    const steps = /<path d="(M[^"]+)" fill="none"/.exec(svg)?.[1] ?? "";
    // baseline, then down at iteration 1, then flat through 2 and 3
    expect(steps.match(/V/g)).toHaveLength(3);
    const levels = [...steps.matchAll(/V([\d.]+)/g)].map((m) => Number(m[1]));
    expect(levels[1]).toBe(levels[2]);
    expect(levels[0]).toBeGreaterThan(Number(/^M[\d.]+,([\d.]+)/.exec(steps)?.[1])); // lower is drawn lower
  });
});
