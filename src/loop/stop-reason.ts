import type { Experiment } from "../experiment/schema.js";
import type { LoopState } from "../experiment/state.js";
import { targetReached } from "../experiment/target.js";

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
    return `target reached: ${experiment.metric.name} ${Number(state.best.value.toPrecision(6))} (target ${experiment.target})`;
  }
  const budget = limits.iterations ?? experiment.iterations;
  if (state.finished.length >= budget) return `iteration budget spent (${budget})`;
  if (state.sinceLastKeep >= experiment.patience) {
    return `${state.sinceLastKeep} iterations in a row without a keep (patience ${experiment.patience})`;
  }
  const { startedAt, maxMinutes, maxCostUsd } = limits;
  if (
    startedAt !== undefined &&
    maxMinutes !== undefined &&
    now - startedAt >= maxMinutes * 60_000
  ) {
    return `time budget spent (${maxMinutes} min)`;
  }
  if (maxCostUsd !== undefined && state.costUsd >= maxCostUsd) {
    return costSpentReason(state.costUsd, maxCostUsd);
  }
  return null;
}

export function costSpentReason(spentUsd: number, maxCostUsd: number): string {
  return `cost budget spent ($${spentUsd.toFixed(2)} of $${maxCostUsd})`;
}
