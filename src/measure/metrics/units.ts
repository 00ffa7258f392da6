import type { Better } from "./types.js";

/** Milliseconds in one of each time unit a benchmark may print. */
const MS_PER_TIME_UNIT: Record<string, number> = {
  ps: 1e-9,
  ns: 1e-6,
  nsec: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  usec: 1e-3,
  ms: 1,
  msec: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  seconds: 1000,
  min: 60_000,
};
const RATE_UNITS = new Set(["hz", "ops", "rps", "qps"]);

/** Milliseconds per `unit` when it is a time unit (`ms`, `µs`, `s`…), else undefined. */
export function msPerTimeUnit(unit: string | undefined): number | undefined {
  return unit === undefined ? undefined : MS_PER_TIME_UNIT[unit.toLowerCase()];
}

/**
 * A time in nanoseconds, for harnesses that scale their unit to the value (criterion's `999.1 µs`
 * then `1.0012 ms`, timeit's `usec`/`msec`): one fixed unit keeps the runs comparable. Rounded to
 * 12 significant digits, past what any harness prints, so `1.2345 ms` is 1234500 ns exactly.
 */
export function toNanoseconds(value: number, unit: string): number | undefined {
  const ms = msPerTimeUnit(unit);
  return ms === undefined ? undefined : Number((value * ms * 1e6).toPrecision(12));
}

/** Which way is better, judged from a unit alone: times and per-op costs lower, rates higher. */
export function betterForUnit(unit: string | undefined): Better | undefined {
  if (unit === undefined) return undefined;
  const u = unit.toLowerCase();
  if (msPerTimeUnit(u) !== undefined || u.endsWith("/op") || u.endsWith("/iter")) return "lower";
  if (RATE_UNITS.has(u) || /\/(s|sec|second)$/.test(u)) return "higher";
  return undefined;
}
