import { DEFAULT_DECISION, noiseFloor } from "./decision.js";
import { type EnvironmentSnapshot, noiseCauses, snapshotEnvironment } from "./environment.js";
import type { Better } from "./metrics/types.js";
import { type BenchSpec, type Observation, observe, type RunTarget } from "./observe.js";
import { medianInterval } from "./stats/median-interval.js";
import { median, robustCv } from "./stats/robust.js";

/** The robust CV above which a measurement is called noisy (the seed's 5%). */
export const NOISE_LIMIT = 0.05;

export interface ScenarioSummary {
  name: string;
  better: Better;
  unit: string | null;
  median: number;
  robustCv: number;
  min: number;
  max: number;
  ci: [number, number];
  ciCoverage: number;
  /** What `compare` would use as the noise floor for this scenario at its default round budget. */
  noiseFloor: number;
}

export interface BenchResult {
  runs: number;
  scenarios: ScenarioSummary[];
  peakMemory: { medianKb: number; maxKb: number } | null;
  resourceNote: string;
  noisy: boolean;
  noiseCauses: string[];
  environment: EnvironmentSnapshot;
  samples: Observation[];
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
  const scenarios = names.map((name): ScenarioSummary => {
    const values = samples.map((s) => s.metrics[name] as number);
    const interval = medianInterval(values);
    return {
      name,
      better: warm.better[name] ?? "lower",
      unit: warm.units[name] ?? null,
      median: median(values),
      robustCv: robustCv(values),
      min: Math.min(...values),
      max: Math.max(...values),
      ci: [interval.low, interval.high],
      ciCoverage: interval.coverage,
      noiseFloor: noiseFloor(values, values, DEFAULT_DECISION.maxRounds),
    };
  });
  const rss = samples.map((s) => s.peakRssKb);
  const peakMemory = rss.every((v): v is number => v !== null)
    ? { medianKb: median(rss), maxKb: Math.max(...rss) }
    : null;
  const environment = await snapshotEnvironment(target.cwd);
  const noisy = scenarios.some((s) => s.robustCv > NOISE_LIMIT);
  return {
    runs,
    scenarios,
    peakMemory,
    resourceNote: warm.resourceNote,
    noisy,
    noiseCauses: noisy ? noiseCauses(environment) : [],
    environment,
    samples,
  };
}
