import { NUMBER, textLines } from "./text.js";
import type { Metric } from "./types.js";
import { toNanoseconds } from "./units.js";

// `200 loops, best of 5: 1.23 msec per loop` (Python 3.7 and later; earlier: `best of 3`).
const RESULT_LINE = new RegExp(
  String.raw`^\d+ loops?, best of \d+: (${NUMBER}) (nsec|usec|msec|sec) per loop$`,
);

/**
 * `python -m timeit`'s result: the best time per loop, in nanoseconds (timeit picks the unit by the
 * value, so one run may print usec and the next msec). One scenario, named "timeit".
 */
export function parseTimeit(stdout: string): Metric[] | null {
  const metrics = textLines(stdout).flatMap((line): Metric[] => {
    const match = RESULT_LINE.exec(line);
    if (!match?.[1] || !match[2]) return [];
    const value = toNanoseconds(Number(match[1]), match[2]);
    return value === undefined ? [] : [{ name: "timeit", value, unit: "ns", better: "lower" }];
  });
  return metrics.length > 0 ? metrics : null;
}
