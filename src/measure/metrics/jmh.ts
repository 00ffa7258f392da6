import { findJsonDocuments } from "./find-json.js";
import { finite, isRecord, type JsonRecord, records } from "./json-values.js";
import type { Better, Metric } from "./types.js";

/**
 * JMH's `-rf json` result: each benchmark's primary score, named by the benchmark and its params
 * (`org.sample.Bench.sort(size=1000)`), and its secondary metrics (`...:gc.alloc.rate.norm`) as JMH
 * names them in its own report.
 */
export function parseJmh(stdout: string): Metric[] | null {
  const runs = findJsonDocuments(stdout).find(isJmhResult);
  if (!runs) return null;
  return records(runs).flatMap((run) => {
    const name = runName(run);
    const better: Better = run.mode === "thrpt" ? "higher" : "lower";
    const primary = score(name, run.primaryMetric, better);
    const secondary = Object.entries(isRecord(run.secondaryMetrics) ? run.secondaryMetrics : {});
    return [
      ...primary,
      ...secondary.flatMap(([key, metric]) =>
        score(`${name}:${key.replace(/^·/, "")}`, metric, perOpLower(metric)),
      ),
    ];
  });
}

function isJmhResult(document: unknown): boolean {
  const runs = records(document);
  return (
    Array.isArray(document) &&
    runs.length === document.length &&
    runs.length > 0 &&
    runs.every((run) => typeof run.benchmark === "string" && isRecord(run.primaryMetric))
  );
}

function runName(run: JsonRecord): string {
  const params = isRecord(run.params) ? Object.entries(run.params) : [];
  if (params.length === 0) return String(run.benchmark);
  return `${run.benchmark}(${params.map(([key, value]) => `${key}=${value}`).join(", ")})`;
}

function score(name: string, metric: unknown, better: Better | undefined): Metric[] {
  if (!isRecord(metric)) return [];
  const value = finite(metric.score);
  if (value === undefined) return [];
  const unit = typeof metric.scoreUnit === "string" ? metric.scoreUnit : undefined;
  return [{ name, value, ...(unit && { unit }), ...(better && { better }) }];
}

// Profiler metrics such as gc.alloc.rate (MB/sec) are rates of cost, not throughput: only
// per-operation costs (B/op) have a clear direction.
function perOpLower(metric: unknown): Better | undefined {
  return isRecord(metric) && String(metric.scoreUnit).endsWith("/op") ? "lower" : undefined;
}
