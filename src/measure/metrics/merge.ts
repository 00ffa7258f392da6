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
