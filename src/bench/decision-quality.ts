import { DEFAULT_DECISION, type DecisionSettings } from "../measure/decision.js";
import {
  DEFAULT_SCHEDULE,
  EXTENSION_ALPHA_SHARE,
  type SequentialSchedule,
} from "../measure/sequential.js";
import { quantileSorted, sorted } from "../measure/stats/robust.js";
import { NOISE_MODELS, type NoiseModel } from "./noise-models.js";
import { ourTrial, seedTrial, type TrialResult } from "./trial.js";

/**
 * Monte-Carlo check of the keep/drop procedure: false keeps on A/A, power for true improvements,
 * kept slowdowns, interval coverage and rounds used, per noise model; and the seed's rule beside it.
 * Usage: npm run bench:decisions [-- --trials N --aa-trials N --no-extend]
 */
const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const aaTrials = option("--aa-trials", 2000);
const trials = option("--trials", 1000);
const settings: DecisionSettings = {
  ...DEFAULT_DECISION,
  futilityZ: option("--futility-z", DEFAULT_DECISION.futilityZ),
};
const deltaAt = args.indexOf("--delta-rule");
if (deltaAt >= 0) settings.deltaRule = args[deltaAt + 1] as DecisionSettings["deltaRule"];
const onlyOurs = args.includes("--only-ours");
// By default a promising comparison unresolved at max rounds may go on to twice as many, as in
// compare and the loop; --no-extend measures the schedule without it.
const schedule: SequentialSchedule = !args.includes("--no-extend")
  ? {
      ...DEFAULT_SCHEDULE,
      extendTo: 2 * DEFAULT_SCHEDULE.maxRounds,
      extensionAlphaShare: option("--extension-share", EXTENSION_ALPHA_SHARE),
    }
  : DEFAULT_SCHEDULE;
const modelsAt = args.indexOf("--models");
const effectsAt = args.indexOf("--effects");
const effects = effectsAt >= 0 ? (args[effectsAt + 1] as string).split(",").map(Number) : null;
const models = modelsAt >= 0 ? (args[modelsAt + 1] as string).split(",").map(Number) : null;

// True improvement fractions (1 − B/A); negative ones are slowdowns.
const EFFECTS = [0, 0.01, 0.03, 0.05, 0.1, -0.01, -0.03];

interface Cell {
  keepRate: number;
  coverage: number | null;
  medianRounds: number;
  p90Rounds: number;
}

async function cell(
  run: (seed: number) => Promise<TrialResult> | TrialResult,
  count: number,
  salt: number,
): Promise<Cell> {
  const results: TrialResult[] = [];
  for (let i = 0; i < count; i++) results.push(await run(salt * 1_000_003 + i));
  const rounds = sorted(results.map((r) => r.rounds));
  const covered = results.filter((r) => r.covered !== null);
  return {
    keepRate: results.filter((r) => r.kept).length / count,
    coverage: covered.length ? covered.filter((r) => r.covered).length / covered.length : null,
    medianRounds: quantileSorted(rounds, 0.5),
    p90Rounds: quantileSorted(rounds, 0.9),
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

async function table(
  title: string,
  trialOf: (model: NoiseModel, ratio: number, seed: number) => Promise<TrialResult> | TrialResult,
) {
  console.log(`\n### ${title}\n`);
  console.log(
    "| noise model | false keep A/A | keep +1% | keep +3% | keep +5% | keep +10% | keep −1% | keep −3% | CI coverage | rounds A/A median/p90 | rounds +5% median/p90 |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|");
  for (const [m, model] of NOISE_MODELS.entries()) {
    if (models && !models.includes(m)) continue;
    const cells: Cell[] = [];
    for (const [e, effect] of EFFECTS.entries()) {
      if (effects && !effects.includes(effect)) {
        cells.push({ keepRate: Number.NaN, coverage: null, medianRounds: 0, p90Rounds: 0 });
        continue;
      }
      const count = effect === 0 ? aaTrials : trials;
      cells.push(await cell((seed) => trialOf(model, 1 - effect, seed), count, 1 + m * 100 + e));
    }
    const coverage = cells.map((c) => c.coverage).filter((c): c is number => c !== null);
    const aa = cells[EFFECTS.indexOf(0)] as Cell;
    const five = cells[EFFECTS.indexOf(0.05)] as Cell;
    console.log(
      `| ${model.name} | ${cells.map((c) => pct(c.keepRate)).join(" | ")} | ${
        coverage.length ? pct(coverage.reduce((x, y) => x + y, 0) / coverage.length) : "—"
      } | ${aa.medianRounds}/${aa.p90Rounds} | ${five.medianRounds}/${five.p90Rounds} |`,
    );
  }
}

const started = Date.now();
console.log(
  `Settings: δ rule ${settings.deltaRule}, futility z ${settings.futilityZ}, alpha ${DEFAULT_DECISION.alpha} per side, min-effect ${pct(DEFAULT_DECISION.minEffect)}, looks at ${DEFAULT_SCHEDULE.minRounds}, +${DEFAULT_SCHEDULE.lookEvery} … ${DEFAULT_SCHEDULE.maxRounds} rounds${schedule.extendTo ? ` (extending to ${schedule.extendTo} when promising, ${schedule.extensionAlphaShare} of alpha kept for it)` : ""}, ${DEFAULT_DECISION.bootstrapResamples} bootstrap resamples; ${aaTrials} A/A trials and ${trials} trials per effect.`,
);
await table(
  "auto-optimize: interleaved rounds, Hodges–Lehmann, bootstrap SE, O'Brien–Fleming looks",
  (model, ratio, seed) => ourTrial(model, ratio, seed, settings, schedule),
);
if (!onlyOurs)
  await table(
    "the seed's rule: median of 5 runs vs the baseline's median of 5, keep if gain ≥ 1%",
    (model, ratio, seed) => seedTrial(model, ratio, seed, DEFAULT_DECISION.minEffect),
  );
console.log(`\n(${((Date.now() - started) / 1000).toFixed(0)} s)`);
