import { type BenchResult, NOISE_LIMIT, runBench } from "../measure/bench.js";
import type { EnvironmentSnapshot } from "../measure/environment.js";
import type { Better } from "../measure/metrics/types.js";
import {
  type BenchSpec,
  type Observation,
  type RunTarget,
  sampleError,
} from "../measure/observe.js";
import type { OutputInvariants } from "../measure/output-invariants.js";
import { runSample } from "../measure/sample.js";
import { summarizeScenarios } from "../measure/summary.js";
import { learnBaselineInvariants } from "./baseline-invariants.js";
import { type RefusedBaseline, refusedEnvironment, refusedSamples } from "./refused-baseline.js";
import type { Experiment } from "./schema.js";

const BUILD_TIMEOUT_MS = 30 * 60_000;

/** What a baseline rests on: its measured runs and what was learned while running them. */
export interface GatheredRuns {
  samples: Observation[];
  extraRuns: number;
  environment: EnvironmentSnapshot;
  names: { name: string; better: Better; unit: string | null }[];
  resourceNote: string;
  invariants: OutputInvariants | null;
}

/**
 * Builds, then one warm-up and `runs` runs; a metric noisier than the limit gathers twice as many
 * runs again.
 */
export async function gatherRuns(
  experiment: Experiment,
  target: RunTarget,
  spec: BenchSpec,
  runs: number,
  build: string | undefined,
  progress: (message: string) => void,
): Promise<GatheredRuns> {
  if (build) {
    progress(`building with '${build}'…`);
    const sample = await runSample({
      command: build,
      cwd: target.cwd,
      timeoutMs: BUILD_TIMEOUT_MS,
    });
    if (!sample.ok) throw sampleError(sample, "the build before the baseline");
  }
  const metric = experiment.metric.name;
  const onRun = (total: number) => (run: number) => progress(`baseline run ${run}/${total}`);
  progress(`measuring the baseline: one warm-up, then ${runs} runs…`);
  let first = await runBench(target, spec, runs, onRun(runs));
  if (!first.scenarios.some((s) => s.name === metric)) {
    // The output's first readable format lacks the metric; ask for it by name (as init's dry-run did).
    first = await runBench(target, { ...spec, metrics: [metric] }, runs, onRun(runs));
  }
  const names = first.scenarios.map((s) => ({ name: s.name, better: s.better, unit: s.unit }));
  const cvOf = (scenarios: BenchResult["scenarios"]) =>
    scenarios.find((s) => s.name === metric)?.robustCv ?? 0;

  let samples = first.samples;
  const warmups = [first.warmup];
  let environment = first.environment;
  let extraRuns = 0;
  const cv = cvOf(summarizeScenarios(samples, names, experiment.measurement.maxRounds));
  if (cv > NOISE_LIMIT) {
    extraRuns = 2 * runs;
    progress(
      `robust CV of ${metric} is ${(100 * cv).toFixed(1)}%, above ${100 * NOISE_LIMIT}%: gathering ${extraRuns} more runs…`,
    );
    const more = await runBench(
      target,
      { ...spec, metrics: names.map((n) => n.name) },
      extraRuns,
      onRun(extraRuns),
    );
    samples = [...samples, ...more.samples];
    warmups.push(more.warmup);
    environment = more.environment;
  }
  return {
    samples,
    extraRuns,
    environment,
    names,
    resourceNote: first.resourceNote,
    invariants: learnBaselineInvariants(experiment, [...warmups, ...samples]),
  };
}

export function fromRefused(refused: RefusedBaseline): GatheredRuns {
  return {
    samples: refusedSamples(refused),
    extraRuns: refused.extraRuns,
    environment: refusedEnvironment(refused),
    names: refused.names,
    resourceNote: refused.resourceNote,
    invariants: refused.invariants,
  };
}
