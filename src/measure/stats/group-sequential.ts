import { normalCdf, normalPdf, normalQuantile } from "./normal.js";

/**
 * Critical values for looking at the data several times (group-sequential design).
 *
 * Alpha is spent with the Lan–DeMets O'Brien–Fleming-type function α(t) = 2 − 2Φ(z_{1−α/2}/√t),
 * which keeps early looks strict (little alpha) and leaves nearly the full alpha for the last one.
 * The boundary at each look is solved exactly for the correlation between looks (the partial
 * sums of a random walk), by numerical integration of the density of the not-yet-stopped paths
 * (Armitage, McPherson & Rowe 1969), so crossing at any look has total probability α per side.
 */
export function obrienFlemingSpent(alpha: number, informationFraction: number): number {
  if (informationFraction <= 0) return 0;
  const z = normalQuantile(1 - alpha / 2);
  return 2 - 2 * normalCdf(z / Math.sqrt(informationFraction));
}

const GRID_POINTS_PER_SD = 24;
const GRID_SDS = 9;

/**
 * One-sided critical z-values for looks after `looks[k]` observations (increasing), so that
 * P(Z_k ≥ c_k at some look, not before | no effect) follows the spending function up to `alpha`.
 * `spending` is the alpha spent by each look's rounds, cumulative (O'Brien–Fleming over the last
 * look by default); any other planned in advance keeps the total at its last value.
 */
export function sequentialBoundaries(
  looks: readonly number[],
  alpha: number,
  spending: (rounds: number) => number = (rounds) =>
    obrienFlemingSpent(alpha, rounds / (looks[looks.length - 1] as number)),
): number[] {
  if (looks.length === 0) return [];
  const boundaries: number[] = [];
  // Density of S_k (sum of k standard normals) over the continuation region, on a grid.
  let grid: Float64Array = new Float64Array(0);
  let density: Float64Array = new Float64Array(0);
  let weights: Float64Array = new Float64Array(0);
  let previousInformation = 0;
  let previousSpent = 0;
  for (const [index, n] of looks.entries()) {
    const spent = spending(n);
    const increment = Math.max(spent - previousSpent, 1e-15);
    const step = n - previousInformation;
    const stepSd = Math.sqrt(step);
    const tailAbove = (b: number): number => {
      if (index === 0) return 1 - normalCdf(b / stepSd);
      let p = 0;
      for (let i = 0; i < grid.length; i++) {
        p +=
          (weights[i] as number) *
          (density[i] as number) *
          (1 - normalCdf((b - (grid[i] as number)) / stepSd));
      }
      return p;
    };
    const sd = Math.sqrt(n);
    let low = -2 * sd;
    let high = 12 * sd;
    for (let iteration = 0; iteration < 80; iteration++) {
      const mid = (low + high) / 2;
      if (tailAbove(mid) > increment) low = mid;
      else high = mid;
    }
    const boundarySum = (low + high) / 2;
    boundaries.push(boundarySum / sd);
    if (index < looks.length - 1) {
      const next = propagate(grid, density, weights, index === 0, stepSd, boundarySum, sd);
      grid = next.grid;
      density = next.density;
      weights = trapezoidWeights(grid);
    }
    previousInformation = n;
    previousSpent = spent;
  }
  return boundaries;
}

/** The density of S_k restricted to S_k < boundary, from the previous restricted density. */
function propagate(
  previousGrid: Float64Array,
  previousDensity: Float64Array,
  previousWeights: Float64Array,
  first: boolean,
  stepSd: number,
  boundarySum: number,
  sd: number,
): { grid: Float64Array; density: Float64Array } {
  const h = sd / GRID_POINTS_PER_SD;
  const low = -GRID_SDS * sd;
  const count = Math.max(2, Math.ceil((boundarySum - low) / h) + 1);
  // The last point sits exactly on the boundary; the one before may be closer than h.
  const grid = new Float64Array(count);
  const density = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const s = Math.min(low + i * h, boundarySum);
    grid[i] = s;
    if (first) {
      density[i] = normalPdf(s / stepSd) / stepSd;
      continue;
    }
    let value = 0;
    for (let j = 0; j < previousGrid.length; j++) {
      value +=
        (previousWeights[j] as number) *
        (previousDensity[j] as number) *
        (normalPdf((s - (previousGrid[j] as number)) / stepSd) / stepSd);
    }
    density[i] = value;
  }
  return { grid, density };
}

function trapezoidWeights(grid: Float64Array): Float64Array {
  const weights = new Float64Array(grid.length);
  for (let i = 0; i + 1 < grid.length; i++) {
    const half = ((grid[i + 1] as number) - (grid[i] as number)) / 2;
    weights[i] = (weights[i] as number) + half;
    weights[i + 1] = (weights[i + 1] as number) + half;
  }
  return weights;
}
