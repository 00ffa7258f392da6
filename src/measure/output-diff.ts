/** How much of two differing outputs is shown: lines around the first difference, each clipped. */
export interface DiffHeadLimits {
  /** Equal lines shown before the first difference. */
  context: number;
  /** Differing lines shown per side. */
  lines: number;
  /** Characters per line shown. */
  width: number;
}

const DEFAULT_LIMITS: DiffHeadLimits = { context: 2, lines: 4, width: 160 };

/**
 * The head of the difference between two outputs, or null when they are the same text: the line
 * number of the first differing line, a few equal lines before it, then the differing lines of
 * each side (`-` expected, `+` actual, named by `sides`) up to where both end the same way, clipped.
 */
export function diffHead(
  expected: string,
  actual: string,
  sides: { expected: string; actual: string } = { expected: "expected", actual: "actual" },
  limits: DiffHeadLimits = DEFAULT_LIMITS,
): string | null {
  if (expected === actual) return null;
  const a = expected.split("\n");
  const b = actual.split("\n");
  let first = 0;
  while (first < a.length && first < b.length && a[first] === b[first]) first++;
  // The common tail bounds the differing block, so a changed line shows once, not the rest of the file.
  let endA = a.length;
  let endB = b.length;
  while (endA > first && endB > first && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const number = (i: number) => String(i + 1).padStart(String(Math.max(a.length, b.length)).length);
  const clip = (line: string) =>
    line.length > limits.width ? `${line.slice(0, limits.width)}… (${line.length} chars)` : line;
  const show = (mark: string, lines: string[], from: number, to: number) => {
    const shown = lines.slice(from, Math.min(to, from + limits.lines));
    const out = shown.map((line, k) => `${mark} ${number(from + k)} | ${clip(line)}`);
    const more = to - from - shown.length;
    if (more > 0) out.push(`${mark} … ${more} more differing line${more === 1 ? "" : "s"}`);
    if (to === from)
      out.push(`${mark} ${from >= lines.length ? "(the output ends here)" : "(nothing here)"}`);
    return out;
  };
  const before = a.slice(Math.max(0, first - limits.context), first);
  const start = first - before.length;
  return [
    `first difference at line ${first + 1} (- ${sides.expected}, + ${sides.actual}):`,
    ...before.map((line, k) => `  ${number(start + k)} | ${clip(line)}`),
    ...show("-", a, first, endA),
    ...show("+", b, first, endB),
  ].join("\n");
}
