/** One token of an output line, with where it stands in the line. */
export interface OutputToken {
  text: string;
  start: number;
  end: number;
  /** A number as benchmarks print it: `12`, `-0.5`, `1.2e6`, `1,234,567`. */
  numeric: boolean;
}

// A number stands alone or before a unit (`12ms`), never inside a word (`sha256`, `46270f0a`).
const NOT_AFTER = String.raw`(?<![\p{L}\p{N}_.])`;
const UNIT_THEN_END = String.raw`(?=[\p{L}%µ]*(?![\p{L}\p{N}_]))`;
const GROUPED = String.raw`[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!,?\d|\.\d)`;
const PLAIN = String.raw`[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?(?!\.\d)`;
const NUMBER = `${NOT_AFTER}(?:${GROUPED}|${PLAIN})${UNIT_THEN_END}`;
const WORD = String.raw`[\p{L}\p{N}_]+(?:\.[\p{L}\p{N}_]+)*`;
const TOKEN = new RegExp(`(${NUMBER})|${WORD}|\\S`, "gu");
const WHOLE_NUMBER = new RegExp(`^(?:${GROUPED}|${PLAIN})$`, "u");

/**
 * A line split into numbers, words (`report_ms`, `46270f0ae1028369`, `v1.2.3`) and single
 * punctuation characters; whitespace separates tokens and is not one.
 */
export function tokenizeLine(line: string): OutputToken[] {
  const tokens: OutputToken[] = [];
  for (const match of line.matchAll(TOKEN)) {
    const start = match.index;
    tokens.push({
      text: match[0],
      start,
      end: start + match[0].length,
      numeric: match[1] !== undefined,
    });
  }
  return tokens;
}

/** Whether a token's text is a number (thousands separators allowed). */
export function isNumberToken(text: string): boolean {
  return WHOLE_NUMBER.test(text);
}

/** A number token's value: `1,234.5` is 1234.5. */
export function numberValue(text: string): number {
  return Number(text.replaceAll(",", ""));
}
