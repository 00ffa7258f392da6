import {
  type CounterDecision,
  type CounterSeries,
  compareCounters,
  counterVeto,
} from "./counters.js";
import { fractionToGain, gainToFraction, logGain } from "./gain.js";
import type { Better } from "./metrics/types.js";
import { criticalValue, type Interval, locationIntervals } from "./stats/interval.js";
import type { Rng } from "./stats/prng.js";
import { robustCv } from "./stats/robust.js";

export const VERDICTS = ["improved", "regressed", "no-change", "inconclusive"] as const;
export type Verdict = (typeof VERDICTS)[number];

export interface DecisionSettings {
  /** One-sided error rate per direction, spent over the looks. */
  alpha: number;
  /** The smallest improvement worth keeping, as a fraction. */
  minEffect: number;
  /** A scenario that credibly regresses past this fraction vetoes the overall verdict. */
  regressionTolerance: number;
  /** The same for peak memory. */
  memoryTolerance: number;
  bootstrapResamples: number;
  /** Rounds at the last look: the noise floor is the resolution of a full-length comparison. */
  maxRounds: number;
  /**
   * Futility: stop (a drop) at a look where even an improvement as large as the one-sided upper
   * bound at this z-value would leave the last look's lower bound short of δ. Non-binding: it
   * only ever turns a keep into a drop, so false keeps cannot rise; the harness measures its cost
   * in power.
   */
  futilityZ: number;
  /**
   * δ is the min-effect alone, or lifted to the noise floor on noisy machines (the default: δ
   * alone lets false keeps pass 1% at CV 10%, docs/decision-quality.md).
   */
  deltaRule: "min-effect" | "noise-floor";
}

export const DEFAULT_DECISION: DecisionSettings = {
  alpha: 0.05,
  minEffect: 0.01,
  regressionTolerance: 0.03,
  memoryTolerance: 0.1,
  bootstrapResamples: 200,
  maxRounds: 40,
  futilityZ: 1.5,
  deltaRule: "noise-floor",
};

/**
 * Why a comparison stopped where it did: a rule settled it at a look (`precision` is the final
 * re-measure's: its interval is narrow enough to quote), its rounds ran out, or its time did.
 */
export const STOP_RULES = [
  "efficacy",
  "equivalence",
  "futility",
  "precision",
  "max-rounds",
  "time",
] as const;
export type StopRule = (typeof STOP_RULES)[number];

/** Values of one scenario, paired by round: a[i] and b[i] were measured in round i. */
export interface PairedSeries {
  name: string;
  better: Better;
  a: readonly number[];
  b: readonly number[];
}

export interface FractionInterval {
  estimate: number;
  low: number;
  high: number;
}

export interface ScenarioDecision {
  name: string;
  better: Better;
  verdict: Verdict;
  improvement: FractionInterval;
  noiseFloor: number;
  delta: number;
}

export interface Decision {
  verdict: Verdict;
  /**
   * The geometric mean over scenarios, per round, in the scenarios' unit (the share saved when all
   * are lower-is-better, else the relative gain).
   */
  overall: FractionInterval;
  noiseFloor: number;
  delta: number;
  scenarios: ScenarioDecision[];
  memory: (FractionInterval & { verdict: Verdict }) | null;
  /** The secondary counters, compared exactly; a regressed one vetoes like memory. */
  counters: CounterDecision[];
  /** Why the overall verdict is `regressed` although the score alone says otherwise. */
  vetoes: string[];
  /** True when nothing more can be learned that would change the verdict at this look. */
  settled: boolean;
  /** The rule that settled it: a verdict either way, no change within ±δ, or no way to clear δ. */
  settledBy: Extract<StopRule, "efficacy" | "equivalence" | "futility" | "precision"> | null;
}

/** Critical z-values at this look: for the overall score, and Bonferroni-split across scenarios. */
export interface LookBoundaries {
  overall: number;
  perScenario: number;
  /** The overall score's critical z-value at the last look, which a keep must clear in the end. */
  finalOverall: number;
  /** The rounds at that last look, when not `maxRounds` (a schedule that may extend). */
  finalRounds?: number;
}

