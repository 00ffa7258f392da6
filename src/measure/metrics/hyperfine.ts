import { findJsonDocuments } from "./find-json.js";
import { finite, isRecord, records } from "./json-values.js";
import type { Metric } from "./types.js";

/** `hyperfine --export-json`: the mean time of each command, in seconds. */
export function parseHyperfine(stdout: string): Metric[] | null {
  const report = findJsonDocuments(stdout).find(isHyperfineReport);
  if (!report) return null;
  return records(report.results).flatMap((result): Metric[] => {
    const mean = finite(result.mean);
    if (typeof result.command !== "string" || mean === undefined) return [];
    return [{ name: result.command, value: mean, unit: "s", better: "lower" }];
  });
}

function isHyperfineReport(document: unknown): document is { results: unknown } {
  if (!isRecord(document)) return false;
  const results = records(document.results);
  return (
    results.length > 0 &&
    results.every((r) => typeof r.command === "string" && "mean" in r && Array.isArray(r.times))
  );
}
