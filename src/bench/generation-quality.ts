import { DEFAULT_DECISION, type DecisionSettings } from "../measure/decision.js";
import { NOISE_MODELS } from "./noise-models.js";
import { ourTrial } from "./trial.js";

/**
 * Monte-Carlo check of `run --parallel K`: a generation compares K siblings with the same best and
 * keeps at most one, the largest credible gain. With K chances, noise alone keeps one more often
 * than in one comparison; each sibling deciding at alpha / K (Bonferroni, what the loop does)
 * keeps that family rate at or below one comparison's. Per noise model: generations in which any
 * of K true no-ops was kept, with and without the correction, and how often a generation of one
 * true gain among K − 1 no-ops keeps that gain (and not a no-op).
 * Usage: npm run bench:generations [-- --generations N --k K --gain 0.05]
 */
const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const generations = option("--generations", 500);
const k = option("--k", 3);
const gain = option("--gain", 0.05);

interface Sibling {
  kept: boolean;
  estimate: number;
  truth: number;
}

async function generation(
  modelIndex: number,
  truths: number[],
  seed: number,
  settings: DecisionSettings,
): Promise<Sibling | null> {
  const model = NOISE_MODELS[modelIndex] as (typeof NOISE_MODELS)[number];
  const siblings: Sibling[] = [];
  for (const [i, truth] of truths.entries()) {
    const trial = await ourTrial(model, 1 - truth, seed * 101 + i, settings);
    siblings.push({ kept: trial.kept, estimate: trial.estimate, truth });
  }
  const kept = siblings.filter((s) => s.kept).sort((a, b) => b.estimate - a.estimate);
  return kept[0] ?? null;
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
const plain: DecisionSettings = { ...DEFAULT_DECISION };
const bonferroni: DecisionSettings = { ...DEFAULT_DECISION, alpha: DEFAULT_DECISION.alpha / k };
const nulls = Array.from({ length: k }, () => 0);
const oneGain = [gain, ...nulls.slice(1)];

console.log(
  `| noise model | one comparison: false keep | K=${k} at alpha: any false keep | K=${k} at alpha/${k}: any false keep | K=${k} at alpha/${k}: the +${gain * 100}% kept | one comparison: +${gain * 100}% kept |`,
);
console.log("|---|---|---|---|---|---|");
for (const [m, model] of NOISE_MODELS.entries()) {
  let single = 0;
  let familyPlain = 0;
  let familyCorrected = 0;
  let right = 0;
  let singlePower = 0;
  for (let g = 0; g < generations; g++) {
    const seed = m * 1_000_003 + g;
    if ((await ourTrial(model, 1, seed * 7919, plain)).kept) single++;
    if (await generation(m, nulls, seed, plain)) familyPlain++;
    if (await generation(m, nulls, seed, bonferroni)) familyCorrected++;
    const winner = await generation(m, oneGain, seed + 500_000, bonferroni);
    if (winner && winner.truth === gain) right++;
    if ((await ourTrial(model, 1 - gain, seed * 7919 + 1, plain)).kept) singlePower++;
  }
  const rate = (n: number) => pct(n / generations);
  console.log(
    `| ${model.name} | ${rate(single)} | ${rate(familyPlain)} | ${rate(familyCorrected)} | ${rate(right)} | ${rate(singlePower)} |`,
  );
}
console.log(`\n${generations} generations per model and column; alpha ${DEFAULT_DECISION.alpha}.`);
