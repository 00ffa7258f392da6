import type { Better } from "./types.js";

/** Milliseconds in one of each time unit a benchmark may print. */
const MS_PER_TIME_UNIT: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
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

/** Which way is better, judged from a unit alone: times and per-op costs lower, rates higher. */
export function betterForUnit(unit: string | undefined): Better | undefined {
  if (unit === undefined) return undefined;
  const u = unit.toLowerCase();
  if (msPerTimeUnit(u) !== undefined || u.endsWith("/op") || u.endsWith("/iter")) return "lower";
  if (RATE_UNITS.has(u) || /\/(s|sec|second)$/.test(u)) return "higher";
  return undefined;
}
