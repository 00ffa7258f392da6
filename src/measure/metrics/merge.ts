import { UsageError } from "../../errors.js";
import type { Metric } from "./types.js";

/** One metric per name: repeated runs of a benchmark (`go test -count`, repetitions) are averaged. */
export function mergeByName(metrics: Metric[]): Metric[] {
  const groups = new Map<string, { first: Metric; sum: number; count: number }>();
  for (const metric of metrics) {
    const group = groups.get(metric.name);
    if (group) {
      group.sum += metric.value;
      group.count++;
    } else groups.set(metric.name, { first: metric, sum: metric.value, count: 1 });
  }
  return [...groups.values()].map(({ first, sum, count }) => ({ ...first, value: sum / count }));
}

/**
 * The metrics as they are when each name appears once; a name printed twice in one run is an
 * error naming both values, since which one is the measurement cannot be told (their mean is
 * neither).
 */
export function requireUnique(metrics: Metric[], command: string): Metric[] {
  const seen = new Map<string, Metric>();
  for (const metric of metrics) {
    const first = seen.get(metric.name);
    if (first) {
      throw new UsageError(
        "metric-repeated",
        `The output of \`${command}\` prints the metric ${JSON.stringify(metric.name)} twice in one run (${first.value} and ${metric.value}): print each metric once per run (send progress lines to stderr), or give each line its own name.`,
      );
    }
    seen.set(metric.name, metric);
  }
  return metrics;
}
