import type { FractionInterval } from "./decision.js";

/** A headline number's interval is precise enough at this half-width, in fractions… */
export const HEADLINE_HALF_WIDTH = 0.005;
/** …or at this share of the estimate, whichever is wider: a 2× speedup needs no ±0.5 points. */
export const HEADLINE_RELATIVE_HALF_WIDTH = 0.05;

/** Whether the interval is precise enough to quote: half-width ≤ max(0.5 points, 5% of the estimate). */
export function preciseEnough(interval: FractionInterval): boolean {
  const halfWidth = (interval.high - interval.low) / 2;
  return (
    halfWidth <=
    Math.max(HEADLINE_HALF_WIDTH, HEADLINE_RELATIVE_HALF_WIDTH * Math.abs(interval.estimate))
  );
}
