import type { Experiment, KnobValue } from "../experiment/schema.js";
import { seedFromText } from "../measure/stats/prng.js";
import { functionsWithoutSamples } from "../profile/snapshot.js";
import type { Hotspot } from "../profile/types.js";
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
 * them) on the record; returns the rejection reason when the experiment asks to reject them.
 */
export function flagUnsampled(
  experiment: Experiment,
  record: IterationRecord,
  diff: string,
  profile: { hotspots: Hotspot[] },
): string | null {
  const unsampled = functionsWithoutSamples(diff, profile);
  if (unsampled.length === 0) return null;
  record.unsampledFunctions = unsampled;
  return experiment.profiling?.rejectUnsampled
    ? `the benchmark does not run the changed code (no samples in the best's profile): ${unsampled.join(", ")}`
    : null;
}
