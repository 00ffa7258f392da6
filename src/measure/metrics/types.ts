/** Which way is better for a metric, when the output format says so (ops/s: higher; ns/op: lower). */
export type Better = "lower" | "higher";

/** One named number read from a benchmark's output. Each metric name is a scenario. */
export interface Metric {
  name: string;
  value: number;
  unit?: string;
  better?: Better;
  /**
   * A secondary counter of its scenario (go's `B/op`, `allocs/op`): often zero, so compared
   * exactly rather than as a ratio, and a regression of it vetoes a win (see measure/counters.ts).
   */
  counter?: true;
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
  "benchmark.js",
  "cargo-bench",
  "criterion",
  "timeit",
] as const;

export type MetricFormat = (typeof METRIC_FORMATS)[number];

export interface ParsedMetrics {
  format: MetricFormat;
  metrics: Metric[];
  /** Which of two readable parts of the output was read, when there were two (`formatNote`). */
  note?: string;
}
