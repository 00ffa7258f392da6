import type { Better } from "./types.js";

const TIME_UNITS = new Set(["ns", "us", "µs", "μs", "ms", "s", "sec", "secs", "seconds", "min"]);
const RATE_UNITS = new Set(["hz", "ops", "rps", "qps"]);

/** Which way is better, judged from a unit alone: times and per-op costs lower, rates higher. */
export function betterForUnit(unit: string | undefined): Better | undefined {
  if (unit === undefined) return undefined;
  const u = unit.toLowerCase();
  if (TIME_UNITS.has(u) || u.endsWith("/op") || u.endsWith("/iter")) return "lower";
  if (RATE_UNITS.has(u) || /\/(s|sec|second)$/.test(u)) return "higher";
  return undefined;
}
