import { AutoOptimizeError, InterruptedError, UsageError } from "../errors.js";
import { benchRunError, sampleFailureKind } from "./bench-failure.js";
import { parseMetrics } from "./metrics/parse.js";
import type { Better, MetricFormat } from "./metrics/types.js";
import type { RunIsolation } from "./run-isolation.js";
import { RunOutput } from "./run-output.js";
import { runSample } from "./sample.js";
import type { Sample } from "./sample-types.js";

/** The scenario measured when a benchmark prints no metric: the sample's own wall time. */
export const WALL_TIME = "wall-time";

export interface BenchSpec {
  command: string;
  timeoutMs: number;
  format: MetricFormat | "auto";
  /** Metric names the output must contain; empty: whatever the first run printed. */
  metrics: string[];
  /** The metrics compared as ratios, each of which must be greater than zero in every run. */
  positive?: readonly string[];
}

/** Where and how to run: a checkout, plus the environment and arguments of env/arg knobs. */
export interface RunTarget {
  cwd: string;
  env?: Record<string, string>;
  /** Appended to the command (already shell-quoted). */
  args?: string;
  /** Set for an experiment's runs: each gets fresh temporary folders and the sandbox. */
  isolation?: RunIsolation;
  /** The CPUs to run on (`taskset -c`), when a comparison pins its arms. */
  cpus?: string;
}

/** One sample reduced to what the decision needs, with the raw process facts kept beside it. */
export interface Observation {
  metrics: Record<string, number>;
  better: Record<string, Better>;
  units: Record<string, string>;
  /** The metrics its format calls secondary counters (go's B/op, allocs/op). */
  counters: string[];
  format: MetricFormat | "wall-time";
  /** Which part of the output was read, when it had two (a JSON object and key/value lines). */
  formatNote?: string;
  wallMs: number;
  cpuMs: number | null;
  peakRssKb: number | null;
  resourceNote: string;
  /** The head of its stdout, for the output invariants (in memory only: not written to JSON). */
  output: RunOutput;
}

/**
 * Runs the benchmark once in `cwd` and reads its metrics. A sample that fails is a result for the
 * sampler, but a comparison cannot go on without it: here it becomes a BenchRunError naming the
 * revision, the reason and the last lines of output — as does output without a readable metric, a
 * metric that is negative or not a number, and a zero in one of `spec.positive` (the ratios).
 * Exit status 127 (the shell found no such command) is bad input.
 */
export async function observe(
  spec: BenchSpec,
  target: RunTarget,
  where: string,
): Promise<Observation> {
  const command = target.args ? `${spec.command} ${target.args}` : spec.command;
  const sample = await runSample({
    command,
    cwd: target.cwd,
    timeoutMs: spec.timeoutMs,
    env: target.env,
    isolation: target.isolation,
    cpus: target.cpus,
  });
  if (!sample.ok)
    throw benchRunError(sampleError(sample, where), sampleFailureKind(sample), sample);
  const parsed = readMetrics(spec, command, sample);
  const observation: Observation = {
    metrics: {},
    better: {},
    units: {},
    counters: [],
    format: parsed ? parsed.format : "wall-time",
    ...(parsed?.note && { formatNote: parsed.note }),
    wallMs: sample.wallMs,
    cpuMs: sample.cpuMs,
    peakRssKb: sample.peakRssKb,
    resourceNote: sample.resourceNote,
    output: RunOutput.of(sample.stdout, {
      truncated: sample.stdoutTruncated,
      checkout: target.cwd,
    }),
  };
  for (const metric of parsed?.metrics ?? []) {
    if (spec.metrics.length > 0 && !spec.metrics.includes(metric.name)) continue;
    observation.metrics[metric.name] = metric.value;
    if (metric.better) observation.better[metric.name] = metric.better;
    if (metric.unit) observation.units[metric.name] = metric.unit;
    if (metric.counter) observation.counters.push(metric.name);
  }
  if (!parsed || spec.metrics.includes(WALL_TIME)) {
    observation.metrics[WALL_TIME] = sample.wallMs;
    observation.better[WALL_TIME] = "lower";
    observation.units[WALL_TIME] = "ms";
  }
  for (const [name, value] of Object.entries(observation.metrics)) {
    const ratio = spec.positive?.includes(name) ?? false;
    if (!Number.isFinite(value) || (ratio ? !(value > 0) : value < 0)) {
      const error = new UsageError(
        "metric-not-positive",
        `${where}: metric ${name} = ${value} from '${command}'. ${ratio ? "Ratios need positive numbers: print a time, a rate or a count greater than zero." : "A time, a rate or a count is a finite number, never negative: print one."}`,
      );
      throw benchRunError(error, "not-positive", sample);
    }
  }
  return observation;
}

/** The metrics of a sample's stdout; output that has none readable is an "unreadable" failure. */
function readMetrics(spec: BenchSpec, command: string, sample: Sample) {
  try {
    return parseMetrics(sample.stdout, {
      command,
      format: spec.format,
      expect: spec.metrics.filter((name) => name !== WALL_TIME),
    });
  } catch (error) {
    if (error instanceof AutoOptimizeError) throw benchRunError(error, "unreadable", sample);
    throw error;
  }
}

export function sampleError(sample: Sample, where: string): AutoOptimizeError {
  if (sample.failure?.kind === "interrupted") return new InterruptedError();
  const reason = sample.failure?.message ?? "unknown reason";
  // The sampler's reason already quotes stderr; stdout is shown when stderr said nothing.
  const stdoutTail = sample.stderr.trim() ? "" : lastLines(sample.stdout, 8);
  const output = stdoutTail ? `\n--- last lines of stdout ---\n${stdoutTail}` : "";
  if (sample.exitCode === 127) {
    return new UsageError(
      "command-not-found",
      `${where}: the shell could not find the command in '${sample.command}' (${reason}). Check the command and that it exists in ${sample.cwd}.`,
    );
  }
  return new AutoOptimizeError(
    "sample-failed",
    `${where}: '${sample.command}' failed: ${reason}${output}`,
  );
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split("\n").slice(-count).join("\n");
}
