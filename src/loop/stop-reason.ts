import type { Experiment } from "../experiment/schema.js";
import type { LoopState } from "../experiment/state.js";
import { targetReached } from "../experiment/target.js";
import { formatMeasured } from "../measure/format-number.js";

/** What made an experiment stop, for the advice on how to go on deliberately. */
export type StopKind = "target" | "budget" | "patience" | "time" | "cost" | "other";

/** The words each reason starts with (`patience`'s follows the count). */
const PREFIX = {
  target: "target reached",
  budget: "iteration budget spent",
  patience: "iterations in a row without a keep",
  time: "time budget spent",
  cost: "cost budget spent",
} as const;

/** The kind of a stop reason written by `stopReason` (also one read back from the ledger). */
export function stopKind(reason: string): StopKind {
  for (const [kind, words] of Object.entries(PREFIX)) {
    if (
      kind === "patience"
        ? /^\d+ /.test(reason) && reason.includes(words)
        : reason.startsWith(words)
    )
      return kind as StopKind;
  }
  return "other";
}

/** The limits a run sets on top of the experiment's own (its iteration budget and patience). */
export interface StopLimits {
  /** Total iteration budget (default: the experiment's). */
  iterations?: number;
  /** Go on although the target is reached. */
  continueAfterTarget?: boolean;
  /** With `maxMinutes`: when the run started (ms since the epoch). */
  startedAt?: number;
  maxMinutes?: number;
  maxCostUsd?: number;
}

/**
 * Why no further iteration should start, for the loop and host mode alike: the target reached
 * (unless going on past it), the iteration budget spent, the patience run out, or a run's time or
 * cost budget spent. Null when the next iteration may start.
 */
export function stopReason(
  experiment: Experiment,
  state: LoopState,
  limits: StopLimits = {},
  now = Date.now(),
): string | null {
  if (
    !limits.continueAfterTarget &&
    state.best.iteration !== null &&
    targetReached(experiment, state.best.value)
  ) {
    return `${PREFIX.target}: ${experiment.metric.name} ${formatMeasured(state.best.value)} (target ${experiment.target})`;
  }
  const budget = limits.iterations ?? experiment.iterations;
  if (state.finished.length >= budget) return `${PREFIX.budget} (${budget})`;
  if (state.sinceLastKeep >= experiment.patience) {
    return `${state.sinceLastKeep} ${PREFIX.patience} (patience ${experiment.patience})`;
  }
  const { startedAt, maxMinutes, maxCostUsd } = limits;
  if (
    startedAt !== undefined &&
    maxMinutes !== undefined &&
    now - startedAt >= maxMinutes * 60_000
  ) {
    return `${PREFIX.time} (${maxMinutes} min)`;
  }
  if (maxCostUsd !== undefined && state.costUsd >= maxCostUsd) {
    return costSpentReason(state.costUsd, maxCostUsd);
  }
  return null;
}

export function costSpentReason(spentUsd: number, maxCostUsd: number): string {
  return `${PREFIX.cost} ($${spentUsd.toFixed(2)} of $${maxCostUsd})`;
}
