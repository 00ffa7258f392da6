import type { IterationDecision } from "../experiment/events.js";
import type { Ledger } from "../experiment/ledger.js";
import type { Experiment } from "../experiment/schema.js";
import { deriveState } from "../experiment/state.js";
import { targetReached } from "../experiment/target.js";
import { HOST_AGENT, type HostStep, hostPosition } from "./host/protocol.js";

/**
 * Where an experiment stands. `running`, `waiting for …` and `interrupted` all mean the ledger
 * shows a run that did not stop (an unfinished iteration, or a run-started without its stopped);
 * `running` when the process that holds the run marker is alive; `waiting for <step>` when it is
 * a host-mode run resting between steps (opened, planned, sent back after failed tests with
 * retries left, decided and awaiting its reflexion); `interrupted` when a process was cut short.
 */
export type Phase =
  | "planned"
  | "baseline locked"
  | "running"
  | `waiting for ${Exclude<HostStep, "baseline">}`
  | "interrupted"
  | `stopped: ${string}`
  | "reported";

export interface ExperimentStatus {
  experiment: string;
  id: string;
  goal: string;
  branch: string;
  metric: { name: string; direction: "lower" | "higher" };
  phase: Phase;
  /** The iteration in progress (running) or left unfinished (interrupted). */
  currentIteration: number | null;
  iterations: { done: number; budget: number; left: number };
  decisions: {
    kept: number;
    dropped: number;
    /** Improved, but a sibling of its generation improved more (`run --parallel`). */
    runnerUp: number;
    testFailed: number;
    benchFailed: number;
    rejected: number;
  };
  baseline: { value: number; commit: string } | null;
  /** The best so far; the baseline itself (iteration null) until something is kept. */
  best: {
    value: number;
    commit: string;
    iteration: number | null;
    strategy: string | null;
    /** Relative change of the metric against the baseline: −0.12 is 12% lower. */
    changeVsBaseline: number;
  } | null;
  target: { value: number; reached: boolean };
  withoutKeep: { count: number; patience: number };
  cost: { usd: number; tokens: number };
  /** Timestamp of the last ledger event. */
  lastEvent: string | null;
  /**
   * Only for a ledger begun before the hash chain: how many of its first lines are unchained
   * (checked against git history only; the chain starts after them).
   */
  legacyLedgerLines?: number;
}

/** Everything `status` shows, from the ledger alone (plus whether a run is alive). */
export function experimentStatus(
  name: string,
  experiment: Experiment,
  ledger: Ledger,
  options: { running?: boolean } = {},
): ExperimentStatus {
  const state = deriveState(experiment, ledger);
  const count = (decision: IterationDecision) =>
    state.finished.filter((f) => f.decision === decision).length;
  const bestIteration = state.best.iteration;
  const best = state.baseline
    ? {
        value: state.best.value,
        commit: state.best.commit,
        iteration: bestIteration,
        strategy:
          bestIteration === null
            ? null
            : (state.finished.find((f) => f.iteration === bestIteration)?.strategy ?? null),
        changeVsBaseline: state.best.value / state.baseline.value - 1,
      }
    : null;
  const costs = ledger.ofType("cost");
  const done = state.finished.length;
  return {
    experiment: name,
    id: experiment.id,
    goal: experiment.goal,
    branch: experiment.branch,
    metric: experiment.metric,
    phase: phaseOf(experiment, ledger, state, options.running ?? false),
    currentIteration: state.unfinished?.iteration ?? null,
    iterations: {
      done,
      budget: experiment.iterations,
      left: Math.max(0, experiment.iterations - done),
    },
    decisions: {
      kept: count("keep"),
      dropped: count("drop"),
      runnerUp: count("runner-up"),
      testFailed: count("test-failed"),
      benchFailed: count("bench-failed"),
      rejected: count("rejected"),
    },
    baseline: state.baseline
      ? { value: state.baseline.value, commit: state.baseline.commit }
      : null,
    best,
    target: {
      value: experiment.target,
      reached: bestIteration !== null && targetReached(experiment, state.best.value),
    },
    withoutKeep: { count: state.sinceLastKeep, patience: experiment.patience },
    cost: {
      usd: costs.reduce((a, c) => a + c.usd, 0),
      tokens: costs.reduce((a, c) => a + c.tokens, 0),
    },
    lastEvent: ledger.entries.at(-1)?.at ?? null,
    ...(ledger.legacyLines > 0 && { legacyLedgerLines: ledger.legacyLines }),
  };
}

