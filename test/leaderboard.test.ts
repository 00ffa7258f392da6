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
  it("ranks by value, marks the target, and keeps the seed's columns without a model", () => {
    const md = renderLeaderboard(
      experiment,
      "exp-001-x",
      state([iteration(1, 105, "drop"), iteration(2, 60, "keep")]),
    );
    const rows = md.split("\n").filter((l) => /^\| \d/.test(l));
    expect(rows[0]).toMatch(
      /^\| 1 \| iter-002-idea \| 60\.00 \| -40\.0% .*\| idea 2 \| ✅ kept 🎯 \|$/,
    );
    expect(rows[1]).toMatch(/^\| 2 \| baseline \| 100\.0 \|/);
    expect(rows[2]).toMatch(/^\| 3 \| iter-001-idea \| 105\.0 \| \+5\.0% .*❌ dropped \|$/);
    expect(md).not.toContain("Cost");
  });

  it("adds what each iteration cost when a model was paid", () => {
    const md = renderLeaderboard(experiment, "exp-001-x", state([iteration(1, 90, "keep", 0.125)]));
    expect(md).toContain("| Status | Cost |");
    expect(md).toMatch(/\| iter-001-idea \| 90\.00 \|.*\| \$0\.13 \|$/m);
    expect(md).toMatch(/\| baseline \|.*\| — \|$/m);
  });
});
