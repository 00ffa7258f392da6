import type { Verdict } from "./decision.js";
import type { Better } from "./metrics/types.js";
import { median } from "./stats/robust.js";

/** A counter's values over the rounds, paired: a[i] and b[i] were measured in round i. */
export interface CounterSeries {
  name: string;
  better: Better;
  a: readonly number[];
  b: readonly number[];
}

/** A secondary counter compared exactly: any difference of the medians decides. */
export interface CounterDecision {
  name: string;
  better: Better;
  medianA: number;
  medianB: number;
  verdict: Extract<Verdict, "improved" | "regressed" | "no-change">;
}

/**
 * Secondary counters (go's B/op and allocs/op, or a metric the reference's first run printed as 0)
 * are not compared as ratios, which zero has none of: their medians are compared exactly, so
 * 0 → 0 is unchanged and 0 → 1 a regression. Allocation counts of the same code do not vary, so
 * no interval is needed.
 */
export function compareCounters(counters: readonly CounterSeries[]): CounterDecision[] {
  return counters.map(({ name, better, a, b }) => {
    const [medianA, medianB] = [median(a), median(b)];
    const gained = better === "lower" ? medianA - medianB : medianB - medianA;
    const verdict = gained > 0 ? "improved" : gained < 0 ? "regressed" : "no-change";
    return { name, better, medianA, medianB, verdict };
  });
}

/** Why a regressed counter vetoes the comparison, with both medians. */
export function counterVeto(counter: CounterDecision): string {
  return `counter ${counter.name} regressed: median ${counter.medianA} → ${counter.medianB}`;
}
