import { describe, expect, it } from "vitest";
import { chainIterations } from "../src/experiment/chain.js";
import type { LedgerEntry } from "../src/experiment/events.js";
import { Ledger } from "../src/experiment/ledger.js";
import { Experiment } from "../src/experiment/schema.js";
import type { FinishedIteration, LoopState } from "../src/experiment/state.js";
import { carriesOut, implementedLater, withoutCarriedOut } from "../src/loop/report/directions.js";
import type { Reflexion } from "../src/loop/report/reflexions.js";
import { renderFinalReport } from "../src/loop/report/render.js";
import { timeAccount } from "../src/loop/report/time-account.js";

const experiment = (direction: "lower" | "higher" = "lower") =>
  Experiment.parse({
    schemaVersion: 1,
    id: "exp-001",
    slug: "x",
    createdAt: "2026-11-26T00:00:00Z",
    goal: "faster",
    scope: ["src/**"],
    protect: [],
    metric: { name: "ms", direction },
    target: direction === "lower" ? 10 : 1000,
    threshold: 0.05,
    iterations: 3,
    commands: { test: "true", bench: "true" },
    branch: "auto-optimize/exp-001-x",
    baseCommit: "0".repeat(40),
  });

function iteration(
  n: number,
  improvement: number | null,
  decision: FinishedIteration["decision"],
  strategy = `idea ${n}`,
): FinishedIteration {
  return {
    iteration: n,
    strategy,
    folder: "",
    decision,
    reason: "",
    value: improvement === null ? null : 50,
    bestValue: improvement === null ? null : 60,
    improvement,
    ci: null,
    knobs: {},
    commits: [],
  };
}

function state(finished: FinishedIteration[]): LoopState {
  return {
    baseline: { commit: "a".repeat(40), value: 100 },
    best: { commit: "b".repeat(40), value: 20, knobs: {}, iteration: 2 },
    finished,
    unfinished: null,
    nextIteration: finished.length + 1,
    sinceLastKeep: 0,
    costUsd: 0,
    stopped: "iteration budget spent (3)",
  };
}

function render(
  finished: FinishedIteration[],
  extra: { reflexions?: Reflexion[]; plans?: { iteration: number; text: string }[] } = {},
  direction: "lower" | "higher" = "lower",
): string {
  return renderFinalReport({
    root: "/nowhere",
    name: "exp-001-x",
    dir: "/nowhere/experiments/exp-001-x",
    experiment: experiment(direction),
    ledger: Ledger.open("/nowhere/ledger.jsonl"),
    remeasure: null,
    state: state(finished),
    headline: null,
    diff: "",
    reflexions: withoutCarriedOut(extra.reflexions ?? [], extra.plans ?? []),
    remeasureMs: null,
  });
}

describe("the kept iterations compounded (issue 13, item 12)", () => {
  it("multiplies the kept ratios for times: 60% and then 50% saved is 80% saved, not a sum", () => {
    const report = render([
      iteration(1, 0.6, "keep"),
      iteration(2, -0.1, "drop"),
      iteration(3, 0.5, "keep"),
    ]);
    expect(report).toContain("compound to **+80.00%** over the baseline");
    expect(report).not.toMatch(/sum to|NaN/);
  });

  it("multiplies the kept ratios for higher-is-better metrics: +50% then +100% is +200%", () => {
    const chain = chainIterations([iteration(1, 0.5, "keep"), iteration(2, 1, "keep")], "higher");
    expect(chain.compounded).toBeCloseTo(2, 12);
    expect(render([iteration(1, 0.5, "keep"), iteration(2, 1, "keep")], {}, "higher")).toContain(
      "compound to **+200.00%**",
    );
  });

  it("never prints NaN for a recorded gain past 100% on a lower-is-better metric (old speed-up figures)", () => {
    const chain = chainIterations(
      [iteration(1, 0.5, "keep"), iteration(2, 1.2983, "keep")],
      "lower",
    );
    expect(chain.compounded).toBeCloseTo(0.5, 12);
    expect(chain.links[1]?.vsBaseline).toBeNull();
  });
});

