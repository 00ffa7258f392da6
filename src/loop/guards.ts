import type { GuardKind } from "../experiment/guard-kinds.js";
import type { Experiment, KnobValue } from "../experiment/schema.js";
import type { InterleavedResult } from "../measure/interleaved.js";
import type { IterationRecord } from "./artifacts.js";
import type { EvaluationRuns } from "./evaluation-runs.js";
import { checkCommandGuard } from "./guards/check-command.js";
import { metricConsistencyGuard } from "./guards/metric-consistency.js";
import { outputInvariantsGuard } from "./guards/output-invariants.js";

/**
 * The checks besides speed: a candidate that gained by computing something else, or by making
 * the metric say more than the process saved, is rejected whatever it gained. Each guard is one
 * file under guards/ and one entry in the lists below; the evaluation (evaluate.ts) runs them for
 * every agent.
 */

/** What a guard sees of the candidate being evaluated. */
export interface GuardContext {
  experiment: Experiment;
  /** Absolute experiment folder: baseline/result.json holds the baseline's runs. */
  dir: string;
  /** The current best's checkout (built) and the candidate's, with the knobs each runs with. */
  best: { path: string; knobs: Record<string, KnobValue> };
  candidate: { path: string; knobs: Record<string, KnobValue> };
  record: IterationRecord;
  onStep: (step: string, detail?: string) => void;
  /** The evaluation's isolated runs: a guard's own runs are isolated and watched like the others. */
  runs?: EvaluationRuns;
}

/** Why a guard rejects the candidate: the kind, and a reason with the evidence (a diff head, figures). */
export interface GuardRejection {
  guard: GuardKind;
  reason: string;
}

/** Run after the tests passed, before measuring: deterministic checks cheaper than a comparison. */
export type PreMeasureGuard = (context: GuardContext) => Promise<GuardRejection | null>;

/** Run on the interleaved comparison of the candidate against the best. */
export type MeasuredGuard = (
  context: GuardContext,
  measured: InterleavedResult,
) => Promise<GuardRejection | null>;

export const PRE_MEASURE_GUARDS: PreMeasureGuard[] = [checkCommandGuard];

/** In order: a changed behaviour is named before a gamed metric. */
export const MEASURED_GUARDS: MeasuredGuard[] = [outputInvariantsGuard, metricConsistencyGuard];

/** The first guard's rejection, in list order, or null when every guard passes. */
export async function firstRejection<A extends unknown[]>(
  guards: ((context: GuardContext, ...rest: A) => Promise<GuardRejection | null>)[],
  context: GuardContext,
  ...rest: A
): Promise<GuardRejection | null> {
  for (const guard of guards) {
    const rejection = await guard(context, ...rest);
    if (rejection) return rejection;
  }
  return null;
}
