import type { Better, MetricFormat } from "./metrics/types.js";
import { msPerTimeUnit } from "./metrics/units.js";
import type { Observation } from "./observe.js";
import { rankCorrelation } from "./stats/rank-correlation.js";
import { median } from "./stats/robust.js";

/**
 * Whether the metric/process-time consistency check is sound for a benchmark, learned from the
 * baseline's runs, with the sentence that says so.
 */
export type ConsistencyScope =
  | { checked: true; msPerUnit: number; note: string }
  | { checked: false; note: string };

/** What the scope needs of a run (a baseline sample as recorded in baseline/result.json). */
export type ScopeSample = Pick<Observation, "metrics" | "units" | "format" | "wallMs" | "cpuMs">;

/** Formats a hand-written benchmark prints; every other one is a harness's. */
const PLAIN_FORMATS: readonly (MetricFormat | "wall-time")[] = ["number", "keyvalue", "json"];
/** Below this share of the process's time, the metric's saving is no measure of the process's. */
const MIN_SHARE = 0.5;
/** A metric timed inside the process cannot exceed its wall time; beyond this it times something else. */
const MAX_SHARE = 1.1;
/** The runs vary enough to tell whether the metric moves with the process's time. */
const MIN_RUNS_TO_CORRELATE = 8;
const MIN_RANGE_TO_CORRELATE = 0.2;
const MIN_CORRELATION = 0.3;

/** A unit in the metric's name: `parse_ms`, `latency.us`, `totalSeconds` (a bare `_s` is too ambiguous). */
const NAME_UNIT = /(?:^|[_.\-\s])(ns|us|µs|μs|ms|sec|secs|seconds|millis|micros|nanos)$/i;
const CAMEL_NAME_UNIT = /[a-z0-9](Ns|Us|Ms|Sec|Secs|Seconds|Millis|Micros|Nanos)$/;
const SPELLED_UNITS: Record<string, string> = { millis: "ms", micros: "us", nanos: "ns" };

/**
 * ms per unit of a metric named `name` printed in `unit` (a time, or a time per operation such as
 * `ns/op`): from the unit, else from the name.
 */
export function durationMsPerUnit(name: string, unit: string | undefined): number | undefined {
  if (unit !== undefined) return msPerTimeUnit(unit.replace(/\/(op|iter)$/i, ""));
  const named = (NAME_UNIT.exec(name) ?? CAMEL_NAME_UNIT.exec(name))?.[1]?.toLowerCase();
  return named === undefined ? undefined : msPerTimeUnit(SPELLED_UNITS[named] ?? named);
}

/**
 * The check is sound where a saving in the metric must be time the process no longer spends: the
 * benchmark prints its own number (not a harness that runs for a calibrated time or many
 * repetitions whatever the speed, not the wall time itself), the metric is a duration lower is
 * better for, in a known unit, it is a large share of the process's wall or CPU time, and — when
 * the baseline's runs vary enough to tell — it rises and falls with that time.
 */
export function consistencyScope(
  samples: readonly ScopeSample[],
  metric: { name: string; direction: Better },
): ConsistencyScope {
  const skip = (why: string): ConsistencyScope => ({ checked: false, note: `not checked: ${why}` });
  const first = samples[0];
  if (!first) return skip("the baseline has no runs");
  if (first.format === "wall-time") return skip("the metric is the process's wall time itself");
  if (!PLAIN_FORMATS.includes(first.format)) {
    return skip(
      `the benchmark is a calibrated-time harness (${first.format}), whose process runs for a set time or number of repetitions whatever the speed`,
    );
  }
  if (metric.direction !== "lower") {
    return skip(`higher is better for ${metric.name}, so it is not a duration`);
  }
  const unit = first.units[metric.name];
  const msPerUnit = durationMsPerUnit(metric.name, unit);
  if (msPerUnit === undefined) {
    return skip(
      unit === undefined
        ? `the unit of ${metric.name} is unknown (print it with one, e.g. \`${metric.name === "value" ? "work" : metric.name}_ms: 182\` or \`${metric.name}: 182 ms\`)`
        : `${metric.name} is not a duration (its unit is ${unit})`,
    );
  }

  const metricMs = samples.map((s) => (s.metrics[metric.name] ?? Number.NaN) * msPerUnit);
  if (metricMs.some((v) => !Number.isFinite(v))) {
    return skip(`some of the baseline's runs do not print ${metric.name}`);
  }
  const typical = median(metricMs);
  const wall = samples.map((s) => s.wallMs);
  const wallShare = typical / median(wall);
  if (wallShare > MAX_SHARE) {
    return skip(
      `${metric.name} is ${pct(wallShare)} of the process's wall time: it does not time the process's own work`,
    );
  }
  // A timed wait is wall time, not CPU; under contention the timed work takes longer than its
  // CPU time: a metric above the CPU time is still the process's work.
  const bases = [{ kind: "wall", times: wall, share: wallShare }];
  if (samples.every((s) => s.cpuMs !== null)) {
    const cpu = samples.map((s) => s.cpuMs as number);
    bases.push({ kind: "CPU", times: cpu, share: typical / median(cpu) });
  }
  const basis = bases.find((b) => b.share >= MIN_SHARE);
  if (!basis) {
    const shares = bases
      .map((b, i) => `${pct(b.share)} of ${i === 0 ? "the process's" : "its"} ${b.kind} time`)
      .join(" and ");
    return skip(`${metric.name} is only ${shares}, too small a part to compare their savings`);
  }
  const share = `${metric.name} is ${pct(basis.share)} of the process's ${basis.kind} time`;
  const range = (Math.max(...metricMs) - Math.min(...metricMs)) / typical;
  if (samples.length >= MIN_RUNS_TO_CORRELATE && range >= MIN_RANGE_TO_CORRELATE) {
    // Contention stretches the timed work's wall time and not its CPU time: either will do.
    const correlations = bases.map((b) => ({ ...b, r: rankCorrelation(metricMs, b.times) }));
    if (correlations.every((c) => c.r < MIN_CORRELATION)) {
      const listed = correlations.map((c) => `${c.r.toFixed(2)} with ${c.kind}`).join(", ");
      return skip(
        `${share}, but across the baseline's runs it does not move with the process's time (rank correlation ${listed})`,
      );
    }
  }
  return {
    checked: true,
    msPerUnit,
    note: `checked (${share})`,
  };
}

function pct(share: number): string {
  return `${Math.round(100 * share)}%`;
}
