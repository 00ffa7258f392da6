import { type Interval, locationIntervals } from "./stats/interval.js";
import { normalQuantile } from "./stats/normal.js";
import type { Rng } from "./stats/prng.js";

/** What one run of one side measured: the metric converted to ms, and the process's own times. */
export interface RunTimes {
  metricMs: number;
  wallMs: number;
  cpuMs: number | null;
}

/** One interleaved round: A the current best, B the candidate. */
export interface TimedRound {
  a: RunTimes;
  b: RunTimes;
}

/** The share of the metric's saving the process must show as time it no longer spends. */
export const REQUIRED_SHARE = 0.5;

/** Savings per run in ms (A − B: positive means B spends less), each with its interval. */
export interface ConsistencyFinding {
  metric: Interval;
  wall: Interval;
  /** Null when the OS did not report CPU time for every run. */
  cpu: Interval | null;
  /**
   * True when the metric credibly improved while neither the CPU nor the wall time saved
   * credibly reaches REQUIRED_SHARE of the metric's saving.
   */
  inconsistent: boolean;
}

/**
 * Does the process's own time show the saving the metric claims? Per round i the metric saves
 * m_i = A − B and the process c_i (CPU) and w_i (wall). The test works on the paired differences
 * d_i = c_i − ½·m_i (and the same with w_i): linear in the rounds, so the existing paired machinery
 * (Hodges–Lehmann estimate, bootstrap standard error over the same resampled rounds, Student t)
 * gives its interval, and it stays well-defined when Σm is small, where a ratio Σc/Σm would not.
 * The null hypothesis is "the process saved at least half of what the metric says"
 * (location of d ≥ 0); it is rejected only when the upper bound of d is below zero at one-sided
 * level `alpha`, for CPU and wall alike — the better of the two decides, since an I/O-bound
 * benchmark saves wall time and a multithreaded one CPU time — and only when the metric's own
 * saving is credibly above zero at the same level. An honest saving has d ≈ +½·m, far from the
 * bound; a metric-only saving has d ≈ −½·m.
 */
export function metricProcessConsistency(
  rounds: readonly TimedRound[],
  alpha: number,
  resamples: number,
  rng: Rng,
): ConsistencyFinding {
  const metric = rounds.map((r) => r.a.metricMs - r.b.metricMs);
  const wall = rounds.map((r) => r.a.wallMs - r.b.wallMs);
  const cpuKnown = rounds.every((r) => r.a.cpuMs !== null && r.b.cpuMs !== null);
  const cpu = cpuKnown ? rounds.map((r) => (r.a.cpuMs as number) - (r.b.cpuMs as number)) : [];
  const shortfall = (process: number[]) =>
    process.map((p, i) => p - REQUIRED_SHARE * (metric[i] as number));
  const series = [metric, wall, shortfall(wall), ...(cpuKnown ? [cpu, shortfall(cpu)] : [])];
  const z = normalQuantile(1 - alpha);
  const [m, w, wallShortfall, c, cpuShortfall] = locationIntervals(
    series,
    series.map(() => z),
    resamples,
    rng,
  ) as [Interval, Interval, Interval, Interval?, Interval?];
  const credibleBelow = (d: Interval | undefined) => d === undefined || d.high < 0;
  return {
    metric: m,
    wall: w,
    cpu: c ?? null,
    inconsistent: m.low > 0 && credibleBelow(wallShortfall) && credibleBelow(cpuShortfall),
  };
}
