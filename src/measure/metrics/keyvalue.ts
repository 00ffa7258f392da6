import { numberValue } from "../output-tokens.js";
import { textOutsideJson } from "./find-json.js";
import { GROUPED_NUMBER, textLines } from "./text.js";
import type { Metric } from "./types.js";
import { betterForUnit } from "./units.js";

/**
 * `label: value [unit] [anything]` or `label = value …`: the label is the text before the line's
 * first `:` or `=` and holds a letter (`p50 latency`, `marked list(4000)`, `latência média`); the
 * value may have thousands separators. What follows the value and its unit (`(hits=181250)`) is
 * not read: it is the run's own text, left to the output invariants. A value running on into
 * more digits, dots or colons (`12:30:01`, `1.2.3`) is no value.
 */
// The label's group cannot cross a separator, so it ends at the first one whatever the line's
// length (a lazy or letter-seeking label would backtrack quadratically on a long line).
const KEY_VALUE_LINE = new RegExp(
  String.raw`^([^:=]+)[:=]\s*(${GROUPED_NUMBER})(?:\s*([\p{L}µ%][\p{L}\p{N}/%µ_]*))?(?:$|[\s(\[;].*$|,(?:\s.*)?$)`,
  "u",
);
const LABEL = /^(?!["'{]).*\p{L}/su;

/**
 * One metric per `label: value [unit]` line; other lines, and the lines of JSON documents, are
 * ignored.
 */
export function parseKeyValue(stdout: string): Metric[] | null {
  const metrics: Metric[] = [];
  for (const line of textLines(textOutsideJson(stdout))) {
    const match = KEY_VALUE_LINE.exec(line);
    const name = match?.[1]?.trim();
    if (!name || !match?.[2] || !LABEL.test(name)) continue;
    const unit = match[3];
    const better = betterForUnit(unit);
    metrics.push({
      name,
      value: numberValue(match[2]),
      ...(unit && { unit }),
      ...(better && { better }),
    });
  }
  return metrics.length > 0 ? metrics : null;
}
