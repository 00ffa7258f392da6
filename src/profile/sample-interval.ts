/** Samples a profile should hold for its percentages and hot lines to be steady. */
export const TARGET_SAMPLES = 2000;

/**
 * The shortest interval each profiler with a settable rate is taken down to: below it, sampling
 * costs more than a few percent (measured in docs/profiling.md) or the profiler cannot go.
 */
export const MIN_INTERVAL_US: Record<string, number> = {
  // V8, CPU over an unprofiled run: 1 ms +13–16%, 100 µs +21–39%, 50 µs +46–53% (docs/profiling.md).
  "v8-cpu-profiler": 100,
  // SIGPROF fires at most once per scheduler tick (about 3–4 ms here): 5 ms is near the floor.
  "python-sampler": 4000,
  // perf -g: 999 Hz +33–37%, 4 kHz +42–48%, 10 kHz +66–77% (~40 µs of CPU per sample here).
  perf: 250,
  jfr: 1000,
};

/**
 * The interval to profile again at when a run gave fewer than TARGET_SAMPLES samples: the one that
 * would have given about that many, not below the profiler's floor. Null when the run had enough,
 * the profiler's rate cannot be set, or a rerun would not give markedly more (under 1.5×).
 */
export function finerInterval(
  profiler: string,
  intervalUs: number | undefined,
  samples: number,
): number | null {
  const floor = MIN_INTERVAL_US[profiler];
  if (floor === undefined || intervalUs === undefined || samples >= TARGET_SAMPLES) return null;
  const wanted = samples > 0 ? (intervalUs * samples) / TARGET_SAMPLES : floor;
  const chosen = Math.max(floor, Math.floor(wanted));
  return intervalUs / chosen >= 1.5 ? chosen : null;
}

/** Most runs merged into one profile, and the wall time the runs after the first may take. */
export const MAX_MERGED_RUNS = 5;
export const MERGE_BUDGET_MS = 10_000;

/**
 * How many more runs to profile and merge when a run gave fewer than TARGET_SAMPLES samples and
 * its profiler cannot sample faster (the Python sampler, Go's runtime, py-spy, or a rate at its
 * floor): enough to reach the target, within MAX_MERGED_RUNS and MERGE_BUDGET_MS of wall time.
 */
export function extraRuns(samples: number, runMs: number): number {
  if (samples >= TARGET_SAMPLES) return 0;
  const wanted = samples > 0 ? Math.ceil(TARGET_SAMPLES / samples) - 1 : MAX_MERGED_RUNS - 1;
  const affordable = runMs > 0 ? Math.floor(MERGE_BUDGET_MS / runMs) : MAX_MERGED_RUNS - 1;
  return Math.max(0, Math.min(wanted, affordable, MAX_MERGED_RUNS - 1));
}
