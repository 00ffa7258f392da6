import type { Experiment, KnobValue } from "../experiment/schema.js";
import { seedFromText } from "../measure/stats/prng.js";
import { functionsWithoutSamples } from "../profile/snapshot.js";
import type { Hotspot, Hotspots } from "../profile/types.js";
import type { IterationRecord } from "./artifacts.js";

/** An iteration's record before it is measured: what was applied, checked and tested. */
export function newIterationRecord(
  experiment: Experiment,
  fields: {
    iteration: number;
    strategy: string;
    reason: string;
    baselineValue: number | null;
    knobs: Record<string, KnobValue>;
    changedFiles: string[];
    violations: string[];
    testOutput: string | null;
  },
): IterationRecord {
  return {
    ...fields,
    decision: "drop",
    bestValue: null,
    value: null,
    improvement: null,
    ci: null,
    verdict: null,
    rounds: null,
    seed: seedFromText(`${experiment.id}/${fields.iteration}`),
    environmentDrift: [],
    comparison: null,
  };
}

/**
 * Flags changed functions that have no samples in the best's profile (the benchmark does not run
 * them) on the record; returns the rejection reason when the experiment asks to reject them. A
 * profile that may count inlined code for its caller only (`inlinedShown` false) only warns: such
 * a function may have run under its caller's name.
 */
export function flagUnsampled(
  experiment: Experiment,
  record: IterationRecord,
  diff: string,
  snapshot: { hotspots: Hotspot[]; profile?: Pick<Hotspots, "inlinedShown" | "sampledLines"> },
): string | null {
  const unsampled = functionsWithoutSamples(diff, {
    hotspots: snapshot.hotspots,
    sampledLines: snapshot.profile?.sampledLines,
  });
  if (unsampled.length === 0) return null;
  if (snapshot.profile?.inlinedShown === false) {
    record.unsampledFunctions = unsampled.map((f) => `${f} ${UNSURE}`);
    return null;
  }
  record.unsampledFunctions = unsampled;
  return experiment.profiling?.rejectUnsampled
    ? `the benchmark does not run the changed code (no samples in the best's profile): ${unsampled.join(", ")}`
    : null;
}

/** Said of an unsampled function when the profile cannot see inlined code: never rejected. */
export const UNSURE =
  "(perhaps inlined: this profile counts inlined code for its caller, so this is a warning, never a rejection)";
