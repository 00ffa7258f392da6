import type { FractionInterval } from "./decision.js";

/**
 * What the peak-memory check concluded: it is a veto, not a race, so it is `vetoed` (credibly
 * grew past the tolerance), `within tolerance` (credibly did not), or `not settled` (the interval
 * straddles the tolerance: not vetoed, but not shown to be within it either).
 */
export type MemoryCheck = "within tolerance" | "vetoed" | "not settled";

/** `saved` is the share of peak memory saved (1 − B/A): negative when memory grew. */
export function memoryCheck(saved: FractionInterval, tolerance: number): MemoryCheck {
  if (saved.high < -tolerance) return "vetoed";
  if (saved.low >= -tolerance) return "within tolerance";
  return "not settled";
}

/** A share of memory saved in words: `11.1% less`, `5.0% more`. */
export function memoryChange(saved: number): string {
  const size = `${Math.abs(100 * saved).toFixed(1)}%`;
  if (size === "0.0%") return "unchanged";
  return `${size} ${saved > 0 ? "less" : "more"}`;
}

/** The check as a column of a table: `within tolerance (10%)`, `vetoed: grew past 10%`. */
export function memoryCheckLabel(check: MemoryCheck, tolerance: number): string {
  const limit = `${(100 * tolerance).toFixed(0)}%`;
  if (check === "vetoed") return `vetoed: grew past ${limit}`;
  if (check === "within tolerance") return `within tolerance (${limit})`;
  return `not vetoed, may exceed ${limit}`;
}
