import { stripVTControlCharacters } from "node:util";
import { UsageError } from "../../errors.js";
import { formatNote } from "./format-note.js";
import { mergeByName, requireUnique } from "./merge.js";
import { missingMetrics, unparseableOutput } from "./parse-errors.js";
import { PARSERS } from "./parsers.js";
import { METRIC_FORMATS, type MetricFormat, type ParsedMetrics } from "./types.js";

export interface ParseMetricsOptions {
  /** A forced format runs only that parser; "auto" (the default) tries them in order. */
  format?: MetricFormat | "auto";
  /** The benchmark command, named in error messages. */
  command: string;
  /** Metric names that must be present. */
  expect?: string[];
}

/** True when a benchmark printed nothing but whitespace (or terminal escapes) on stdout. */
export function hasNoOutput(stdout: string): boolean {
  return stripVTControlCharacters(stdout).trim() === "";
}

/**
 * Reads the metrics a benchmark printed on stdout. Returns null when stdout is empty: the caller
 * then measures wall time. Throws a UsageError ("metric-parse") when no format reads the output,
 * or when an expected metric is missing (an empty stdout has none of them either).
 *
 * In auto mode the first format that reads the output wins, except that a format lacking an
 * expected metric gives way to a later one that has them all (`expect: ["value"]` picks the lone
 * number over a `name: 3` log line). A metric printed twice in one run is an error, except in the
 * formats whose harness repeats runs (`go test -count`): those are averaged.
 */
export function parseMetrics(stdout: string, opts: ParseMetricsOptions): ParsedMetrics | null {
  const expect = opts.expect ?? [];
  const text = stripVTControlCharacters(stdout);
  if (hasNoOutput(text)) {
    if (expect.length > 0) throw missingMetrics(opts.command, "none", expect, [], text);
    return null;
  }
  const format = opts.format ?? "auto";
  const parsers = format === "auto" ? PARSERS : PARSERS.filter((p) => p.format === format);
  if (parsers.length === 0) {
    throw new UsageError(
      "metric-parse",
      `Unknown metric format "${format}": use auto or one of ${METRIC_FORMATS.join(", ")}.`,
    );
  }
  let incomplete: ParsedMetrics | undefined;
  for (const parser of parsers) {
    const metrics = parser.parse(text);
    if (!metrics || metrics.length === 0) continue;
    const unique =
      parser.repeats === "average" ? mergeByName(metrics) : requireUnique(metrics, opts.command);
    const note = formatNote(text, parser.format);
    const parsed: ParsedMetrics = { format: parser.format, metrics: unique, ...(note && { note }) };
    if (missingFrom(parsed, expect).length === 0) return parsed;
    incomplete ??= parsed;
  }
  if (!incomplete) throw unparseableOutput(opts.command, parsers, text);
  const found = incomplete.metrics.map((metric) => metric.name);
  throw missingMetrics(
    opts.command,
    incomplete.format,
    missingFrom(incomplete, expect),
    found,
    text,
  );
}

function missingFrom(parsed: ParsedMetrics, expect: string[]): string[] {
  return expect.filter((name) => !parsed.metrics.some((metric) => metric.name === name));
}
