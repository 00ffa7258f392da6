import type { LookBoundaries } from "./decision.js";
import { sequentialBoundaries } from "./stats/group-sequential.js";

export interface SequentialSchedule {
  minRounds: number;
  lookEvery: number;
  maxRounds: number;
}

export const DEFAULT_SCHEDULE: SequentialSchedule = { minRounds: 10, lookEvery: 5, maxRounds: 40 };

/** The round counts at which the data is looked at: min, min+step, …, and always max. */
export function lookSchedule(schedule: SequentialSchedule): number[] {
  const first = Math.min(schedule.minRounds, schedule.maxRounds);
  const looks: number[] = [];
  for (let n = first; n < schedule.maxRounds; n += schedule.lookEvery) looks.push(n);
  looks.push(schedule.maxRounds);
  return looks;
}

/** Boundaries for every look: the overall score at alpha, each of m scenarios at alpha/m. */
export function lookBoundaries(
  looks: readonly number[],
  alpha: number,
  scenarioCount: number,
): LookBoundaries[] {
  const overall = sequentialBoundaries(looks, alpha);
  const perScenario =
    scenarioCount > 1 ? sequentialBoundaries(looks, alpha / scenarioCount) : overall;
  return overall.map((z, i) => ({ overall: z, perScenario: perScenario[i] as number }));
}

export interface SequentialOutcome<D> {
  decision: D;
  rounds: number;
  looks: number;
}

/**
 * Drives a sequential comparison: runs rounds one by one, decides at each scheduled look, and
 * stops at the first look whose decision is settled (or at the last look).
 */
export async function runSequential<D extends { settled: boolean }>(options: {
  looks: readonly number[];
  boundaries: readonly LookBoundaries[];
  runRound: (round: number) => Promise<void> | void;
  decideAt: (rounds: number, boundaries: LookBoundaries) => D;
  onLook?: (rounds: number, decision: D) => void;
}): Promise<SequentialOutcome<D>> {
  let rounds = 0;
  for (const [index, look] of options.looks.entries()) {
    while (rounds < look) {
      await options.runRound(rounds);
      rounds++;
    }
    const decision = options.decideAt(rounds, options.boundaries[index] as LookBoundaries);
    options.onLook?.(rounds, decision);
    if (decision.settled || index === options.looks.length - 1) {
      return { decision, rounds, looks: index + 1 };
    }
  }
  throw new Error("runSequential needs at least one look");
}
