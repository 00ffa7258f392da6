import { initialKnobValues, knobRunTarget } from "../../experiment/knobs.js";
import type { Experiment } from "../../experiment/schema.js";
import type { LoopState } from "../../experiment/state.js";
import { compareRevisions } from "../../measure/compare-revisions.js";
import { DEFAULT_DECISION, type StopRule, type Verdict } from "../../measure/decision.js";
import { preciseEnough } from "../../measure/precision.js";
import { DEFAULT_SCHEDULE } from "../../measure/sequential.js";
import { seedFromText } from "../../measure/stats/prng.js";
import { median } from "../../measure/stats/robust.js";
import type { FinalReportInput } from "../final-report.js";

/** The re-measured gain of the best over the baseline: the report's headline number. */
export interface Headline {
  improvement: number;
  ci: [number, number];
  verdict: Verdict;
  rounds: number;
  /** `precision` when the interval became narrow enough to quote, else `max-rounds`. */
  stoppedFor: StopRule;
  baselineValue: number;
  bestValue: number;
  seed: number;
  baselineCommit: string;
  bestCommit: string;
}

/**
 * The re-measure's rounds at most when no one says otherwise: twice what one iteration may take,
 * because the report's headline number rests on this one comparison.
 */
export function defaultRemeasureRounds(experiment: Experiment): number {
  return 2 * experiment.measurement.maxRounds;
}

/**
 * Baseline commit (initial knobs) against the best commit (its knobs), in fresh worktrees. It
 * stops at the first look whose interval is precise enough to quote (`preciseEnough`): a 2×
 * speedup in a few rounds, a 3% gain after the rounds it needs, `maxRounds` at most.
 */
export async function remeasure(
  input: FinalReportInput,
  state: LoopState,
  maxRounds: number,
): Promise<Headline> {
  const { experiment } = input;
  const m = experiment.measurement;
  const baselineCommit = (state.baseline as { commit: string }).commit;
  const seed = seedFromText(`${experiment.id}/final-report`);
  const onStep = input.onStep;
  onStep?.(
    `re-measuring the baseline against the best (until its interval is within ±max(0.5 points, 5% of the gain), ${maxRounds} rounds at most)`,
  );
  const result = await compareRevisions(baselineCommit, state.best.commit, {
    cwd: input.root,
    build: experiment.commands.build,
    buildTimeoutMs: Math.max(m.timeoutSeconds * 1000, 30 * 60_000),
    onBuild: (arm) => onStep?.(`re-measure: building ${arm === "A" ? "the baseline" : "the best"}`),
    arms: {
      a: knobRunTarget(experiment.knobs, initialKnobValues(experiment.knobs)),
      b: knobRunTarget(experiment.knobs, state.best.knobs),
    },
    bench: {
      command: experiment.commands.bench,
      timeoutMs: m.timeoutSeconds * 1000,
      format: m.format,
      metrics: [experiment.metric.name],
    },
    direction: experiment.metric.direction,
    schedule: {
      ...DEFAULT_SCHEDULE,
      minRounds: Math.min(DEFAULT_SCHEDULE.minRounds, maxRounds),
      maxRounds,
    },
    // The headline needs a precise number, not a verdict: precision alone stops it.
    settle: (decision) => (preciseEnough(decision.overall) ? "precision" : null),
    settings: {
      ...DEFAULT_DECISION,
      alpha: m.alpha,
      minEffect: experiment.threshold,
      maxRounds,
    },
    seed,
    onEvent: (event) => {
      if (event.kind === "warmup") onStep?.(`re-measure: warm-up ${event.arm}`);
      if (event.kind === "round") onStep?.(`re-measure: round ${event.round}/${maxRounds}`);
    },
  });
  const name = experiment.metric.name;
  const { overall, verdict } = result.decision;
  return {
    improvement: overall.estimate,
    ci: [overall.low, overall.high],
    verdict,
    rounds: result.rounds.length,
    stoppedFor: result.stoppedFor,
    baselineValue: median(result.rounds.map((r) => r.a.metrics[name] as number)),
    bestValue: median(result.rounds.map((r) => r.b.metrics[name] as number)),
    seed,
    baselineCommit: result.a.commit,
    bestCommit: result.b.commit,
  };
}
