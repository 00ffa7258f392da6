import type { Better } from "./metrics/types.js";

/**
 * Improvements are computed on the log scale (log gain g > 0 means B is better than A) and
 * reported as fractions: for lower-is-better metrics the share of time saved, 1 − B/A; for
 * higher-is-better ones the relative gain, B/A − 1. Both are monotone in g, so intervals map over.
 */
export function logGain(a: number, b: number, better: Better): number {
  const logRatio = Math.log(b / a);
  return better === "lower" ? -logRatio : logRatio;
}

export function gainToFraction(g: number, better: Better): number {
  return better === "lower" ? 1 - Math.exp(-g) : Math.exp(g) - 1;
}

export function fractionToGain(fraction: number, better: Better): number {
  return better === "lower" ? -Math.log(1 - fraction) : Math.log(1 + fraction);
}
