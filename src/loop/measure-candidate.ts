import { AutoOptimizeError } from "../errors.js";
import { knobRunTarget } from "../experiment/knobs.js";
import type { Ledger } from "../experiment/ledger.js";
import type { Experiment } from "../experiment/schema.js";
import type { LoopState } from "../experiment/state.js";
import { BenchRunError } from "../measure/bench-failure.js";
import { runCheckCommand } from "../measure/check-run.js";
import { DEFAULT_DECISION, type DecisionSettings } from "../measure/decision.js";
import {
  compareInterleaved,
  type InterleavedEvent,
  type InterleavedResult,
} from "../measure/interleaved.js";
import { roundProgress } from "../measure/round-progress.js";
import { median } from "../measure/stats/robust.js";
import type { QueueClient } from "../queue/client.js";
import { CandidateWroteOutside } from "../workspace/run-watch.js";
import type { IterationRecord } from "./artifacts.js";
import type { EvaluationRuns } from "./evaluation-runs.js";
import type { LoopWorktrees } from "./worktrees.js";

export interface MeasureEnv {
  experiment: Experiment;
  ledger: Ledger;
  worktrees: LoopWorktrees;
  /** The checkout holding the candidate: the candidate worktree, or the main tree in host mode. */
  candidatePath: string;
  onStep: (step: string, detail?: string) => void;
  /** Compared on a worker of the queue instead, the candidate being this commit there. */
  remote?: { client: QueueClient; candidateCommit: string };
  /** How many comparisons its generation makes (`run --parallel`): each decides at alpha / family. */
  family?: number;
}

/**
 * The current best checked out in its worktree and built (once per best in this process): the
 * reference the guards and the comparison run against.
 */
export async function readyBest(env: MeasureEnv, state: LoopState): Promise<void> {
  const { experiment, worktrees } = env;
  if (!(await worktrees.prepareBest(state.best.commit))) return;
  if (experiment.commands.build) {
    env.onStep("building the best");
    const built = await runCheckCommand(
      "the build of the best",
      experiment.commands.build,
      { cwd: worktrees.bestPath },
      experiment.measurement.timeoutSeconds * 1000,
    );
    if (!built.ok) throw new AutoOptimizeError("best-build-failed", built.report);
  }
  worktrees.markBestBuilt(state.best.commit);
}

/** The candidate's benchmark gave no usable run: an outcome of its iteration, not of the run. */
export interface CandidateBenchFailure {
  kind: "bench-failed";
  failure: BenchRunError;
}

/** A benchmark run of the candidate wrote where it may not (run-watch.ts): it is rejected. */
export interface CandidateWrite {
  kind: "wrote-outside-run";
  reason: string;
}

/**
 * Interleaved comparison of the candidate against the current best (readied with `readyBest`),
 * on the experiment's terms; the record gets the figures and the verdict. A candidate whose
 * benchmark fails is returned as such; a best whose benchmark fails stops the run (best-bench-failed).
 */
export async function measureCandidate(
  env: MeasureEnv,
  state: LoopState,
  record: IterationRecord,
  runs: EvaluationRuns,
): Promise<InterleavedResult | CandidateBenchFailure | CandidateWrite> {
  try {
    return await compareWithBest(env, state, record, runs);
  } catch (error) {
    if (error instanceof CandidateWroteOutside)
      return { kind: "wrote-outside-run", reason: error.message };
    if (!(error instanceof BenchRunError)) throw error;
    if (error.arm === "B") return { kind: "bench-failed", failure: error };
    throw new AutoOptimizeError(
      "best-bench-failed",
      `The current best's benchmark failed (commit ${state.best.commit.slice(0, 10)}, ${error.kind}), so no candidate can be compared with it: the run stops. The best measured before — check what changed around it (the machine, the environment, files or services the benchmark reads), then run again.\n${error.message}`,
    );
  }
}

/**
 * The settings every comparison of the loop decides with (the brief states them). A generation of
 * `family` comparisons against the same best splits alpha among them (Bonferroni), so the chance
 * that any of its candidates is kept by noise stays at most alpha.
 */
