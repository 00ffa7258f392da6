import type { EnvironmentSnapshot } from "../measure/environment.js";
import type { ConsistencyScope } from "../measure/metric-consistency-scope.js";
import type { Better } from "../measure/metrics/types.js";
import type { Observation } from "../measure/observe.js";
import type { ScenarioSummary } from "../measure/summary.js";
import { targetReached } from "./target.js";

/** baseline/result.json */
export interface BaselineResult {
  experiment: string;
  /** The commit measured (the experiment branch's HEAD before the baseline commit). */
  commit: string;
  measuredAt: string;
  command: string;
  knobEnv: Record<string, string>;
  build: string | null;
  metric: {
    name: string;
    direction: Better;
    unit: string | null;
    /** The median: the baseline value. */
    value: number;
    ci: [number, number];
    ciCoverage: number;
    robustCv: number;
    noiseFloor: number;
  };
  /** Measured runs (warm-ups excluded); `extraRuns` of them were gathered because of noise. */
  runs: number;
  extraRuns: number;
  noiseLimit: number;
  noisy: boolean;
  acceptedNoise: boolean;
  noiseCauses: string[];
  scenarios: ScenarioSummary[];
  peakMemory: { medianKb: number; maxKb: number } | null;
  resourceNote: string;
  /** Every measured run as observed: metrics, wall time, CPU time, peak memory. */
  samples: Observation[];
  environment: EnvironmentSnapshot;
  /** Whether a candidate's metric is checked against its process's time (guards/metric-consistency.ts). */
  metricConsistency: ConsistencyScope;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const num = (x: number, unit: string | null) => `${x.toPrecision(5)}${unit ? ` ${unit}` : ""}`;

/** baseline/result.txt: the summary a person reads. */
export function formatBaseline(result: BaselineResult, target: number): string {
  const m = result.metric;
  const reached = targetReached({ metric: m, target }, m.value);
  const lines = [
    `Baseline of ${result.experiment} at ${result.commit.slice(0, 12)} (${result.measuredAt})`,
    `benchmark: ${result.command}${
      Object.keys(result.knobEnv).length
        ? ` with ${Object.entries(result.knobEnv)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ")}`
        : ""
    }`,
    `${result.runs} runs after a warm-up${result.extraRuns ? ` (${result.extraRuns} of them gathered because the first ones were noisy)` : ""}`,
    "",
    `${m.name} (${m.direction} is better): ${num(m.value, m.unit)}  ${Math.round(m.ciCoverage * 100)}% CI [${num(m.ci[0], m.unit)}, ${num(m.ci[1], m.unit)}]`,
    `  robust CV ${pct(m.robustCv)} (limit ${pct(result.noiseLimit)})  noise floor for comparisons ${pct(m.noiseFloor)}`,
    `  target ${target}: ${reached ? "already reached by the baseline" : "not reached yet"}`,
    `  metric/process-time consistency: ${result.metricConsistency.note}`,
  ];
  const others = result.scenarios.filter((s) => s.name !== m.name);
  if (others.length > 0) {
    lines.push("", "other scenarios:");
    for (const s of others) {
      lines.push(
        `  ${s.name} (${s.better} is better): median ${num(s.median, s.unit)}  robust CV ${pct(s.robustCv)}`,
      );
    }
  }
  lines.push(
    "",
    result.peakMemory
      ? `peak memory: median ${(result.peakMemory.medianKb / 1024).toFixed(1)} MiB, max ${(result.peakMemory.maxKb / 1024).toFixed(1)} MiB`
      : `peak memory unavailable: ${result.resourceNote}`,
  );
  if (result.noisy) {
    lines.push(
      "",
      result.acceptedNoise
        ? "NOISY, accepted with --accept-noise. Likely causes:"
        : "NOISY. Likely causes:",
      ...(result.noiseCauses.length
        ? result.noiseCauses.map((c) => `  - ${c}`)
        : ["  - none visible from here: the benchmark itself may vary from run to run"]),
    );
  }
  return `${lines.join("\n")}\n`;
}
