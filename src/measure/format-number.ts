/** Significant digits shown when nothing says how precise a value is. */
const DEFAULT_DIGITS = 4;
/** Never more significant digits than this, however small the spread. */
const MAX_DIGITS = 6;

function decimalsFor(value: number, digits: number): number {
  const magnitude = value === 0 ? 0 : Math.floor(Math.log10(Math.abs(value)));
  return Math.max(0, digits - 1 - magnitude);
}

/**
 * A measured value rounded to the precision the measurement supports: with a `spread` (its
 * noise: a MAD, a confidence interval's half-width), to the second significant digit of that
 * spread; without one, to four significant digits. The integer part is always shown in full,
 * so `288.46500000000003` prints `288.5` and `46.334999999999994` prints `46.33`.
 */
export function formatMeasured(value: number, spread?: number): string {
  if (!Number.isFinite(value)) return "—";
  const ceiling = decimalsFor(value, MAX_DIGITS);
  if (spread !== undefined && Number.isFinite(spread) && spread > 0) {
    const decimals = Math.min(ceiling, Math.max(0, 1 - Math.floor(Math.log10(spread))));
    return value.toFixed(decimals);
  }
  const decimals = Math.min(ceiling, decimalsFor(value, DEFAULT_DIGITS));
  return String(Number(value.toFixed(decimals)));
}
