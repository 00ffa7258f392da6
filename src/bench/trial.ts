import {
  DEFAULT_DECISION,
  type Decision,
  type DecisionSettings,
  decide,
  promising,
} from "../measure/decision.js";
import {
  DEFAULT_SCHEDULE,
  extensionLooks,
  lookBoundaries,
  lookSchedule,
  runSequential,
  type SequentialSchedule,
} from "../measure/sequential.js";
import { createRng } from "../measure/stats/prng.js";
import { median } from "../measure/stats/robust.js";
import type { NoiseModel } from "./noise-models.js";

export interface TrialResult {
  kept: boolean;
  /** The estimated improvement (1 − B/A). */
  estimate: number;
  rounds: number;
  covered: boolean | null;
}

// As compareInterleaved: the looks' boundaries spend the comparison's own alpha.
const designs = new Map<string, ReturnType<typeof design>>();
function design(schedule: SequentialSchedule, alpha: number) {
  const looks = lookSchedule(schedule);
  const extension = extensionLooks(schedule);
  const boundaries = lookBoundaries(looks, alpha, 1, extension, schedule.extensionAlphaShare);
  return { looks, extension, boundaries };
}

/**
 * One A/B comparison by our procedure: randomized interleaved rounds, sequential looks, the same
 * `decide` as `compare`. `ratio` is the true B/A of a lower-is-better metric.
 */
export async function ourTrial(
  model: NoiseModel,
  ratio: number,
  seed: number,
  settings: DecisionSettings = DEFAULT_DECISION,
  schedule: SequentialSchedule = DEFAULT_SCHEDULE,
): Promise<TrialResult> {
  const key = `${JSON.stringify(schedule)} ${settings.alpha}`;
  let planned = designs.get(key);
  if (!planned) {
    planned = design(schedule, settings.alpha);
    designs.set(key, planned);
  }
  const { looks, extension, boundaries } = planned;
  const rng = createRng(seed);
  // The noise's time axis is the main schedule's runs, extended or not, so both see the same noise.
  const noise = model.trial(rng, 2 * schedule.maxRounds);
  const a: number[] = [];
  const b: number[] = [];
  const outcome = await runSequential<Decision>({
    looks,
    boundaries,
    extension: extension.length > 0 ? { looks: extension, promising } : undefined,
    runRound: (round) => {
      const aFirst = rng.next() < 0.5;
      const first = noise(2 * round);
      const second = noise(2 * round + 1);
      a.push(100 * (aFirst ? first : second));
      b.push(100 * ratio * (aFirst ? second : first));
    },
    decideAt: (_rounds, look) =>
      decide([{ name: "time", better: "lower", a, b }], null, look, settings, rng),
  });
  const truth = 1 - ratio;
  const { low, high } = outcome.decision.overall;
  return {
    kept: outcome.decision.verdict === "improved",
    estimate: outcome.decision.overall.estimate,
    rounds: outcome.rounds,
    covered: low <= truth && truth <= high,
  };
}

/**
 * The seed's rule: the baseline is the median of 5 runs at the start; later the candidate's
 * median of 5 runs is compared with it, kept if the gain is at least the threshold.
 */
export function seedTrial(
  model: NoiseModel,
  ratio: number,
  seed: number,
  threshold: number,
): TrialResult {
  const rng = createRng(seed);
  const totalRuns = 2 * DEFAULT_SCHEDULE.maxRounds;
  const noise = model.trial(rng, totalRuns);
  const baseline = median([0, 1, 2, 3, 4].map((i) => 100 * noise(i)));
  const candidate = median([5, 4, 3, 2, 1].map((k) => 100 * ratio * noise(totalRuns - k)));
  const estimate = 1 - candidate / baseline;
  return { kept: estimate >= threshold, estimate, rounds: 5, covered: null };
}
