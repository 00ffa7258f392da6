import { NUMBER, textLines } from "./text.js";
import type { Metric } from "./types.js";
import { betterForUnit } from "./units.js";

// `BenchmarkName-8   1000   1234 ns/op   56 B/op`: the -8 is GOMAXPROCS, not part of the name.
const RESULT_LINE = /^(Benchmark\S*?)(?:-\d+)?\s+\d+\s+(.+)$/;
const VALUE = new RegExp(`^${NUMBER}$`);
// What -benchmem adds beside ns/op: the scenario is the time, these count what each op costs.
const COUNTER_UNITS = new Set(["B/op", "allocs/op"]);

/**
 * `go test -bench` result lines: each `value unit` pair is a metric named `<benchmark> <unit>`;
 * `-benchmem`'s B/op and allocs/op are counters.
 */
export function parseGoBench(stdout: string): Metric[] | null {
  const metrics = textLines(stdout).flatMap(resultMetrics);
  return metrics.length > 0 ? metrics : null;
}

function resultMetrics(line: string): Metric[] {
  const match = RESULT_LINE.exec(line);
  if (!match?.[1] || !match[2]) return [];
  const name = match[1];
  const fields = match[2].split(/\s+/);
  if (fields.length % 2 !== 0) return [];
  const metrics: Metric[] = [];
  for (let i = 0; i < fields.length; i += 2) {
    const [value, unit] = [fields[i] ?? "", fields[i + 1] ?? ""];
    if (!VALUE.test(value)) return [];
    const better = betterForUnit(unit);
    metrics.push({
      name: `${name} ${unit}`,
      value: Number(value),
      unit,
      ...(better && { better }),
      ...(COUNTER_UNITS.has(unit) && { counter: true as const }),
    });
  }
  return metrics;
}
