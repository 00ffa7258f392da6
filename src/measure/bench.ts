import { DEFAULT_DECISION } from "./decision.js";
import { type EnvironmentSnapshot, noiseCauses, snapshotEnvironment } from "./environment.js";
import { type BenchSpec, type Observation, observe, type RunTarget } from "./observe.js";
import { peakMemoryOf, type ScenarioSummary, summarizeScenarios } from "./summary.js";

export type { ScenarioSummary };

/** The robust CV above which a measurement is called noisy (the seed's 5%). */
export const NOISE_LIMIT = 0.05;

export interface BenchResult {
  runs: number;
  /** How the output was read, and which part of it when it had two (`formatNote`). */
  format: Observation["format"];
  formatNote?: string;
  scenarios: ScenarioSummary[];
  peakMemory: { medianKb: number; maxKb: number } | null;
  resourceNote: string;
  noisy: boolean;
  noiseCauses: string[];
  environment: EnvironmentSnapshot;
  samples: Observation[];
  /** The warm-up run before them: a run of the same code, not measured. */
  warmup: Observation;
}

/**
 * Runs one revision (the working tree) repeatedly after a warm-up run and summarizes each scenario;
 * when the robust CV exceeds the noise limit, names the likely causes it can see.
 */
export async function runBench(
  target: RunTarget,
  spec: BenchSpec,
  runs: number,
  onRun?: (run: number) => void,
): Promise<BenchResult> {
  const warm = await observe(spec, target, "warm-up");
  const names = Object.keys(warm.metrics);
  const fixed: BenchSpec = { ...spec, metrics: names };
  const samples: Observation[] = [];
  for (let run = 1; run <= runs; run++) {
    onRun?.(run);
    samples.push(await observe(fixed, target, `run ${run}`));
  }
  const scenarios = summarizeScenarios(
    samples,
    names.map((name) => ({
      name,
      better: warm.better[name] ?? "lower",
      unit: warm.units[name] ?? null,
      counter: warm.counters.includes(name) || warm.metrics[name] === 0,
    })),
    DEFAULT_DECISION.maxRounds,
  );
  const peakMemory = peakMemoryOf(samples);
  const environment = await snapshotEnvironment(target.cwd);
  const noisy = scenarios.some((s) => s.robustCv > NOISE_LIMIT);
  return {
    runs,
    format: warm.format,
    ...(warm.formatNote && { formatNote: warm.formatNote }),
    scenarios,
    peakMemory,
    resourceNote: warm.resourceNote,
    noisy,
    noiseCauses: noisy ? noiseCauses(environment) : [],
    environment,
    samples,
    warmup: warm,
  };
}
