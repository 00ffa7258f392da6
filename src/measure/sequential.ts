import type { LookBoundaries, StopRule } from "./decision.js";
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
  const finalOverall = overall[overall.length - 1] as number;
  return overall.map((z, i) => ({
    overall: z,
    perScenario: perScenario[i] as number,
    finalOverall,
  }));
}

export interface SequentialOutcome<D> {
  decision: D;
  rounds: number;
  looks: number;
  stoppedFor: StopRule;
}

/**
 * Drives a sequential comparison: runs rounds one by one, decides at each scheduled look, and
 * stops at the first look whose decision is settled (or at the last look). When `timeUp` says so
 * before a round, it stops there and decides once more on the rounds it has, at the boundaries
 * of the look it was heading for; `stoppedFor` is then "time" and the caller must not act on it.
 */
export async function runSequential<D extends { settledBy: StopRule | null }>(options: {
  looks: readonly number[];
  boundaries: readonly LookBoundaries[];
  runRound: (round: number) => Promise<void> | void;
  decideAt: (rounds: number, boundaries: LookBoundaries) => D;
  onLook?: (rounds: number, decision: D) => void;
  timeUp?: () => boolean;
}): Promise<SequentialOutcome<D>> {
  let rounds = 0;
  for (const [index, look] of options.looks.entries()) {
    const boundaries = options.boundaries[index] as LookBoundaries;
    while (rounds < look) {
      // Two rounds at least: an interval needs a spread.
      if (rounds >= 2 && options.timeUp?.()) {
        const decision = options.decideAt(rounds, boundaries);
        options.onLook?.(rounds, decision);
        return { decision, rounds, looks: index + 1, stoppedFor: "time" };
      }
      await options.runRound(rounds);
      rounds++;
    }
    const decision = options.decideAt(rounds, boundaries);
    options.onLook?.(rounds, decision);
    const last = index === options.looks.length - 1;
    // At the last look futility says no more than that the rounds ran out.
    const settledBy = last && decision.settledBy === "futility" ? null : decision.settledBy;
    if (settledBy !== null || last) {
      return { decision, rounds, looks: index + 1, stoppedFor: settledBy ?? "max-rounds" };
    }
  }
  throw new Error("runSequential needs at least one look");
}