export function decisionSettings(experiment: Experiment, family = 1): DecisionSettings {
  const m = experiment.measurement;
  return {
    ...DEFAULT_DECISION,
    alpha: m.alpha / family,
    minEffect: experiment.threshold,
    maxRounds: m.maxRounds,
  };
}

async function compareWithBest(
  env: MeasureEnv,
  state: LoopState,
  record: IterationRecord,
  runs: EvaluationRuns,
): Promise<InterleavedResult> {
  const rounds = env.experiment.measurement.maxRounds;
  const progress = roundProgress(rounds, (text) => env.onStep("measuring", text), 2 * rounds);
  const { experiment, worktrees } = env;
  const m = experiment.measurement;
  const settings = decisionSettings(experiment, env.family);
  const best = { commit: state.best.commit, knobs: state.best.knobs };
  const options = {
    bench: {
      command: experiment.commands.bench,
      timeoutMs: m.timeoutSeconds * 1000,
      format: m.format,
    },
    directions: { [experiment.metric.name]: experiment.metric.direction },
    ratios: [experiment.metric.name],
    schedule: {
      minRounds: Math.min(m.minRounds, m.maxRounds),
      lookEvery: 5,
      maxRounds: m.maxRounds,
      // A promising comparison unresolved at max rounds goes on: docs/decision-quality.md.
      extendTo: 2 * rounds,
    },
    settings,
    seed: record.seed,
  };
  let result: InterleavedResult;
  if (env.remote) {
    env.onStep("measuring", `on the queue ${env.remote.client.shown}`);
    const candidate = { commit: env.remote.candidateCommit, knobs: record.knobs };
    const remote = await env.remote.client.compare({ ...options, best, candidate });
    record.measuredBy = remote.measuredBy;
    record.measuredOn = remote.environment;
    result = remote;
  } else {
    result = await compareInterleaved(
      {
        label: "best",
        cwd: worktrees.bestPath,
        isolation: runs.best,
        ...knobRunTarget(experiment.knobs, state.best.knobs),
      },
      {
        label: "candidate",
        cwd: env.candidatePath,
        isolation: runs.candidate,
        ...knobRunTarget(experiment.knobs, record.knobs),
      },
      {
        ...options,
        bench: { ...options.bench, metrics: [] },
        afterRun: (arm, what) => runs.watch.afterRun(arm, `benchmark run (${what})`),
        onEvent: (event: InterleavedEvent) => progress(event),
      },
    );
  }
  const name = experiment.metric.name;
  if (!result.scenarios.some((s) => s.name === name)) {
    throw new AutoOptimizeError(
      "metric-missing",
      `the benchmark no longer prints the experiment's metric '${name}' (it printed: ${result.scenarios.map((s) => s.name).join(", ")})`,
    );
  }
  const { decision } = result;
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  record.value = median(result.rounds.map((r) => r.b.metrics[name] as number));
  record.bestValue = median(result.rounds.map((r) => r.a.metrics[name] as number));
  record.improvement = decision.overall.estimate;
  record.ci = [decision.overall.low, decision.overall.high];
  record.verdict = decision.verdict;
  record.rounds = result.rounds.length;
  record.reason = `${decision.verdict}: ${pct(decision.overall.estimate)} [${pct(decision.overall.low)}, ${pct(decision.overall.high)}] vs δ ${pct(decision.delta)}${decision.vetoes.length ? `; ${decision.vetoes.join("; ")}` : ""}`;
  record.comparison = {
    verdict: decision.verdict,
    delta: decision.delta,
    noiseFloor: decision.noiseFloor,
    scenarios: decision.scenarios,
    memory: decision.memory,
    counters: decision.counters,
    vetoes: decision.vetoes,
    stoppedFor: result.stoppedFor,
    ...(result.extended !== undefined && { extended: result.extended }),
    ...(result.contention && { contention: result.contention }),
    samples: result.rounds,
  };
  env.ledger.append({
    type: "measured",
    iteration: record.iteration,
    verdict: decision.verdict,
    improvement: decision.overall.estimate,
    ci: [decision.overall.low, decision.overall.high],
    rounds: result.rounds.length,
    value: record.value,
    bestValue: record.bestValue,
    ...(record.measuredBy && { measuredBy: record.measuredBy }),
  });
  return result;
}
