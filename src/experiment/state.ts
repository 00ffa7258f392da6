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

export interface UnfinishedIteration {
  iteration: number;
  best: string;
  /** Its slot in a generation of `run --parallel` (0: the loop's one candidate worktree). */
  slot: number;
  events: LedgerEntry[];
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
  /**
   * An iteration that started but neither committed nor was abandoned: a crash or kill. When a
   * generation (`run --parallel`) left several, this is the one to bring back in line first (see
   * `unfinishedOrder`); the others follow once it is.
   */
  unfinished: UnfinishedIteration | null;
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
  // Iterations open now, by number: one at a time, or a generation's siblings interleaved.
  const open = new Map<number, LedgerEntry[]>();
  for (const entry of ledger.entries) {
    if (entry.type === "cost") {
      state.costUsd += entry.usd;
      // The cost event comes after the iteration's commit: it belongs to that finished iteration.
      const owner = state.finished.find((f) => f.iteration === entry.iteration);
      if (owner) owner.costUsd = (owner.costUsd ?? 0) + entry.usd;
    }
    if (entry.type === "stopped") state.stopped = entry.reason;
    if (entry.type === "run-started") state.stopped = null;
    if (entry.type === "iteration-started") open.set(entry.iteration, [entry]);
    else if ("iteration" in entry) open.get(entry.iteration)?.push(entry);
    if (entry.type === "iteration-abandoned") open.delete(entry.iteration);
    if (entry.type === "committed") {
      const finished = summarize(open.get(entry.iteration) ?? [], entry.decision, entry.commits);
      state.finished.push(finished);
      // A generation commits its keep last: the next number follows the highest one committed.
      state.nextIteration = Math.max(state.nextIteration, entry.iteration + 1);
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
      open.delete(entry.iteration);
    }
  }
  const unfinished = unfinishedOrder([...open.values()].filter((events) => events.length > 0));
  const first = unfinished[0];
  if (first) {
    const started = first[0] as Extract<LedgerEntry, { type: "iteration-started" }>;
    state.unfinished = {
      iteration: started.iteration,
      best: started.best,
      slot: started.generation?.slot ?? 0,
      events: first,
    };
    state.nextIteration = Math.min(
      state.nextIteration,
      ...unfinished.map((events) => iterationOf(events)),
    );
  }
  return state;
}

/**
 * The order open iterations are brought back in line after a kill: those not yet decided first
 * (undone), then the decided non-keeps, the decided keep last — each of a generation's commits
 * carries its change from the same best, and only a keep moves it.
 */
function unfinishedOrder(open: LedgerEntry[][]): LedgerEntry[][] {
  const rank = (events: LedgerEntry[]) => {
    const decided = [...events].reverse().find((e) => e.type === "decided");
    if (decided?.type !== "decided") return 0;
    return decided.decision === "keep" ? 2 : 1;
  };
  return [...open].sort((a, b) => rank(a) - rank(b) || iterationOf(a) - iterationOf(b));
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
