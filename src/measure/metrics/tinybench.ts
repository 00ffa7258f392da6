import { findJsonDocuments } from "./find-json.js";
import { finite, isRecord, type JsonRecord, records } from "./json-values.js";
import type { Metric } from "./types.js";

/**
 * Mean latency in milliseconds per task, from either `vitest bench --outputJson` (named
 * `<group> > <bench>`, e.g. `sort.bench.ts > sort > native`) or a JSON array of tinybench task
 * results (`bench.tasks.map(({ name, result }) => ({ name, ...result }))`): tinybench 2 has `mean`,
 * tinybench 3 and later `latency.mean`.
 */
export function parseTinybench(stdout: string): Metric[] | null {
  for (const document of findJsonDocuments(stdout)) {
    const metrics = isRecord(document) ? vitestMetrics(document) : taskArrayMetrics(document);
    if (metrics && metrics.length > 0) return metrics;
  }
  return null;
}

function vitestMetrics(report: JsonRecord): Metric[] | null {
  if (!Array.isArray(report.files)) return null;
  return records(report.files).flatMap((file) =>
    records(file.groups).flatMap((group) =>
      records(group.benchmarks).flatMap((bench) =>
        taskMetric(`${group.fullName} > ${bench.name}`, bench),
      ),
    ),
  );
}

function taskArrayMetrics(document: unknown): Metric[] | null {
  const tasks = records(document);
  if (!Array.isArray(document) || tasks.length !== document.length) return null;
  if (!tasks.every((task) => typeof task.name === "string")) return null;
  return tasks.flatMap((task) => taskMetric(String(task.name), task));
}

function taskMetric(name: string, result: JsonRecord): Metric[] {
  const mean = isRecord(result.latency) ? finite(result.latency.mean) : finite(result.mean);
  return mean === undefined ? [] : [{ name, value: mean, unit: "ms", better: "lower" }];
}