/**
 * The program's verdict at one look. `improved` only when the interval's lower bound clears
 * δ = max(min-effect, noise floor); settled for futility when it cannot clear δ (`cannotClear`); `regressed` when its upper bound is below −δ; `no-change` when
 * it lies inside ±δ; otherwise `inconclusive`. Any scenario (tested at alpha/m) or the peak memory
 * credibly worse than its tolerance makes the overall verdict `regressed`, as does any secondary
 * counter whose median is worse at all.
 */
export function decide(
  scenarios: readonly PairedSeries[],
  memory: { a: readonly number[]; b: readonly number[] } | null,
  boundaries: LookBoundaries,
  settings: DecisionSettings,
  rng: Rng,
  counters: readonly CounterSeries[] = [],
): Decision {
  if (scenarios.length === 0) throw new Error("decide needs at least one scenario");
  const gains = scenarioGains(scenarios);
  const overallGains = overallGainsPerRound(gains);
  const memoryGains = memory
    ? memory.a.map((a, i) => logGain(a, memory.b[i] as number, "lower"))
    : null;
  // With one scenario the overall score is that scenario: one interval serves both.
  const several = scenarios.length > 1;
  const series = [overallGains, ...(several ? gains : []), ...(memoryGains ? [memoryGains] : [])];
  const critical = [
    boundaries.overall,
    ...(several ? scenarios.map(() => boundaries.perScenario) : []),
    ...(memoryGains ? [boundaries.overall] : []),
  ];
  const intervals = locationIntervals(series, critical, settings.bootstrapResamples, rng);
  const overallBetter = overallDirection(scenarios);
  const overallFloor = noiseFloor(
    armScores(scenarios, "a"),
    armScores(scenarios, "b"),
    settings.maxRounds,
  );
  const overallDelta = deltaFor(settings, overallFloor);
  const overall = toFractions(intervals[0] as Interval, overallBetter);

  const scenarioDecisions = scenarios.map((s, i): ScenarioDecision => {
    const floor = noiseFloor(s.a, s.b, settings.maxRounds);
    const delta = deltaFor(settings, floor);
    const improvement = toFractions(intervals[several ? i + 1 : 0] as Interval, s.better);
    return {
      name: s.name,
      better: s.better,
      verdict: classify(improvement, delta),
      improvement,
      noiseFloor: floor,
      delta,
    };
  });

  const vetoes: string[] = [];
  for (const s of scenarioDecisions) {
    if (several && s.improvement.high < -settings.regressionTolerance) {
      vetoes.push(
        `scenario ${s.name} regressed by more than ${percent(settings.regressionTolerance)}`,
      );
    }
  }
  let memoryDecision: Decision["memory"] = null;
  if (memoryGains) {
    const m = toFractions(intervals[intervals.length - 1] as Interval, "lower");
    memoryDecision = { ...m, verdict: classify(m, settings.memoryTolerance) };
    if (m.high < -settings.memoryTolerance) {
      vetoes.push(`peak memory grew by more than ${percent(settings.memoryTolerance)}`);
    }
  }

  const counterDecisions = compareCounters(counters);
  for (const c of counterDecisions) if (c.verdict === "regressed") vetoes.push(counterVeto(c));

  const scoreVerdict = classify(overall, overallDelta);
  const verdict: Verdict = vetoes.length > 0 ? "regressed" : scoreVerdict;
  // Do not stop on a win while some scenario might still be regressing past its tolerance.
  const scenariosSafe = scenarioDecisions.every(
    (s) => s.improvement.low > -settings.regressionTolerance,
  );
  const futile = cannotClear(
    intervals[0] as Interval,
    overallGains.length,
    fractionToGain(overallDelta, overallBetter),
    boundaries.finalOverall,
    { ...settings, maxRounds: boundaries.finalRounds ?? settings.maxRounds },
  );
  const settledBy: Decision["settledBy"] =
    verdict === "regressed" || (verdict === "improved" && (!several || scenariosSafe))
      ? "efficacy"
      : verdict === "no-change"
        ? "equivalence"
        : futile
          ? "futility"
          : null;
  return {
    verdict,
    overall,
    noiseFloor: overallFloor,
    delta: overallDelta,
    scenarios: scenarioDecisions,
    memory: memoryDecision,
    counters: counterDecisions,
    vetoes,
    settled: settledBy !== null,
    settledBy,
  };
}

