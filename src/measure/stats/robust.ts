/** Order statistics and robust spread, on copies: inputs are never reordered. */

export function sorted(values: readonly number[]): number[] {
  return [...values].sort((x, y) => x - y);
}

/** Linear-interpolation quantile (type 7, as R and NumPy default) of already sorted values. */
export function quantileSorted(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error("quantile of no values");
  const position = (values.length - 1) * p;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const lowValue = values[low] as number;
  return lowValue + ((values[high] as number) - lowValue) * (position - low);
}

export function median(values: readonly number[]): number {
  return quantileSorted(sorted(values), 0.5);
}

/** Median absolute deviation from the median (unscaled). */
export function mad(values: readonly number[]): number {
  const center = median(values);
  return median(values.map((v) => Math.abs(v - center)));
}

/** Robust coefficient of variation: 1.4826·MAD/median (equals the CV for normal data). */
export function robustCv(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const center = median(values);
  if (center === 0) return 0;
  return (1.4826 * mad(values)) / Math.abs(center);
}

export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

export function standardDeviation(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const center = mean(values);
  let sum = 0;
  for (const v of values) sum += (v - center) ** 2;
  return Math.sqrt(sum / (values.length - 1));
}
