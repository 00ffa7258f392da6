import { DEFAULT_DECISION } from "../measure/decision.js";
import { DEFAULT_SCHEDULE } from "../measure/sequential.js";
import { quantileSorted, sorted } from "../measure/stats/robust.js";
import {
  benchstatTrial,
  criterionTrial,
  hyperfineTrial,
  type PracticeResult,
} from "./competitors/practices.js";
import { NOISE_MODELS, type NoiseModel } from "./noise-models.js";
import { ourTrial } from "./trial.js";

/**
 * auto-optimize against the usual practice of hyperfine, benchstat and criterion, on the same
 * synthetic noise models as `bench:decisions`: runs used, false keeps, power at +3% and +5%.
 * Usage: npm run bench:competitors [-- --trials N --aa-trials N --tools ours,hyperfine,...]
 */
const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const aaTrials = option("--aa-trials", 2000);
const trials = option("--trials", 1000);
const toolsAt = args.indexOf("--tools");
const modelsAt = args.indexOf("--models");
const models = modelsAt >= 0 ? (args[modelsAt + 1] as string).split(",").map(Number) : null;

// As compare and the loop run it: a promising comparison may extend to twice the rounds.
const EXTENDED = { ...DEFAULT_SCHEDULE, extendTo: 2 * DEFAULT_SCHEDULE.maxRounds };
type Trial = (model: NoiseModel, ratio: number, seed: number) => Promise<PracticeResult>;
const TOOLS: Record<string, { label: string; trial: Trial }> = {
  ours: {
    label: "auto-optimize (interleaved, sequential)",
    trial: async (model, ratio, seed) => {
      const result = await ourTrial(model, ratio, seed, DEFAULT_DECISION, EXTENDED);
      // One warm-up run of each arm, then two runs per round.
      return { kept: result.kept, runs: 2 + 2 * result.rounds };
    },
  },
  hyperfine: {
    label: "hyperfine: 10 + 10 runs, Welch t at 5%",
    trial: async (model, ratio, seed) => hyperfineTrial(model, ratio, seed),
  },
  benchstat: {
    label: "benchstat: 10 + 10 runs, Mann–Whitney U at 5%",
    trial: async (model, ratio, seed) => benchstatTrial(model, ratio, seed),
  },
  criterion: {
    label: "criterion: 100 + 100 samples, bootstrap, 1% noise threshold",
    trial: async (model, ratio, seed) => criterionTrial(model, ratio, seed),
  },
  "criterion-10": {
    label: "criterion, `sample_size(10)` as for slow benchmarks",
    trial: async (model, ratio, seed) => criterionTrial(model, ratio, seed, 10),
  },
};
const tools = toolsAt >= 0 ? (args[toolsAt + 1] as string).split(",") : Object.keys(TOOLS);

// The same seeds as bench:decisions for the same model and effect (its salts: 1 + m·100 + e).
const EFFECTS = [0, 0.03, 0.05];
const EFFECT_INDEX = [0, 2, 3];

async function cell(tool: Trial, model: NoiseModel, m: number, e: number) {
  const effect = EFFECTS[e] as number;
  const count = effect === 0 ? aaTrials : trials;
  const salt = 1 + m * 100 + (EFFECT_INDEX[e] as number);
  const results: PracticeResult[] = [];
  for (let i = 0; i < count; i++) results.push(await tool(model, 1 - effect, salt * 1_000_003 + i));
  return {
    keepRate: results.filter((r) => r.kept).length / count,
    medianRuns: quantileSorted(sorted(results.map((r) => r.runs)), 0.5),
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const started = Date.now();
console.log(`${aaTrials} A/A trials and ${trials} trials per effect, per noise model.\n`);
console.log(
  "| noise model | procedure | runs A/A (median) | runs +5% (median) | false keep A/A | keep +3% | keep +5% |",
);
console.log("|---|---|---|---|---|---|---|");
for (const [m, model] of NOISE_MODELS.entries()) {
  if (models && !models.includes(m)) continue;
  for (const name of tools) {
    const tool = TOOLS[name];
    if (!tool) throw new Error(`no such procedure: ${name} (${Object.keys(TOOLS).join(", ")})`);
    const [aa, three, five] = [
      await cell(tool.trial, model, m, 0),
      await cell(tool.trial, model, m, 1),
      await cell(tool.trial, model, m, 2),
    ];
    console.log(
      `| ${model.name} | ${tool.label} | ${aa.medianRuns} | ${five.medianRuns} | ${pct(aa.keepRate)} | ${pct(three.keepRate)} | ${pct(five.keepRate)} |`,
    );
  }
}
console.log(`\n(${((Date.now() - started) / 1000).toFixed(0)} s)`);
