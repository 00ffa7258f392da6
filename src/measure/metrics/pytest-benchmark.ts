import { findJsonDocuments } from "./find-json.js";
import { finite, isRecord, records } from "./json-values.js";
import type { Metric } from "./types.js";

/**
 * pytest-benchmark's `--benchmark-json`: each test's mean time in seconds, named as pytest-benchmark
 * prints it (`test_sort[10]`), or by its full node id when two tests share a name.
 */
export function parsePytestBenchmark(stdout: string): Metric[] | null {
  const report = findJsonDocuments(stdout).find(isPytestBenchmarkReport);
  if (!report) return null;
  const benchmarks = records(report.benchmarks);
  const names = benchmarks.map((b) => String(b.name));
  const unique = new Set(names).size === names.length;
  return benchmarks.flatMap((b): Metric[] => {
    const mean = isRecord(b.stats) ? finite(b.stats.mean) : undefined;
    if (mean === undefined) return [];
    const name = unique ? String(b.name) : String(b.fullname ?? b.name);
    return [{ name, value: mean, unit: "s", better: "lower" }];
  });
}

function isPytestBenchmarkReport(document: unknown): document is { benchmarks: unknown } {
  if (!isRecord(document) || !isRecord(document.machine_info)) return false;
  const benchmarks = records(document.benchmarks);
  return benchmarks.length > 0 && benchmarks.every((b) => isRecord(b.stats));
}
