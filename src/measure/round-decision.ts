import type { RoundContention } from "./contention.js";
import type { CounterSeries } from "./counters.js";
import {
  type Decision,
  type DecisionSettings,
  decide,
  type LookBoundaries,
  type PairedSeries,
  promising,
  type StopRule,
} from "./decision.js";
import type { Better } from "./metrics/types.js";
import type { Observation } from "./observe.js";
import {
  afterLook,
  extensionLooks,
  lookBoundaries,
  lookSchedule,
  type SequentialSchedule,
} from "./sequential.js";
import { createRng, type Rng } from "./stats/prng.js";

export interface RoundRecord {
  round: number;
  order: "AB" | "BA";
  a: Observation;
  b: Observation;
  /** How busy the rest of the machine was meanwhile (Linux). */
  contention?: RoundContention;
}

export interface ComparedMetrics {
  scenarios: readonly { name: string; better: Better }[];
  counters: readonly { name: string; better: Better }[];
}

/** The decision rng of a comparison seeded `seed` (its order rng is `createRng(seed)`). */
export function decisionRng(seed: number): Rng {
  return createRng(seed ^ 0x5bd1e995);
}

/** The decision on the rounds so far at one look's boundaries. */
export function decideRounds(
  metrics: ComparedMetrics,
  rounds: readonly RoundRecord[],
  boundaries: LookBoundaries,
  settings: DecisionSettings,
  rng: Rng,
): Decision {
  return decide(
    pairedSeries(metrics.scenarios, rounds),
    memorySeries(rounds),
    boundaries,
    settings,
    rng,
    pairedSeries(metrics.counters, rounds) satisfies CounterSeries[],
  );
}

/**
 * The decision an interleaved comparison seeded `seed` reached on these rounds, computed again
 * from the raw rounds alone (as a controller does with a worker's): every look up to the last
 * one is decided in order with the same rng, as `compareInterleaved` did, so the result is the
 * same decision. Null when the rounds cannot be the rounds of that comparison (a round count that
 * is no look of the schedule, or a look before the last that was already settled).
 */
export function replayDecision(
  metrics: ComparedMetrics,
  rounds: readonly RoundRecord[],
  schedule: SequentialSchedule,
  settings: DecisionSettings,
  seed: number,
): { decision: Decision; stoppedFor: StopRule; looks: number; extended: boolean } | null {
  const main = lookSchedule(schedule);
  const extension = extensionLooks(schedule);
  const looks = [...main, ...extension];
  const boundaries = lookBoundaries(
    main,
    settings.alpha,
    metrics.scenarios.length,
    extension,
    schedule.extensionAlphaShare,
  );
  const rng = decisionRng(seed);
  const promisingOnes = extension.length > 0 ? { promising } : undefined;
  for (const [index, look] of looks.entries()) {
    if (look > rounds.length) return null;
    const decision = decideRounds(
      metrics,
      rounds.slice(0, look),
      boundaries[index] as LookBoundaries,
      settings,
      rng,
    );
    const stoppedFor = afterLook(index, main.length, looks.length, decision, promisingOnes);
    if (stoppedFor !== null) {
      if (look !== rounds.length) return null;
      return { decision, stoppedFor, looks: index + 1, extended: index >= main.length };
    }
  }
  return null;
}

export function pairedSeries(
  scenarios: readonly { name: string; better: Better }[],
  rounds: readonly RoundRecord[],
): PairedSeries[] {
  return scenarios.map((s) => ({
    name: s.name,
    better: s.better,
    a: rounds.map((r) => r.a.metrics[s.name] as number),
    b: rounds.map((r) => r.b.metrics[s.name] as number),
  }));
}

export function memorySeries(rounds: readonly RoundRecord[]): { a: number[]; b: number[] } | null {
  const a = rounds.map((r) => r.a.peakRssKb);
  const b = rounds.map((r) => r.b.peakRssKb);
  if (a.some((v) => v === null || v <= 0) || b.some((v) => v === null || v <= 0)) return null;
  return { a: a as number[], b: b as number[] };
}
