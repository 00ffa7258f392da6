import { numberValue } from "../output-tokens.js";
import { GROUPED_NUMBER, textLines } from "./text.js";
import type { Metric } from "./types.js";

// `test bench_parse ... bench:       1,234 ns/iter (+/- 56)`; newer toolchains print decimals.
const BENCH_LINE = new RegExp(
  String.raw`^test (\S+)\s+\.\.\. bench:\s+(${GROUPED_NUMBER}) ns\/iter \(\+\/- ${GROUPED_NUMBER}\)`,
);

/**
 * libtest's `#[bench]` results (`cargo bench`, or criterion's `--output-format bencher`): each
 * benchmark's nanoseconds per iteration; the `= 810 MB/s` a `b.bytes` benchmark adds restates it.
 */
export function parseCargoBench(stdout: string): Metric[] | null {
  const metrics = textLines(stdout).flatMap((line): Metric[] => {
    const match = BENCH_LINE.exec(line);
    if (!match?.[1] || !match[2]) return [];
    return [{ name: match[1], value: numberValue(match[2]), unit: "ns/iter", better: "lower" }];
  });
  return metrics.length > 0 ? metrics : null;
}
