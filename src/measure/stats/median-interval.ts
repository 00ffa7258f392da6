import { sorted } from "./robust.js";

/**
 * Distribution-free confidence interval of the median from order statistics: [x_(k), x_(n−k+1)]
 * with the largest k whose binomial coverage is still at least `level`. With too few values for
 * that level the interval is [min, max] and `coverage` says what it really is.
 */
export function medianInterval(
  values: readonly number[],
  level = 0.95,
): { low: number; high: number; coverage: number } {
  const x = sorted(values);
  const n = x.length;
  if (n === 0) throw new Error("median interval of no values");
  // coverage(k) = 1 − 2·P(Binomial(n, ½) ≤ k − 1)
  const cdf: number[] = [];
  let probability = 0.5 ** n;
  let cumulative = 0;
  for (let i = 0; i <= n; i++) {
    cumulative += probability;
    cdf.push(cumulative);
    probability = (probability * (n - i)) / (i + 1);
  }
  let k = 1;
  while (k + 1 <= Math.ceil(n / 2) && 1 - 2 * (cdf[k] as number) >= level) k++;
  const coverage = n === 1 ? 0 : 1 - 2 * (cdf[k - 1] as number);
  return { low: x[k - 1] as number, high: x[n - k] as number, coverage };
}
