import { normalCdf } from "../../measure/stats/normal.js";

export interface MannWhitneyResult {
  /** U of `a`: the pairs (x in a, y in b) with x > y, ties counted one half. */
  u: number;
  /** Two-sided. */
  p: number;
}

/**
 * The Mann–Whitney U test, two-sided, as benchstat runs it: the exact distribution of U when the
 * samples have no ties (benchstat's small-sample case), else the normal approximation with the
 * tie correction and a continuity correction (scipy's `mannwhitneyu(method="asymptotic")`).
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): MannWhitneyResult {
  let u = 0;
  for (const x of a) for (const y of b) u += x > y ? 1 : x === y ? 0.5 : 0;
  const n1 = a.length;
  const n2 = b.length;
  const tieGroups = tieSizes([...a, ...b]);
  if (tieGroups.length === 0) return { u, p: exactTwoSided(u, n1, n2) };
  const n = n1 + n2;
  const tieTerm = tieGroups.reduce((sum, t) => sum + (t ** 3 - t), 0);
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const distance = Math.abs(u - (n1 * n2) / 2) - 0.5;
  return { u, p: Math.min(1, 2 * (1 - normalCdf(Math.max(0, distance) / sd))) };
}

/** P(|U − mean| ≥ |u − mean|) under no difference: counts of rank sets by their U, by recursion. */
function exactTwoSided(u: number, n1: number, n2: number): number {
  const counts = uCounts(n1, n2);
  const total = counts.reduce((x, y) => x + y, 0);
  const low = Math.min(u, n1 * n2 - u);
  let tail = 0;
  for (let k = 0; k <= low; k++) tail += counts[k] as number;
  return Math.min(1, (2 * tail) / total);
}

/**
 * counts[k] = the number of arrangements of n1 and n2 values whose U is k, from
 * f(n1, n2, k) = f(n1 − 1, n2, k − n2) + f(n1, n2 − 1, k) (the largest value is in a or in b).
 */
function uCounts(n1: number, n2: number): number[] {
  // table[j] holds the counts for (i, j) while i rises.
  let table: number[][] = Array.from({ length: n2 + 1 }, () => [1]);
  for (let i = 1; i <= n1; i++) {
    const next: number[][] = [[1]];
    for (let j = 1; j <= n2; j++) {
      const counts = new Array<number>(i * j + 1).fill(0);
      const withoutB = next[j - 1] as number[];
      const withoutA = table[j] as number[];
      for (let k = 0; k < withoutB.length; k++)
        counts[k] = (counts[k] as number) + (withoutB[k] as number);
      for (let k = 0; k < withoutA.length; k++)
        counts[k + j] = (counts[k + j] as number) + (withoutA[k] as number);
      next.push(counts);
    }
    table = next;
  }
  return table[n2] as number[];
}

function tieSizes(values: number[]): number[] {
  const sorted = [...values].sort((x, y) => x - y);
  const sizes: number[] = [];
  let run = 1;
  for (let i = 1; i <= sorted.length; i++) {
    if (i < sorted.length && sorted[i] === sorted[i - 1]) run++;
    else {
      if (run > 1) sizes.push(run);
      run = 1;
    }
  }
  return sizes;
}
