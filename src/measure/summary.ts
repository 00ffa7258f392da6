import { noiseFloor } from "./decision.js";
import type { Better } from "./metrics/types.js";
import type { Observation } from "./observe.js";
import { medianInterval } from "./stats/median-interval.js";
import { median, robustCv } from "./stats/robust.js";

/** One scenario over repeated runs of one revision: what `bench` and the baseline report. */
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
  /** What `compare` would use as the noise floor for this scenario at `maxRounds` rounds. */
  noiseFloor: number;
  /** A secondary counter (B/op, allocs/op, or 0 in the first run): `compare` compares it exactly. */
  counter?: true;
}

/** Per-scenario statistics over all runs (several batches of runs count as one). */
export function summarizeScenarios(
  samples: readonly Observation[],
  names: readonly { name: string; better: Better; unit: string | null; counter?: boolean }[],
  maxRounds: number,
): ScenarioSummary[] {
  return names.map(({ name, better, unit, counter }) => {
    const values = samples.map((s) => s.metrics[name] as number);
    const interval = medianInterval(values);
    return {
      name,
      better,
      unit,
      median: median(values),
      robustCv: robustCv(values),
      min: Math.min(...values),
      max: Math.max(...values),
      ci: [interval.low, interval.high],
      ciCoverage: interval.coverage,
      noiseFloor: noiseFloor(values, values, maxRounds),
      ...(counter && { counter: true as const }),
    };
  });
}

/** Median and maximum peak RSS, or null when the OS did not report it for every run. */
export function peakMemoryOf(
  samples: readonly Observation[],
): { medianKb: number; maxKb: number } | null {
  const rss = samples.map((s) => s.peakRssKb);
  return rss.length > 0 && rss.every((v): v is number => v !== null)
    ? { medianKb: median(rss), maxKb: Math.max(...rss) }
    : null;
}
