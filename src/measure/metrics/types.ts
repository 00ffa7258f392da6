/** Which way is better for a metric, when the output format says so (ops/s: higher; ns/op: lower). */
export type Better = "lower" | "higher";

/** One named number read from a benchmark's output. Each metric name is a scenario. */
export interface Metric {
  name: string;
  value: number;
  unit?: string;
  better?: Better;
}

export const METRIC_FORMATS = [
  "number",
  "keyvalue",
  "json",
  "hyperfine",
  "jmh",
  "google-benchmark",
  "go-bench",
  "pytest-benchmark",
  "tinybench",
] as const;

export type MetricFormat = (typeof METRIC_FORMATS)[number];

export interface ParsedMetrics {
  format: MetricFormat;
  metrics: Metric[];
}
