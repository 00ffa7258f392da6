import { z } from "zod";
import { alignLines } from "./line-alignment.js";
import type { MetricFormat } from "./metrics/types.js";
import { isNumberToken, numberValue, type OutputToken, tokenizeLine } from "./output-tokens.js";
import type { RunOutput } from "./run-output.js";

/**
 * The output invariants of a benchmark: what its runs of the same code print identically besides
 * the scored metric values. Learned from two or more runs, they fingerprint what the code computes
 * (`hits=181250`, `# report digest 46270f0ae1028369 over 2000 customers`); a candidate whose run
 * prints something else in one of those places computes something else.
 */

/** One line of the reference output, token by token. */
export const InvariantLine = z.object({
  /** Its number and text in the run it was first learned from, for messages. */
  number: z.number().int().positive(),
  text: z.string(),
  /** Each token's text when it never varied between the runs, null when it did or is scored. */
  tokens: z.array(z.string().nullable()),
  /** Missing from (or shaped differently in) some run of the same code: not required. */
  optional: z.boolean(),
});
export type InvariantLine = z.infer<typeof InvariantLine>;

export const OutputInvariants = z.object({
  /** Runs of the same code they were learned from; fewer than two say nothing. */
  runs: z.number().int().positive(),
  lines: z.array(InvariantLine),
});
export type OutputInvariants = z.infer<typeof OutputInvariants>;

/** What the invariants read of a run: its output, and the metric values it printed. */
export interface OutputRun {
  output: RunOutput;
  metrics: Record<string, number>;
  format: MetricFormat | "wall-time";
}

export interface InvariantOptions {
  /** The metrics the comparison scores: their printed values are never invariants. */
  scored: readonly string[];
  /** Tokens these cover (in their line) are volatile: the user's `--volatile` patterns. */
  volatile: readonly RegExp[];
}

/** The first line of the reference a candidate's run does not reproduce. */
export interface OutputDifference {
  /** The reference line's number and text. */
  line: number;
  expected: string;
  /** The candidate's line in its place, or null when it printed none there. */
  actual: { line: number; text: string } | null;
}

/**
 * A benchmark harness's report (hyperfine, JMH, …) is full of figures that follow the speed:
 * times, and iteration counts the harness adapts to it. Only its words are invariants.
 */
const HARNESS_FORMATS: ReadonlySet<string> = new Set<MetricFormat>([
  "hyperfine",
  "jmh",
  "google-benchmark",
  "pytest-benchmark",
  "tinybench",
  "go-bench",
  "benchmark.js",
  "cargo-bench",
  "criterion",
  "timeit",
]);

/** A line of one run: each token's text, or null when it is volatile in this run already. */
interface RunLine {
  number: number;
  text: string;
  tokens: (string | null)[];
}

/**
 * Learns the invariants from runs of the same code, continuing `from` (e.g. the baseline's) when
 * given. Tokens that differ between runs become volatile; a line missing from a run, or with a
 * different number of tokens, becomes optional. A truncated run says nothing about the lines
 * after its end. Null when there is nothing to learn from.
 */
export function learnInvariants(
  runs: readonly OutputRun[],
  options: InvariantOptions,
  from?: OutputInvariants,
): OutputInvariants | null {
  const ordered = [
    ...runs.filter((r) => !r.output.truncated),
    ...runs.filter((r) => r.output.truncated),
  ];
  let learned: OutputInvariants | null = from ? structuredClone(from) : null;
  for (const run of ordered) {
    const lines = runLines(run, options, { maskScored: true });
    if (!learned) {
      learned = {
        runs: 1,
        lines: lines.map((l) => ({
          number: l.number,
          text: l.text,
          tokens: l.tokens,
          optional: false,
        })),
      };
      continue;
    }
    mergeRun(learned, lines, run.output.truncated);
  }
  return learned;
}

function mergeRun(learned: OutputInvariants, lines: RunLine[], truncated: boolean): void {
  // Same code, same number of lines: each line pairs with the one in its place.
  const pairs: [number, number][] =
    !truncated && lines.length === learned.lines.length
      ? lines.map((_, i) => [i, i])
      : alignLines(learned.lines, lines, sameShape);
  const paired = new Set<number>();
  for (const [i, j] of pairs) {
    const line = learned.lines[i] as InvariantLine;
    const run = lines[j] as RunLine;
    paired.add(i);
    if (line.tokens.length !== run.tokens.length) {
      line.optional = true;
      continue;
    }
    line.tokens = line.tokens.map((token, k) => (token === run.tokens[k] ? token : null));
  }
  const unknownAfter = truncated ? endOfTruncated(pairs, lines.length) : Number.POSITIVE_INFINITY;
  learned.lines.forEach((line, i) => {
    if (!paired.has(i) && i <= unknownAfter) line.optional = true;
  });
  learned.runs++;
}

/**
 * The last reference line a truncated run says anything about: the last one paired when the run
 * ends there; when the run printed more after it, those lines stood where the rest was expected.
 */
