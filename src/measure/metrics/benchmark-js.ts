import { numberValue } from "../output-tokens.js";
import { GROUPED_NUMBER, textLines } from "./text.js";
import type { Metric } from "./types.js";

// `RegExp#test x 4,263,446 ops/sec ±1.23% (91 runs sampled)`: String(benchmark) of a cycle event.
const CYCLE_LINE = new RegExp(
  String.raw`^(.+?) x (${GROUPED_NUMBER}) ops\/sec (?:±|\+\/-)\s*[\d.]+% \(\d+ runs? sampled\)$`,
);

/** benchmark.js's cycle lines: one scenario per benchmark, its operations per second. */
export function parseBenchmarkJs(stdout: string): Metric[] | null {
  const metrics = textLines(stdout).flatMap((line): Metric[] => {
    const match = CYCLE_LINE.exec(line);
    if (!match?.[1] || !match[2]) return [];
    return [{ name: match[1], value: numberValue(match[2]), unit: "ops/sec", better: "higher" }];
  });
  return metrics.length > 0 ? metrics : null;
}
