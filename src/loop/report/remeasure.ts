import { initialKnobValues, knobRunTarget } from "../../experiment/knobs.js";
import { experimentIsolation } from "../../experiment/run-isolation.js";
import type { Experiment } from "../../experiment/schema.js";
import type { LoopState } from "../../experiment/state.js";
import { compareRevisions } from "../../measure/compare-revisions.js";
import { DEFAULT_DECISION, type StopRule, type Verdict } from "../../measure/decision.js";
import { type MemoryCheck, memoryCheck } from "../../measure/memory-check.js";
import type { Better } from "../../measure/metrics/types.js";
import { preciseEnough } from "../../measure/precision.js";
import { roundProgress } from "../../measure/round-progress.js";
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
  /** Every scenario the benchmark prints, re-measured like the primary one. */
  scenarios: RemeasuredScenario[];
  /** Peak memory, when the OS reported it for every sample; else why not in `memoryNote`. */
  memory: RemeasuredMemory | null;
  memoryNote: string;
  vetoes: string[];
}

export interface RemeasuredScenario {
  name: string;
  better: Better;
  baselineValue: number;
  bestValue: number;
  improvement: number;
  ci: [number, number];
  verdict: Verdict;
}

export interface RemeasuredMemory {
  baselineKb: number;
  bestKb: number;
  /** The share of peak memory saved (negative: it grew). */
  saved: number;
  ci: [number, number];
  check: MemoryCheck;
  tolerance: number;
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
  const rounds = roundProgress(maxRounds, (text) => onStep?.(`re-measure: ${text}`));
  const result = await compareRevisions(baselineCommit, state.best.commit, {
    cwd: input.root,
    build: experiment.commands.build,
    buildTimeoutMs: Math.max(m.timeoutSeconds * 1000, 30 * 60_000),
    onBuild: (arm) => onStep?.(`re-measure: building ${arm === "A" ? "the baseline" : "the best"}`),
    isolation: await experimentIsolation(experiment),
    arms: {
      a: knobRunTarget(experiment.knobs, initialKnobValues(experiment.knobs)),
      b: knobRunTarget(experiment.knobs, state.best.knobs),
    },
    bench: {
      command: experiment.commands.bench,
      timeoutMs: m.timeoutSeconds * 1000,
      format: m.format,
      // Every scenario, as each iteration's comparison measured them: the goal may be about all.
      metrics: [],
    },
    directions: { [experiment.metric.name]: experiment.metric.direction },
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
      rounds(event);
    },
  });
  const name = experiment.metric.name;
  const { overall, verdict, memory } = result.decision;
  const medianOf = (arm: "a" | "b", metric: string) =>
    median(result.rounds.map((r) => r[arm].metrics[metric] as number));
  const memoryMedian = (arm: "a" | "b") =>
    median(result.rounds.map((r) => r[arm].peakRssKb as number));
  const tolerance = DEFAULT_DECISION.memoryTolerance;
  return {
    improvement: overall.estimate,
    ci: [overall.low, overall.high],
    verdict,
    rounds: result.rounds.length,
    stoppedFor: result.stoppedFor,
    baselineValue: medianOf("a", name),
    bestValue: medianOf("b", name),
    seed,
    baselineCommit: result.a.commit,
    bestCommit: result.b.commit,
    scenarios: result.decision.scenarios.map((sc) => ({
      name: sc.name,
      better: sc.better,
      baselineValue: medianOf("a", sc.name),
      bestValue: medianOf("b", sc.name),
      improvement: sc.improvement.estimate,
      ci: [sc.improvement.low, sc.improvement.high],
      verdict: sc.verdict,
    })),
    memory: memory
      ? {
          baselineKb: memoryMedian("a"),
          bestKb: memoryMedian("b"),
          saved: memory.estimate,
          ci: [memory.low, memory.high],
          check: memoryCheck(memory, tolerance),
          tolerance,
        }
      : null,
    memoryNote: result.memoryGuarded
      ? "peak RSS from the OS for every sample"
      : `peak memory not guarded: ${result.resourceNote}`,
    vetoes: result.decision.vetoes,
  };
}
