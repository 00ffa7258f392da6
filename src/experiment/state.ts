import type { IterationDecision, LedgerEntry } from "./events.js";
import type { Ledger } from "./ledger.js";
import type { Experiment, KnobValue } from "./schema.js";

export interface FinishedIteration {
  iteration: number;
  strategy: string;
  folder: string;
  decision: IterationDecision;
  reason: string;
  value: number | null;
  bestValue: number | null;
  improvement: number | null;
  ci: [number, number] | null;
  knobs: Record<string, KnobValue>;
  commits: string[];
  /** What the agent's model calls cost during this iteration (US dollars; 0 without a model). */
  costUsd?: number;
  /** The queue's worker that measured it, when one did. */
  measuredBy?: string;
}

export interface LoopState {
  baseline: { commit: string; value: number } | null;
  best: {
    commit: string;
    value: number;
    knobs: Record<string, KnobValue>;
    iteration: number | null;
  };
  finished: FinishedIteration[];
  /** An iteration that started but neither committed nor was abandoned: a crash or kill. */
  unfinished: { iteration: number; best: string; events: LedgerEntry[] } | null;
  nextIteration: number;
  /** Iterations in a row, most recent last, that did not keep. */
  sinceLastKeep: number;
  costUsd: number;
  stopped: string | null;
}

/** Everything the loop needs to know, derived from the ledger alone (resume reads nothing else). */
export function deriveState(experiment: Experiment, ledger: Ledger): LoopState {
  const baselineEvent = ledger.last("baseline-locked");
  const initialKnobs = runKnobValues(experiment, {});
  const state: LoopState = {
    baseline: baselineEvent ? { commit: baselineEvent.commit, value: baselineEvent.value } : null,
    best: {
      commit: baselineEvent?.commit ?? experiment.baseCommit,
      value: baselineEvent?.value ?? Number.NaN,
      knobs: initialKnobs,
      iteration: null,
    },
    finished: [],
    unfinished: null,
    nextIteration: 1,
    sinceLastKeep: 0,
    costUsd: 0,
    stopped: null,
  };
  let current: LedgerEntry[] = [];
  for (const entry of ledger.entries) {
    if (entry.type === "cost") {
      state.costUsd += entry.usd;
      // The cost event comes after the iteration's commit: it belongs to that finished iteration.
      const owner = state.finished.find((f) => f.iteration === entry.iteration);
      if (owner) owner.costUsd = (owner.costUsd ?? 0) + entry.usd;
    }
    if (entry.type === "stopped") state.stopped = entry.reason;
    if (entry.type === "run-started") state.stopped = null;
    if (entry.type === "iteration-started") current = [entry];
    else if (current.length > 0 && "iteration" in entry && entry.iteration === iterationOf(current))
      current.push(entry);
    if (entry.type === "iteration-abandoned") current = [];
    if (entry.type === "committed") {
      const finished = summarize(current, entry.decision, entry.commits);
      state.finished.push(finished);
      state.nextIteration = entry.iteration + 1;
      if (entry.decision === "keep") {
        state.best = {
          commit: entry.best,
          value: finished.value ?? state.best.value,
          knobs: finished.knobs,
          iteration: entry.iteration,
        };
        state.sinceLastKeep = 0;
      } else {
        state.sinceLastKeep++;
      }
      current = [];
    }
  }
  if (current.length > 0) {
    const started = current[0] as Extract<LedgerEntry, { type: "iteration-started" }>;
    state.unfinished = { iteration: started.iteration, best: started.best, events: current };
    state.nextIteration = started.iteration;
  }
  return state;
}

function iterationOf(events: LedgerEntry[]): number {
  return (events[0] as Extract<LedgerEntry, { type: "iteration-started" }>).iteration;
}

function summarize(
  events: LedgerEntry[],
  decision: IterationDecision,
  commits: string[],
): FinishedIteration {
  const find = <T extends LedgerEntry["type"]>(type: T) =>
    events.filter((e): e is Extract<LedgerEntry, { type: T }> => e.type === type).at(-1);
  const planned = find("planned");
  const measured = find("measured");
  const decided = find("decided");
  const applied = find("applied");
  return {
    iteration: iterationOf(events),
    strategy: planned?.strategy ?? "(no plan)",
    folder: planned?.folder ?? "",
    decision,
    reason: decided?.reason ?? "",
    value: measured?.value ?? null,
    bestValue: measured?.bestValue ?? null,
    improvement: measured?.improvement ?? null,
    ci: measured?.ci ?? null,
    knobs: applied?.knobs ?? {},
    commits,
    costUsd: 0,
    ...(measured?.measuredBy && { measuredBy: measured.measuredBy }),
  };
}

/**
 * The values of env and arg knobs (defaults: their initial values) — what a checkout runs with.
 * File knobs live in the code of the checkout and are never carried here, so an agent reads them
 * from the code or its own history, not from a stale copy.
 */
export function runKnobValues(
  experiment: Experiment,
  values: Readonly<Record<string, KnobValue>>,
): Record<string, KnobValue> {
  const result: Record<string, KnobValue> = {};
  for (const knob of experiment.knobs) {
    if (knob.kind !== "file") result[knob.name] = values[knob.name] ?? knob.initial;
  }
  return result;
}
