import { fractionToGain, gainToFraction } from "../measure/gain.js";
import type { Better } from "../measure/metrics/types.js";
import type { FinishedIteration } from "./state.js";

/** One iteration placed on the chain of kept comparisons (improvements as fractions, + = better). */
export interface ChainLink {
  iteration: number;
  /** The best of its time relative to the baseline: the kept ratios before it, multiplied. */
  bestBefore: number;
  /** Its own comparison's estimate carried onto the chain; null when it was not measured. */
  vsBaseline: number | null;
}

export interface Chain {
  links: ChainLink[];
  /** The best relative to the baseline: every kept iteration's ratio, multiplied. */
  compounded: number;
  kept: number;
}

/**
 * Each iteration was measured against the best of its time, never against the baseline: its
 * improvement over the baseline is its own ratio times the ratios of the kept iterations before
 * it (log gains add). Medians of different comparisons are never compared, so a baseline locked
 * under lighter load cannot make a kept gain look like a loss.
 */
export function chainIterations(finished: readonly FinishedIteration[], better: Better): Chain {
  let chain = 0;
  let kept = 0;
  const links: ChainLink[] = [];
  for (const it of finished) {
    const own = it.improvement === null ? null : fractionToGain(it.improvement, better);
    const measured = own !== null && Number.isFinite(own);
    links.push({
      iteration: it.iteration,
      bestBefore: gainToFraction(chain, better),
      vsBaseline: measured ? gainToFraction(chain + own, better) : null,
    });
    if (it.decision === "keep" && measured) {
      chain += own;
      kept++;
    }
  }
  return { links, compounded: gainToFraction(chain, better), kept };
}
