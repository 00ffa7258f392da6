import { describe, expect, it } from "vitest";
import { renderLeaderboard } from "../src/experiment/leaderboard.js";
import { Experiment } from "../src/experiment/schema.js";
import type { FinishedIteration, LoopState } from "../src/experiment/state.js";

const experiment = Experiment.parse({
  schemaVersion: 1,
  id: "exp-001",
  slug: "x",
  createdAt: "2026-11-26T00:00:00Z",
  goal: "faster",
  scope: ["src/**"],
  protect: [],
  metric: { name: "ms", direction: "lower" },
  target: 70,
  threshold: 0.01,
  iterations: 5,
  commands: { test: "true", bench: "true" },
  branch: "auto-optimize/exp-001-x",
  baseCommit: "0".repeat(40),
});

function iteration(
  n: number,
  value: number,
  decision: FinishedIteration["decision"],
  costUsd?: number,
): FinishedIteration {
  return {
    iteration: n,
    strategy: `idea ${n}`,
    folder: `iter-00${n}-idea`,
    decision,
    reason: "",
    value,
    bestValue: 100,
    improvement: 1 - value / 100,
    ci: [0.1, 0.3],
    knobs: {},
    commits: [],
    ...(costUsd === undefined ? {} : { costUsd }),
  };
}

function state(finished: FinishedIteration[]): LoopState {
  return {
    baseline: { commit: "a".repeat(40), value: 100 },
    best: { commit: "b".repeat(40), value: 60, knobs: {}, iteration: 2 },
    finished,
    unfinished: null,
    nextIteration: finished.length + 1,
    sinceLastKeep: 0,
    costUsd: 0,
    stopped: null,
  };
}

describe("leaderboard", () => {
  it("ranks by the chained comparisons, marks the target, and keeps the seed's columns without a model", () => {
    const md = renderLeaderboard(
      experiment,
      "exp-001-x",
      state([iteration(1, 105, "drop"), iteration(2, 60, "keep")]),
    );
    const rows = md.split("\n").filter((l) => /^\| \d/.test(l));
    expect(rows[0]).toMatch(
      /^\| 1 \| iter-002-idea \| \+40\.0% \| \+40\.0% \[\+10\.0%, \+30\.0%\] \| 60 vs 100 \| idea 2 \| ✅ kept 🎯 \|$/,
    );
    expect(rows[1]).toMatch(/^\| 2 \| baseline \| \+0\.0% \| — \| 100 \(locked\) \|/);
    expect(rows[2]).toMatch(/^\| 3 \| iter-001-idea \| -5\.0% \|.*❌ dropped \|$/);
    expect(md).not.toContain("Cost");
  });

  it("chains each iteration's own comparison, never the medians of different runs (issue 13, item 11)", () => {
    // The baseline was locked under light load (100); iteration 1 saved 41% against it in a run
    // under heavier load (its median 113.2 is above the locked baseline); iteration 2, measured
    // under light load again, lost 2% against iteration 1 yet has the lowest median of all.
    const kept = { ...iteration(1, 113.2, "keep"), bestValue: 191.9, improvement: 0.41 };
    const dropped = { ...iteration(2, 60, "drop"), bestValue: 58.8, improvement: -0.02 };
    const md = renderLeaderboard(experiment, "exp-001-x", state([kept, dropped]));
    const rows = md.split("\n").filter((l) => /^\| \d/.test(l));
    expect(rows[0]).toMatch(
      /^\| 1 \| iter-001-idea \| \+41\.0% \| \+41\.0% .*\| 113\.2 vs 191\.9 \|/,
    );
    // 1 − (1 − 0.41)·(1 + 0.02) = 0.3982: its own loss carried onto the chain
    expect(rows[1]).toMatch(/^\| 2 \| iter-002-idea \| \+39\.8% \| -2\.0% .*❌ dropped \|$/);
    expect(rows[2]).toMatch(/^\| 3 \| baseline \|/);
    expect(md).toContain("the best stands at +41.0%");
    expect(md).toMatch(/medians come from different runs/);
  });

  it("ranks an iteration that was not kept no higher than the best it was measured against", () => {
    const inconclusive = {
      ...iteration(1, 97, "drop"),
      improvement: 0.03,
      ci: [-0.01, 0.07] as [number, number],
    };
    const md = renderLeaderboard(experiment, "exp-001-x", state([inconclusive]));
    const rows = md.split("\n").filter((l) => /^\| \d/.test(l));
    expect(rows[0]).toMatch(/^\| 1 \| baseline \|/);
    expect(rows[1]).toMatch(/^\| 2 \| iter-001-idea \| \+3\.0% \|/);
  });

  it("adds what each iteration cost when a model was paid", () => {
    const md = renderLeaderboard(experiment, "exp-001-x", state([iteration(1, 90, "keep", 0.125)]));
    expect(md).toContain("| Status | Cost |");
    expect(md).toMatch(/\| iter-001-idea \| \+10\.0% \|.*\| \$0\.13 \|$/m);
    expect(md).toMatch(/\| baseline \|.*\| — \|$/m);
  });
});