function phaseOf(
  experiment: Experiment,
  ledger: Ledger,
  state: ReturnType<typeof deriveState>,
  running: boolean,
): Phase {
  if (!state.baseline) return "planned";
  if (running) return "running";
  const waiting = hostWaitingFor(experiment, ledger);
  if (waiting) return `waiting for ${waiting}`;
  if (state.unfinished) return "interrupted";
  for (let i = ledger.entries.length - 1; i >= 0; i--) {
    const entry = ledger.entries[i];
    if (entry?.type === "report-written") return "reported";
    if (entry?.type === "stopped") return `stopped: ${entry.reason}`;
    if (entry?.type === "run-started") return "interrupted";
  }
  return "baseline locked";
}

/** The step a host-mode run rests before, or null when no host run is waiting (or one was cut short). */
function hostWaitingFor(
  experiment: Experiment,
  ledger: Ledger,
): Exclude<HostStep, "baseline"> | null {
  const position = hostPosition(experiment, ledger);
  if (position.interrupted || position.expected === "baseline") return null;
  if (position.expected !== "next" && position.expected !== "report")
    return position.host ? position.expected : null;
  const lastRun = ledger.entries
    .filter((e) => e.type === "run-started" || e.type === "stopped")
    .at(-1);
  return lastRun?.type === "run-started" && lastRun.agent === HOST_AGENT ? position.expected : null;
}

const pct = (x: number) => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}%`;
const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(4));

/** The readable form of `status` without --json. */
export function formatStatus(status: ExperimentStatus): string {
  const { metric, iterations: it, decisions: d } = status;
  const rows: [string, string][] = [
    ["experiment", `${status.experiment} (branch ${status.branch})`],
    ["goal", status.goal],
    [
      "phase",
      `${status.phase}${status.currentIteration !== null ? ` (iteration ${status.currentIteration})` : ""}`,
    ],
    [
      "iterations",
      `${it.done} of ${it.budget} done, ${it.left} left · ${d.kept} kept${d.runnerUp ? `, ${d.runnerUp} runner-up` : ""}, ${d.dropped} dropped, ${d.testFailed} test-failed, ${d.benchFailed} bench-failed, ${d.rejected} rejected`,
    ],
    [
      "baseline",
      status.baseline
        ? `${num(status.baseline.value)} ${metric.name} (commit ${status.baseline.commit.slice(0, 10)})`
        : "not locked yet: run 'auto-optimize baseline'",
    ],
  ];
  if (status.best) {
    const b = status.best;
    rows.push([
      "best",
      b.iteration === null
        ? "the baseline (nothing kept yet)"
        : `${num(b.value)} ${metric.name} (${pct(b.changeVsBaseline)} vs baseline), iteration ${b.iteration}: ${b.strategy ?? "?"}`,
    ]);
  }
  rows.push(
    [
      "target",
      `${status.target.value} (${metric.direction} is better) — ${status.target.reached ? "reached 🎯" : "not reached"}`,
    ],
    [
      "patience",
      `${status.withoutKeep.count} of ${status.withoutKeep.patience} iterations in a row without a keep`,
    ],
    [
      "cost",
      `$${status.cost.usd.toFixed(2)}${status.cost.tokens ? ` (${status.cost.tokens} tokens)` : ""}`,
    ],
  );
  if (status.legacyLedgerLines) {
    const n = status.legacyLedgerLines;
    rows.push([
      "ledger",
      `lines 1–${n} predate the hash chain (checked against git history only); the chain starts at line ${n + 1}`,
    ]);
  }
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n");
}
