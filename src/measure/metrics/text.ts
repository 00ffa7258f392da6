/** A decimal number as benchmarks print it: `12`, `-0.5`, `.5`, `1.2e6`. */
export const NUMBER = String.raw`[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`;

/** The same, or with thousands separators (`4,263,446`, `11,713.91`); read it with `numberValue`. */
export const GROUPED_NUMBER = String.raw`(?:[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|${NUMBER})`;

/** The trimmed, non-blank lines of a text. */
export function textLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}
