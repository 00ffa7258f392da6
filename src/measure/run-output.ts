import { stripVTControlCharacters } from "node:util";

/** Lines of a run's stdout kept for the output invariants; the rest is not compared. */
export const MAX_OUTPUT_LINES = 1000;
/** Characters of stdout kept in all, and of one line. */
export const MAX_OUTPUT_CHARS = 128 * 1024;
export const MAX_LINE_CHARS = 4096;

/** What a run's checkout path is replaced by: each arm runs in its own checkout. */
export const CHECKOUT_PLACEHOLDER = "<checkout>";

/** One non-blank line of stdout: its 1-based number in the output and its text. */
export interface OutputLine {
  number: number;
  text: string;
  /** Cut at MAX_LINE_CHARS: its last token may be a fragment. */
  clipped?: true;
}

/**
 * The head of a benchmark run's stdout, as the output invariants read it: the non-blank lines
 * (terminal escapes removed, the run's checkout path replaced by a placeholder), at most
 * MAX_OUTPUT_LINES of them and MAX_OUTPUT_CHARS in all. `truncated`: the output went on (or the
 * sampler had already cut it), so the last kept line may be partial and nothing is known after it.
 *
 * It lives in memory during a comparison only: JSON.stringify leaves it out (toJSON), so the
 * observations written to result.json and baseline/result.json stay the size they were.
 */
export class RunOutput {
  private constructor(
    readonly lines: readonly OutputLine[],
    readonly truncated: boolean,
  ) {}

  static of(stdout: string, options: { truncated: boolean; checkout?: string }): RunOutput {
    let text = stripVTControlCharacters(stdout);
    if (options.checkout) text = text.replaceAll(options.checkout, CHECKOUT_PLACEHOLDER);
    const raw = text.split(/\r?\n/);
    let truncated = options.truncated;
    // A cut stream ends inside its last line: that fragment is not compared.
    if (truncated) raw.pop();
    const lines: OutputLine[] = [];
    let chars = 0;
    for (const [index, line] of raw.entries()) {
      const trimmed = line.trim();
      if (trimmed === "") continue;
      const kept = trimmed.slice(0, MAX_LINE_CHARS);
      if (lines.length === MAX_OUTPUT_LINES || chars + kept.length > MAX_OUTPUT_CHARS) {
        truncated = true;
        break;
      }
      chars += kept.length;
      lines.push(
        kept.length < trimmed.length
          ? { number: index + 1, text: kept, clipped: true }
          : { number: index + 1, text: kept },
      );
    }
    return new RunOutput(lines, truncated);
  }

  /** Lines read elsewhere (a benchmark worker's run), as they were kept there. */
  static restored(lines: readonly OutputLine[], truncated: boolean): RunOutput {
    return new RunOutput(lines, truncated);
  }

  toJSON(): undefined {
    return undefined;
  }
}
