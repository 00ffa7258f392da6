import type { Experiment } from "../../experiment/schema.js";
import { type LoopState, targetReached } from "../../experiment/state.js";

/**
 * Why host mode should stop before another iteration, on the autonomous loop's terms: the target
 * reached (unless the host goes on past it), the iteration budget spent, or the patience run out.
 */
export function hostStopReason(
  experiment: Experiment,
  state: LoopState,
  continueAfterTarget = false,
): string | null {
  if (
    !continueAfterTarget &&
    state.best.iteration !== null &&
    targetReached(experiment, state.best.value)
  ) {
    return `target reached: ${experiment.metric.name} ${Number(state.best.value.toPrecision(6))} (target ${experiment.target})`;
  }
  if (state.finished.length >= experiment.iterations) {
    return `iteration budget spent (${experiment.iterations})`;
  }
  if (state.sinceLastKeep >= experiment.patience) {
    return `${state.sinceLastKeep} iterations in a row without a keep (patience ${experiment.patience})`;
  }
  return null;
}