function endOfTruncated(pairs: [number, number][], runLines: number): number {
  const last = pairs.at(-1);
  if (!last) return runLines > 0 ? Number.POSITIVE_INFINITY : -1;
  return last[1] === runLines - 1 ? last[0] : Number.POSITIVE_INFINITY;
}

/** Lines that may be the same line of two runs: their words agree where both are known. */
function sameShape(line: InvariantLine, run: RunLine): boolean {
  if (line.tokens.length !== run.tokens.length) return false;
  return line.tokens.every((token, k) => {
    const other = run.tokens[k] ?? null;
    if (token === null || other === null || token === other) return true;
    return isNumberToken(token) && isNumberToken(other);
  });
}

/**
 * The first invariant line the candidate's run does not reproduce, or null. `substitutions`
 * are tokens the candidate may print instead of the reference's (a knob's value it runs with).
 */
export function findDifference(
  invariants: OutputInvariants,
  run: OutputRun,
  options: InvariantOptions,
  substitutions: readonly (readonly [string, string])[] = [],
): OutputDifference | null {
  const lines = runLines(run, options, { maskScored: false });
  const reproduces = (line: InvariantLine, candidate: RunLine) =>
    line.tokens.length === candidate.tokens.length &&
    line.tokens.every((token, k) => {
      const other = candidate.tokens[k] ?? null;
      if (token === null || other === null || token === other) return true;
      return substitutions.some(([from, to]) => token === from && other === to);
    });
  const pairs = alignLines(invariants.lines, lines, reproduces);
  const candidateOf = new Map(pairs);
  const unknownAfter = run.output.truncated
    ? endOfTruncated(pairs, lines.length)
    : Number.POSITIVE_INFINITY;
  for (const [i, line] of invariants.lines.entries()) {
    if (line.optional || candidateOf.has(i)) continue;
    if (i > unknownAfter) return null;
    const before = pairs.filter(([k]) => k < i).at(-1)?.[1] ?? -1;
    const after = pairs.find(([k]) => k > i)?.[1] ?? lines.length;
    const actual = closestLine(line, lines.slice(before + 1, after));
    return {
      line: line.number,
      expected: line.text,
      actual: actual ? { line: actual.number, text: actual.text } : null,
    };
  }
  return null;
}

/** The line of the gap most like the expected one: most tokens equal in place; the first on a tie. */
function closestLine(expected: InvariantLine, gap: RunLine[]): RunLine | null {
  let best: RunLine | null = null;
  let bestScore = -1;
  for (const line of gap) {
    const score =
      line.tokens.length === expected.tokens.length
        ? 1 + expected.tokens.filter((t, k) => t !== null && t === line.tokens[k]).length
        : 0;
    if (score > bestScore) [best, bestScore] = [line, score];
  }
  return best;
}

function runLines(
  run: OutputRun,
  options: InvariantOptions,
  mask: { maskScored: boolean },
): RunLine[] {
  const scored = mask.maskScored
    ? options.scored.map((name) => run.metrics[name]).filter((v) => v !== undefined)
    : [];
  const harness = HARNESS_FORMATS.has(run.format);
  const patterns = options.volatile.map(
    (p) => new RegExp(p.source, p.flags.includes("g") ? p.flags : `${p.flags}g`),
  );
  return run.output.lines.map((line) => {
    const all = tokenizeLine(line.text);
    // A clipped line's last token may be a fragment.
    const tokens = line.clipped ? all.slice(0, -1) : all;
    const spans = volatileSpans(line.text, patterns);
    const masked = (token: OutputToken) =>
      token.numeric && (harness || scored.includes(numberValue(token.text)));
    const texts: (string | null)[] = [];
    let lastSpan = -1;
    for (const token of tokens) {
      // What one pattern match covers is one volatile token, however it splits in a run.
      const span = spans.findIndex(([start, end]) => start < token.end && token.start < end);
      if (span >= 0 && span === lastSpan) continue;
      lastSpan = span;
      texts.push(span >= 0 || masked(token) ? null : token.text);
    }
    return { number: line.number, text: line.text, tokens: texts };
  });
}

/** Where the (global) patterns match in a line; empty matches cover nothing. */
function volatileSpans(text: string, patterns: readonly RegExp[]): [number, number][] {
  const spans: [number, number][] = [];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      if (match[0].length > 0) spans.push([match.index, match.index + match[0].length]);
    }
  }
  return spans;
}

/** `line 3 "…" → "…"`, each side cut to a window around where they first differ. */
export function formatDifference(difference: OutputDifference): string {
  const { expected, actual } = difference;
  if (!actual) return `line ${difference.line} "${clip(expected, 0)}" → no such line`;
  let at = 0;
  while (at < expected.length && expected[at] === actual.text[at]) at++;
  return `line ${difference.line} "${clip(expected, at)}" → "${clip(actual.text, at)}"`;
}

const WINDOW = 100;

function clip(text: string, around: number): string {
  if (text.length <= WINDOW) return text;
  const start = Math.max(0, Math.min(around - 30, text.length - WINDOW));
  const head = start > 0 ? "…" : "";
  const tail = start + WINDOW < text.length ? "…" : "";
  return `${head}${text.slice(start, start + WINDOW)}${tail}`;
}
