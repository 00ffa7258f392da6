import {
  cannotClear,
  classify,
  type DecisionSettings,
  deltaFor,
  type LookBoundaries,
} from "./decision.js";
import { gainToFraction } from "./gain.js";
import { criticalValue } from "./stats/interval.js";
import { normalQuantile } from "./stats/normal.js";
import { createRng } from "./stats/prng.js";
import { median } from "./stats/robust.js";

/** The noise assumed when none is known yet: a quiet machine's robust CV of single runs. */
export const ASSUMED_CV = 0.02;
const PATHS = 400;
/** The Hodges–Lehmann estimate's standard error over the mean's, on normal rounds. */
const HL_INEFFICIENCY = 1 / Math.sqrt(0.955);

export interface DurationEstimate {
  secondsPerRound: number;
  cv: number;
  cvAssumed: boolean;
  /** Median rounds of a comparison whose change does nothing (most changes). */
  typicalRounds: number;
  maxRounds: number;
  typicalSeconds: number;
  /** The last look's rounds, or the time cap when it comes first. */
  maxSeconds: number;
  capped: boolean;
  /** The true improvement the last look keeps 95% of the time. */
  resolvableGain: number;
}

/**
 * What a comparison will cost before it starts, from the time of a round and the noise of single
 * runs: the rounds a no-change comparison takes (the same stopping rules applied to simulated
 * normal rounds of that noise, seeded, so the estimate is the same every time) and the most.
 */
export function estimateDuration(input: {
  secondsPerRound: number;
  cv: number | undefined;
  looks: readonly number[];
  boundaries: readonly LookBoundaries[];
  settings: DecisionSettings;
  maxMinutes?: number;
}): DurationEstimate {
  const { looks, boundaries, settings } = input;
  const cv = input.cv ?? ASSUMED_CV;
  const maxRounds = looks[looks.length - 1] as number;
  // A round's log ratio is the difference of two runs' logs.
  const roundSd = Math.SQRT2 * Math.sqrt(Math.log(1 + cv * cv));
  const delta = deltaFor(settings, cv / Math.sqrt(maxRounds));
  const rng = createRng(1);
  const stops: number[] = [];
  for (let path = 0; path < PATHS; path++) {
    let sum = 0;
    let n = 0;
    for (const [index, look] of looks.entries()) {
      while (n < look) {
        sum += roundSd * rng.normal();
        n++;
      }
      if (index === looks.length - 1 || settles(sum / n, n, boundaries[index] as LookBoundaries))
        break;
    }
    stops.push(n);
  }
  function settles(estimate: number, n: number, look: LookBoundaries): boolean {
    const standardError = (HL_INEFFICIENCY * roundSd) / Math.sqrt(n);
    const half = criticalValue(look.overall, n) * standardError;
    const interval = { estimate, low: estimate - half, high: estimate + half, standardError };
    const verdict = classify(
      {
        estimate: gainToFraction(estimate, "higher"),
        low: gainToFraction(interval.low, "higher"),
        high: gainToFraction(interval.high, "higher"),
      },
      delta,
    );
    if (verdict !== "inconclusive") return true;
    return cannotClear(interval, n, Math.log(1 + delta), look.finalOverall, settings);
  }
  const typicalRounds = median(stops);
  const capSeconds = input.maxMinutes === undefined ? Infinity : input.maxMinutes * 60;
  const finalError = (HL_INEFFICIENCY * roundSd) / Math.sqrt(maxRounds);
  const finalCritical = criticalValue(
    (boundaries[looks.length - 1] as LookBoundaries).overall,
    maxRounds,
  );
  const resolvable = Math.log(1 + delta) + (finalCritical + normalQuantile(0.95)) * finalError;
  return {
    secondsPerRound: input.secondsPerRound,
    cv,
    cvAssumed: input.cv === undefined,
    typicalRounds,
    maxRounds,
    typicalSeconds: Math.min(typicalRounds * input.secondsPerRound, capSeconds),
    maxSeconds: Math.min(maxRounds * input.secondsPerRound, capSeconds),
    capped: maxRounds * input.secondsPerRound > capSeconds,
    resolvableGain: Math.exp(resolvable) - 1,
  };
}

/** "about 2 min (15 rounds) if the change does nothing, at most 6 min (40 rounds); …" */
export function formatEstimate(e: DurationEstimate): string {
  const most = e.capped
    ? `at most ${duration(e.maxSeconds)} (the time cap)`
    : `at most ${duration(e.maxSeconds)} (${e.maxRounds} rounds)`;
  const noise = `${(100 * e.cv).toFixed(1)}% noise${e.cvAssumed ? " assumed" : ""}`;
  return `about ${duration(e.typicalSeconds)} (${e.typicalRounds} rounds) if the change does nothing, ${most}; a true gain of ${(100 * e.resolvableGain).toFixed(1)}% or more is kept 95% of the time (${noise}, ${e.secondsPerRound.toFixed(e.secondsPerRound < 10 ? 1 : 0)} s per round)`;
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
