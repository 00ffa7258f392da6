import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { briefText, buildBrief } from "../src/agent/plan/brief.js";
import type { IterationContext } from "../src/agent/types.js";
import { Experiment } from "../src/experiment/schema.js";
import type { FinishedIteration, LoopState } from "../src/experiment/state.js";
import { recentReflexions } from "../src/loop/artifacts.js";
import { measurementFacts } from "../src/loop/measurement-facts.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const experiment = Experiment.parse({
  schemaVersion: 1,
  id: "exp-001",
  slug: "hashmap",
  createdAt: "2026-11-26T00:00:00Z",
  goal: "make the hash map faster",
  scope: ["src/**"],
  protect: ["bench/**"],
  metric: { name: "insert_ms", direction: "lower" },
  target: 40,
  threshold: 0.05,
  iterations: 6,
  commands: { test: "make test", bench: "./bench" },
  branch: "auto-optimize/exp-001-hashmap",
  baseCommit: "0".repeat(40),
});

function finished(iteration: number, decision: FinishedIteration["decision"]): FinishedIteration {
  return {
    iteration,
    strategy: `strategy ${iteration}`,
    folder: `iter-00${iteration}-x`,
    decision,
    reason: "",
    value: null,
    bestValue: null,
    improvement: null,
    ci: null,
    knobs: {},
    commits: [],
  };
}

function state(done: FinishedIteration[], bestIteration: number | null): LoopState {
  return {
    baseline: { commit: "0".repeat(40), value: 288.46500000000003 },
    best: {
      commit: "1".repeat(40),
      value: 46.334999999999994,
      knobs: {},
      iteration: bestIteration,
    },
    finished: done,
    unfinished: null,
    nextIteration: done.length + 1,
    sinceLastKeep: 0,
    costUsd: 0,
    stopped: null,
  };
}

/** An experiment folder with a three-scenario baseline and iterations 1 (kept) and 2 (dropped). */
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "auto-optimize-brief-"));
  dirs.push(dir);
  mkdirSync(join(dir, "baseline"), { recursive: true });
  writeFileSync(
    join(dir, "baseline", "result.json"),
    JSON.stringify({
      metric: { noiseFloor: 0.0625 },
      scenarios: [
        { name: "insert_ms", median: 288.46500000000003 },
        { name: "lookup_ms", median: 120.1 },
        { name: "delete_ms", median: 80.2 },
      ],
      peakMemory: { medianKb: 2048, maxKb: 2100 },
    }),
  );
  const iteration = (n: number, decision: string, noiseFloor: number, insert: number) => {
    mkdirSync(join(dir, "iterations", `iter-00${n}-x`), { recursive: true });
    const round = (k: number) => ({
      b: { metrics: { insert_ms: insert + k, lookup_ms: 60 + k, delete_ms: 40.1 + k } },
    });
    writeFileSync(
      join(dir, "iterations", `iter-00${n}-x`, "result.json"),
      JSON.stringify({
        iteration: n,
        strategy: `strategy ${n}`,
        decision,
        reason: "",
        baselineValue: 288.465,
        bestValue: 288,
        value: insert,
        improvement: 0.5,
        ci: [0.4, 0.6],
        verdict: "improved",
        rounds: 3,
        seed: 1,
        knobs: {},
        changedFiles: [],
        violations: [],
        testOutput: null,
        environmentDrift: [],
        comparison: { noiseFloor, samples: [round(0), round(1), round(2)] },
      }),
    );
    writeFileSync(
      join(dir, "iterations", `iter-00${n}-x`, "reflexion.md"),
      `lesson ${n}: the probe loop dominates\n`,
    );
  };
  iteration(1, "keep", 0.05, 46.334999999999994);
  iteration(2, "drop", 0.0742, 50);
  return dir;
}

function briefOf(dir: string, loop: LoopState, reflexions: string[] = []): string {
  const context: IterationContext = {
    experiment,
    root: "/repo",
    experimentDir: "/repo/experiments/exp-001-hashmap",
    iteration: 3,
    worktree: "/repo",
    baseline: { value: loop.baseline?.value as number },
    best: { commit: loop.best.commit, value: loop.best.value, knobs: {} },
    leaderboard: "",
    reflexions,
    tried: [],
    hotspots: null,
    ...measurementFacts(experiment, dir, loop),
  };
  return briefText(buildBrief(context));
}

describe("the brief the host plans from (issue 13, items 5–9)", () => {
  it("states the δ that will apply and why, the regression tolerance and the peak-memory veto (item 6)", () => {
    const text = briefOf(folder(), state([finished(1, "keep"), finished(2, "drop")], 1));
    expect(text).toContain("δ = max(threshold 5%, noise floor)");
    expect(text).toMatch(
      /expect δ ≈ 7\.42%: the noise floor of iteration 2's comparison \(7\.42%\) is above the threshold/,
    );
    expect(text).toMatch(/a scenario whose improvement is credibly below −3% vetoes the change/);
    expect(text).toMatch(/peak memory is credibly more than 10% above the best's is vetoed/);
  });

  it("takes the baseline's noise floor before any comparison, and names no veto that does not apply", () => {
    const dir = mkdtempSync(join(tmpdir(), "auto-optimize-brief-"));
    dirs.push(dir);
    mkdirSync(join(dir, "baseline"));
    writeFileSync(
      join(dir, "baseline", "result.json"),
      JSON.stringify({
        metric: { noiseFloor: 0.012 },
        scenarios: [{ name: "insert_ms", median: 288.465 }],
        peakMemory: null,
      }),
    );
    const text = briefOf(dir, state([], null));
    expect(text).toMatch(/expect δ = 5%: the noise floor of the baseline's runs \(1\.2%\)/);
    expect(text).not.toMatch(/vetoes the change|is vetoed/);
    expect(text).not.toContain("Scenarios (medians");
  });

  it("gives every scenario's median for the baseline and the current best (item 7)", () => {
    const text = briefOf(folder(), state([finished(1, "keep"), finished(2, "drop")], 1));
    expect(text).toContain("- insert_ms: baseline 288.5, current best 47.33");
    expect(text).toContain("- lookup_ms: baseline 120.1, current best 61");
    expect(text).toContain("- delete_ms: baseline 80.2, current best 41.1");
  });

  it("prints no raw float (item 8)", () => {
    const text = briefOf(folder(), state([finished(1, "keep")], 1));
    expect(text).toContain("Baseline 288.5; current best 46.33; target 40.");
    expect(text).not.toMatch(/\d\.\d{7,}/);
  });

  it("heads each reflexion with its iteration, strategy and decision (item 9)", async () => {
    const dir = folder();
    const reflexions = await recentReflexions(dir, [finished(1, "keep"), finished(2, "drop")]);
    expect(reflexions).toEqual([
      "### Iteration 1: strategy 1 (keep)\n\nlesson 1: the probe loop dominates\n",
      "### Iteration 2: strategy 2 (drop)\n\nlesson 2: the probe loop dominates\n",
    ]);
    expect(briefOf(dir, state([], null), reflexions)).toContain(
      "### Iteration 2: strategy 2 (drop)",
    );
  });

  it("says the experiment folder is written between commits and must be left alone (item 5)", () => {
    const text = briefOf(folder(), state([], null));
    expect(text).toMatch(
      /The experiment folder experiments\/exp-001-hashmap\/ is auto-optimize's: it is written between the tool's commits .*Leave it alone/,
    );
  });
});