/** Per scenario, per round, the log gain of B over A (> 0: B is better). */
export function scenarioGains(scenarios: readonly PairedSeries[]): number[][] {
  return scenarios.map((s) => s.a.map((a, i) => logGain(a, s.b[i] as number, s.better)));
}

/** Per round, the overall score's log gain: the mean over scenarios (a geometric mean of ratios). */
export function overallGainsPerRound(gains: readonly (readonly number[])[]): number[] {
  const rounds = gains[0]?.length ?? 0;
  return Array.from({ length: rounds }, (_, i) => {
    let sum = 0;
    for (const g of gains) sum += g[i] as number;
    return sum / gains.length;
  });
}

/**
 * The overall is in its scenarios' unit: for times the share saved, 1 − geomean(B/A), so it lies
 * between the smallest and the largest scenario improvement; mixed directions give the gain.
 */
export function overallDirection(scenarios: readonly { better: Better }[]): Better {
  return scenarios.every((s) => s.better === "lower") ? "lower" : "higher";
}

/**
 * Whether the last look's lower bound would fall short of δ (as a gain) even if the true gain
 * were this look's upper bound at `futilityZ`: the standard error at the last look is projected
 * from this one's by √(n/N), as for means of independent rounds.
 */
export function cannotClear(
  interval: Interval,
  rounds: number,
  deltaGain: number,
  finalCriticalZ: number,
  settings: Pick<DecisionSettings, "futilityZ" | "maxRounds">,
): boolean {
  const total = Math.max(settings.maxRounds, rounds);
  const plausibleHigh =
    interval.estimate + criticalValue(settings.futilityZ, rounds) * interval.standardError;
  const finalHalfWidth =
    criticalValue(finalCriticalZ, total) * interval.standardError * Math.sqrt(rounds / total);
  return plausibleHigh - finalHalfWidth < deltaGain;
}

/**
 * Worth the extension's rounds: unresolved, yet its lower bound is above zero and its estimate
 * above δ, so more rounds would likely clear δ.
 */
export function promising(decision: Pick<Decision, "verdict" | "overall" | "delta">): boolean {
  return (
    decision.verdict === "inconclusive" &&
    decision.overall.low > 0 &&
    decision.overall.estimate > decision.delta
  );
}

/** δ for a noise floor, as the settings say: the min-effect, lifted to the floor or not. */
export function deltaFor(settings: DecisionSettings, floor: number): number {
  return settings.deltaRule === "noise-floor"
    ? Math.max(settings.minEffect, floor)
    : settings.minEffect;
}

export function classify(improvement: FractionInterval, delta: number): Verdict {
  if (improvement.low > delta) return "improved";
  if (improvement.high < -delta) return "regressed";
  if (improvement.low >= -delta && improvement.high <= delta) return "no-change";
  return "inconclusive";
}

/**
 * The smallest relative difference a full-length comparison can resolve: the robust CV of single
 * runs (the noisier arm) divided by √maxRounds. At CV 5% and 40 rounds it is 0.8%, below the usual
 * 1% minimum effect; on a noisy machine it rises and keeps small "wins" from passing as real.
 */
export function noiseFloor(a: readonly number[], b: readonly number[], maxRounds: number): number {
  return Math.max(robustCv(a), robustCv(b)) / Math.sqrt(Math.max(maxRounds, a.length));
}

/** Per round, one arm's geometric mean over scenarios (the overall score's raw material). */
function armScores(scenarios: readonly PairedSeries[], arm: "a" | "b"): number[] {
  const rounds = scenarios[0]?.[arm].length ?? 0;
  return Array.from({ length: rounds }, (_, i) => {
    let sum = 0;
    for (const s of scenarios) sum += Math.log(s[arm][i] as number);
    return Math.exp(sum / scenarios.length);
  });
}

function toFractions(interval: Interval, better: Better): FractionInterval {
  return {
    estimate: gainToFraction(interval.estimate, better),
    low: gainToFraction(interval.low, better),
    high: gainToFraction(interval.high, better),
  };
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)}%`;
}
