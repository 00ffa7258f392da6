import { NUMBER, textLines } from "./text.js";
import type { Metric } from "./types.js";
import { toNanoseconds } from "./units.js";

const ESTIMATE = `(${NUMBER}) (ps|ns|µs|μs|us|ms|s)`;
// `parse/small   time:   [1.2345 ms 1.2400 ms 1.2456 ms]`: the interval's low end, estimate, high end.
const TIME_LINE = new RegExp(String.raw`^(.*?)time:\s+\[${ESTIMATE} ${ESTIMATE} ${ESTIMATE}\]$`);

/**
 * criterion.rs's text report: each benchmark's point estimate of the time per iteration (the
 * middle of its `time:` interval), in nanoseconds. A long benchmark id stands alone on the line
 * before its `time:` line. The `change:` lines are criterion's comparison with its own last run,
 * not metrics, and a `thrpt:` line restates the time as a rate.
 */
export function parseCriterion(stdout: string): Metric[] | null {
  const lines = textLines(stdout);
  const metrics = lines.flatMap((line, i): Metric[] => {
    const match = TIME_LINE.exec(line);
    if (!match?.[4] || !match[5]) return [];
    const name = match[1]?.trim() || lines[i - 1];
    const value = toNanoseconds(Number(match[4]), match[5]);
    if (!name || value === undefined) return [];
    return [{ name, value, unit: "ns", better: "lower" }];
  });
  return metrics.length > 0 ? metrics : null;
}
