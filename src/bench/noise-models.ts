import type { Rng } from "../measure/stats/prng.js";

/**
 * Synthetic run-to-run noise for the decision-quality harness. A model makes, per trial, a
 * function from the position of a run in time (0 … totalRuns−1) to a multiplicative factor on the
 * true value, so effects that depend on when a run happens (drift, a neighbour) are modelled.
 */
export interface NoiseModel {
  name: string;
  trial(rng: Rng, totalRuns: number): (runIndex: number) => number;
}

function lognormal(rng: Rng, cv: number): number {
  const sigma = Math.sqrt(Math.log(1 + cv * cv));
  return Math.exp(sigma * rng.normal() - (sigma * sigma) / 2);
}

export const NOISE_MODELS: NoiseModel[] = [
  ...[0.02, 0.05, 0.1].map(
    (cv): NoiseModel => ({
      name: `lognormal CV ${cv * 100}%`,
      trial: (rng) => () => lognormal(rng, cv),
    }),
  ),
  {
    name: "CV 2% + 2% outliers at 1.5–3×",
    trial: (rng) => () => lognormal(rng, 0.02) * (rng.next() < 0.02 ? 1.5 + 1.5 * rng.next() : 1),
  },
  {
    name: "CV 2% + linear drift 10% over the run",
    trial: (rng, totalRuns) => (run) => lognormal(rng, 0.02) * (1 + (0.1 * run) / totalRuns),
  },
  {
    name: "CV 2%, then a neighbour from mid-run (+25%, CV 6%)",
    trial: (rng, totalRuns) => {
      const start = Math.floor(totalRuns * (0.25 + 0.5 * rng.next()));
      return (run) => (run < start ? lognormal(rng, 0.02) : 1.25 * lognormal(rng, 0.06));
    },
  },
  {
    name: "bimodal: CV 2%, half the runs 10% slower",
    trial: (rng) => () => lognormal(rng, 0.02) * (rng.next() < 0.5 ? 1.1 : 1),
  },
];
