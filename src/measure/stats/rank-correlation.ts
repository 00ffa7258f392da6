/** Ranks 1..n, ties sharing their average rank. */
function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const result = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]?.[0] === order[start]?.[0]) end++;
    for (let k = start; k <= end; k++) result[order[k]?.[1] as number] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return result;
}

/**
 * Spearman's rank correlation of paired values: +1 when y always rises with x, whatever the
 * shape. 0 when either series is constant (nothing to tell from).
 */
export function rankCorrelation(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new Error("rank correlation of series of different lengths");
  const rx = ranks(x);
  const ry = ranks(y);
  const center = (x.length + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = (rx[i] as number) - center;
    const dy = (ry[i] as number) - center;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
}