describe("next steps (issue 13, item 13)", () => {
  const reflexion = (n: number, unexplored: string[]): Reflexion => ({
    iteration: n,
    strategy: `idea ${n}`,
    sections: { lessons: [], surprises: [], unexplored },
    opening: [],
  });

  it("drops a direction a later plan carried out, and keeps the others", () => {
    const report = render(
      [iteration(1, 0.1, "keep"), iteration(2, 0.2, "keep"), iteration(3, 0.1, "keep")],
      {
        reflexions: [
          reflexion(1, [
            "Hoist the regex out of the per-line loop",
            "A swiss-table control array for the probes",
            "Batch the writes to the output file",
          ]),
        ],
        plans: [
          { iteration: 1, text: "lean loop\nRemove the per-line allocation" },
          { iteration: 2, text: "hoist-regex\nCompile the regex once, outside the loop" },
          {
            iteration: 3,
            text: "swiss control\nOne control byte per slot in an array, probed 16 at a time",
          },
        ],
      },
    );
    const next = report.slice(report.indexOf("## Next steps"));
    expect(next).toContain("- Batch the writes to the output file (iteration 1)");
    expect(next).not.toContain("Hoist the regex");
    expect(next).not.toContain("swiss-table");
  });

  it("judges only plans after the reflexion that named the direction", () => {
    const plans = [{ iteration: 2, text: "hoist-regex\nCompile the regex once, outside the loop" }];
    expect(implementedLater("Hoist the regex out of the loop", 1, plans)).toEqual(plans[0]);
    expect(implementedLater("Hoist the regex out of the loop", 2, plans)).toBeNull();
    expect(carriesOut("compile the regex once", "Cache the results on disk")).toBe(false);
  });
});

describe("the time account (issue 13, item 14)", () => {
  const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds)).toISOString();
  let seq = 0;
  const entry = (seconds: number, event: Record<string, unknown>) =>
    ({ ...event, seq: ++seq, at: at(seconds) }) as unknown as LedgerEntry;
  const entries = [
    entry(0, { type: "experiment-created", experiment: "x", branch: "b", baseCommit: "c" }),
    entry(10, {
      type: "baseline-locked",
      commit: "c",
      value: 1,
      medians: {},
      robustCv: 0,
      acceptedNoise: false,
    }),
    entry(20, { type: "iteration-started", iteration: 1, best: "c" }),
    entry(50, { type: "planned", iteration: 1, strategy: "s", folder: "f" }),
    entry(60, { type: "applied", iteration: 1, attempt: 1, changedFiles: [], knobs: {} }),
    entry(61, { type: "checked", iteration: 1, violations: [] }),
    entry(71, { type: "tested", iteration: 1, attempt: 1, ok: true }),
    entry(101, {
      type: "measured",
      iteration: 1,
      verdict: "improved",
      improvement: 0.1,
      ci: [0, 0.2],
      rounds: 10,
      value: 1,
      bestValue: 1,
    }),
    entry(102, { type: "decided", iteration: 1, decision: "keep", reason: "" }),
    entry(112, { type: "committed", iteration: 1, decision: "keep", commits: [], best: "d" }),
  ];

  it("counts the final re-measure in the total, and its parts add up to it", () => {
    const account = timeAccount(entries, 40_000);
    expect(account).toEqual({
      total: 152_000,
      measuring: 40_000, // the baseline 10 s, the comparison 30 s
      agent: 50_000, // planning 30 s, editing 10 s, the reflexion before the commit 10 s
      checks: 12_000,
      remeasure: 40_000,
      other: 10_000, // between the baseline and the iteration
    });
  });

  it("gives a host's commit to the checks when its reflexion came after it", () => {
    const reflected = [...entries, entry(142, { type: "reflected", iteration: 1 })];
    const account = timeAccount(reflected, null);
    expect(account.agent).toBe(70_000); // 30 + 10 + the 30 s reflexion after the commit
    expect(account.checks).toBe(22_000); // 12 + the 10 s commit
    expect(account.total).toBe(142_000);
  });
});

describe("which machines measured what (run --queue)", () => {
  it("names each worker with its iterations, and this machine's, only when a worker measured", () => {
    const onWorker = (n: number, worker: string) => ({
      ...iteration(n, 0.1, "drop"),
      measuredBy: worker,
    });
    const report = render([
      onWorker(1, "bench-1"),
      onWorker(2, "bench-2"),
      iteration(3, 0.1, "drop"),
      onWorker(4, "bench-1"),
    ]);
    expect(report).toContain(
      "Measured by the queue's workers — **bench-1**: iterations 1, 4; **bench-2**: iteration 2; this machine: iteration 3",
    );
    expect(render([iteration(1, 0.1, "drop")])).not.toContain("Measured by the queue's workers");
  });
});
