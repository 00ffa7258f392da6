import { findJsonDocuments } from "./find-json.js";
import { finite, isRecord, type JsonRecord, records } from "./json-values.js";
import type { Metric } from "./types.js";

const THROUGHPUT_COUNTERS = { items_per_second: "items/s", bytes_per_second: "B/s" } as const;

/**
 * Google Benchmark's `--benchmark_format=json`: the real time of each benchmark in its time_unit,
 * and its items/bytes per second when it sets them (as `<name> items_per_second`). With
 * `--benchmark_repetitions`, the "mean" aggregate stands for its runs; the other aggregates
 * (median, stddev, cv) are not metrics.
 */
export function parseGoogleBenchmark(stdout: string): Metric[] | null {
  const report = findJsonDocuments(stdout).find(isGoogleBenchmarkReport);
  if (!report) return null;
  const entries = records(report.benchmarks).filter((entry) => entry.error_occurred !== true);
  const aggregated = new Set(entries.filter(isMeanAggregate).map(runName));
  return entries
    .filter((entry) =>
      isAggregate(entry) ? isMeanAggregate(entry) : !aggregated.has(runName(entry)),
    )
    .flatMap(entryMetrics);
}

function isGoogleBenchmarkReport(document: unknown): document is { benchmarks: unknown } {
  if (!isRecord(document) || !isRecord(document.context)) return false;
  const benchmarks = records(document.benchmarks);
  return (
    benchmarks.length > 0 &&
    benchmarks.every((b) => typeof b.name === "string" && typeof b.time_unit === "string")
  );
}

function isAggregate(entry: JsonRecord): boolean {
  return entry.run_type === "aggregate" || typeof entry.aggregate_name === "string";
}

function isMeanAggregate(entry: JsonRecord): boolean {
  return isAggregate(entry) && entry.aggregate_name === "mean";
}

// Older releases have no run_name and name aggregates "<run>_mean".
function runName(entry: JsonRecord): string {
  if (typeof entry.run_name === "string") return entry.run_name;
  const name = String(entry.name);
  return isAggregate(entry) ? name.replace(/_mean$/, "") : name;
}

function entryMetrics(entry: JsonRecord): Metric[] {
  const name = runName(entry);
  const metrics: Metric[] = [];
  const realTime = finite(entry.real_time);
  if (realTime !== undefined) {
    metrics.push({ name, value: realTime, unit: String(entry.time_unit), better: "lower" });
  }
  for (const [counter, unit] of Object.entries(THROUGHPUT_COUNTERS)) {
    const value = finite(entry[counter]);
    if (value !== undefined)
      metrics.push({ name: `${name} ${counter}`, value, unit, better: "higher" });
  }
  return metrics;
}
