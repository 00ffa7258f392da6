import type { Better } from "../measure/metrics/types.js";

/** What the target check needs: an Experiment, or init's answers before the experiment exists. */
export interface TargetGoal {
  metric: { direction: Better };
  target: number;
}

/** True when `value` meets the target in the metric's direction: at or past it counts. */
export function targetReached(goal: TargetGoal, value: number): boolean {
  return goal.metric.direction === "lower" ? value <= goal.target : value >= goal.target;
}
