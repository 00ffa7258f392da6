import { mean } from "../../measure/stats/robust.js";
import { studentTCdf } from "./student-t.js";

export interface WelchResult {
  t: number;
  degreesOfFreedom: number;
  /** Two-sided. */
  p: number;
}

/**
 * Welch's unequal-variances t-test of two independent samples, two-sided: the test hyperfine's
 * `scripts/welch_ttest.py` runs (scipy's `ttest_ind(equal_var=False)`). t > 0 when `a`'s mean
 * is the larger.
 */
export function welchTTest(a: readonly number[], b: readonly number[]): WelchResult {
  const va = variance(a) / a.length;
  const vb = variance(b) / b.length;
  const t = (mean(a) - mean(b)) / Math.sqrt(va + vb);
  const degreesOfFreedom = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  return { t, degreesOfFreedom, p: 2 * studentTCdf(-Math.abs(t), degreesOfFreedom) };
}

function variance(values: readonly number[]): number {
  const m = mean(values);
  let sum = 0;
  for (const v of values) sum += (v - m) ** 2;
  return sum / (values.length - 1);
}
