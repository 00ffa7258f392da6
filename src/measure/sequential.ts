import type { LookBoundaries, StopRule } from "./decision.js";
import { obrienFlemingSpent, sequentialBoundaries } from "./stats/group-sequential.js";

export interface SequentialSchedule {
  minRounds: number;
  lookEvery: number;
  maxRounds: number;
  /**
   * A promising comparison still unresolved at `maxRounds` (lower bound above zero, estimate above
   * δ) goes on to this many rounds, looking every `lookEvery`; the alpha for those looks is
   * planned in advance (`EXTENSION_ALPHA_SHARE`), so error control holds whether it extends or not.
   */
  extendTo?: number;
  /** The share of alpha kept back for the extension's looks (`EXTENSION_ALPHA_SHARE` if unset). */
  extensionAlphaShare?: number;
}

/** The share of alpha kept back for the extension's looks when a schedule has one. */
export const EXTENSION_ALPHA_SHARE = 0.2;

export const DEFAULT_SCHEDULE: SequentialSchedule = { minRounds: 10, lookEvery: 5, maxRounds: 40 };

/** The round counts at which the data is looked at: min, min+step, …, and always max. */
export function lookSchedule(schedule: SequentialSchedule): number[] {
  const first = Math.min(schedule.minRounds, schedule.maxRounds);
  const looks: number[] = [];
  for (let n = first; n < schedule.maxRounds; n += schedule.lookEvery) looks.push(n);
  looks.push(schedule.maxRounds);
  return looks;
}

/** The looks after `maxRounds` when the schedule may extend: max+step, …, and always extendTo. */
export function extensionLooks(schedule: SequentialSchedule): number[] {
  const end = schedule.extendTo;
  if (end === undefined || end <= schedule.maxRounds) return [];
  const looks: number[] = [];
  for (let n = schedule.maxRounds + schedule.lookEvery; n < end; n += schedule.lookEvery)
    looks.push(n);
  looks.push(end);
  return looks;
}

/**
 * Boundaries for every look: the overall score at alpha, each of m scenarios at alpha/m. With
 * extension looks, one design covers both: the looks up to the main end spend (1 − share)·alpha
 * by O'Brien–Fleming over the main end, the extension's spend the rest linearly to its end.
 */
export function lookBoundaries(
  looks: readonly number[],
  alpha: number,
  scenarioCount: number,
  extension: readonly number[] = [],
  extensionShare = EXTENSION_ALPHA_SHARE,
): LookBoundaries[] {
  const all = [...looks, ...extension];
  const mainEnd = looks[looks.length - 1] as number;
  const end = all[all.length - 1] as number;
  const design = (a: number): number[] => {
    if (extension.length === 0) return sequentialBoundaries(looks, a);
    const main = (1 - extensionShare) * a;
    return sequentialBoundaries(all, a, (n) =>
      n <= mainEnd
        ? obrienFlemingSpent(main, n / mainEnd)
        : main + ((a - main) * (n - mainEnd)) / (end - mainEnd),
    );
  };
  const overall = design(alpha);
  const perScenario = scenarioCount > 1 ? design(alpha / scenarioCount) : overall;
  const atMainEnd = overall[looks.length - 1] as number;
  const atEnd = overall[overall.length - 1] as number;
  return overall.map((z, i) => ({
    overall: z,
    perScenario: perScenario[i] as number,
    // Futility looks ahead to the end of the phase it is in: the main end, or the extension's.
    finalOverall: i < looks.length ? atMainEnd : atEnd,
    ...(extension.length > 0 && { finalRounds: i < looks.length ? mainEnd : end }),
  }));
}

export interface SequentialOutcome<D> {
  decision: D;
  rounds: number;
  looks: number;
  stoppedFor: StopRule;
  /** Whether it went past the main end into the extension's looks. */
  extended: boolean;
}

/**
 * Drives a sequential comparison: runs rounds one by one, decides at each scheduled look, and
 * stops at the first look whose decision is settled (or at the last look). When `timeUp` says so
 * before a round, it stops there and decides once more on the rounds it has, at the boundaries
 * of the look it was heading for; `stoppedFor` is then "time" and the caller must not act on it.
 * With `extension` looks (whose boundaries follow the main looks' in `boundaries`), a decision
 * still unsettled at the main end goes on only when `extension.promising` says so.
 */
export async function runSequential<D extends { settledBy: StopRule | null }>(options: {
  looks: readonly number[];
  boundaries: readonly LookBoundaries[];
  extension?: { looks: readonly number[]; promising: (decision: D) => boolean };
  runRound: (round: number) => Promise<void> | void;
  decideAt: (rounds: number, boundaries: LookBoundaries) => D;
  onLook?: (rounds: number, decision: D) => void;
  timeUp?: () => boolean;
}): Promise<SequentialOutcome<D>> {
  let rounds = 0;
  const mainLooks = options.looks.length;
  const looks = [...options.looks, ...(options.extension?.looks ?? [])];
  for (const [index, look] of looks.entries()) {
    const extended = index >= mainLooks;
    const boundaries = options.boundaries[index] as LookBoundaries;
    while (rounds < look) {
      // Two rounds at least: an interval needs a spread.
      if (rounds >= 2 && options.timeUp?.()) {
        const decision = options.decideAt(rounds, boundaries);
        options.onLook?.(rounds, decision);
        return { decision, rounds, looks: index + 1, stoppedFor: "time", extended };
      }
      await options.runRound(rounds);
      rounds++;
    }
    const decision = options.decideAt(rounds, boundaries);
    options.onLook?.(rounds, decision);
    const stoppedFor = afterLook(index, mainLooks, looks.length, decision, options.extension);
    if (stoppedFor !== null) return { decision, rounds, looks: index + 1, stoppedFor, extended };
  }
  throw new Error("runSequential needs at least one look");
}

/**
 * What look `index` (of `total`, the first `mainLooks` the main schedule's) decided for the run:
 * why it stops there, or null when it goes on to the next look. At the end of a phase futility
 * says no more than that its rounds ran out; past the main end it goes on only when promising.
 */
export function afterLook<D extends { settledBy: StopRule | null }>(
  index: number,
  mainLooks: number,
  total: number,
  decision: D,
  extension?: { promising: (decision: D) => boolean },
): StopRule | null {
  const atMainEnd = index === mainLooks - 1;
  const last = index === total - 1;
  const settledBy =
    (last || atMainEnd) && decision.settledBy === "futility" ? null : decision.settledBy;
  const goesOn = !last && (!atMainEnd || (settledBy === null && extension?.promising(decision)));
  if (settledBy !== null || !goesOn) return settledBy ?? "max-rounds";
  return null;
}
