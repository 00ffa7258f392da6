import {
  overallDirection,
  overallGainsPerRound,
  type PairedSeries,
  scenarioGains,
} from "./decision.js";
import { gainToFraction } from "./gain.js";
import type { InterleavedEvent } from "./interleaved.js";
import { hodgesLehmann } from "./stats/hodges-lehmann.js";

/**
 * The overall improvement of B over A from the rounds so far, as the decision states it (a
 * fraction, + = better): a point estimate only, for progress — the verdict comes from the looks.
 */
export function currentEstimate(scenarios: readonly PairedSeries[]): number {
  const gains = overallGainsPerRound(scenarioGains(scenarios));
  if (gains.length === 0) return 0;
  return gainToFraction(hodgesLehmann(gains), overallDirection(scenarios));
}

const signed = (x: number): string => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}%`;

/**
 * The comparison's progress as text, for a terminal line, stderr and MCP notifications:
 * `round 12 of at most 40 · current estimate +12.3%` after each round, and at each look
 * `look after 15 of at most 40 rounds: +12.3% [+5.1%, +19.0%], not settled`. Past `maxRounds`
 * (a promising comparison extended to `extendTo`) the bound is the extension's.
 */
export function roundProgress(
  maxRounds: number,
  emit: (text: string) => void,
  extendTo?: number,
): (event: InterleavedEvent) => void {
  const most = (round: number) =>
    extendTo !== undefined && round > maxRounds ? `${extendTo} (extended)` : `${maxRounds}`;
  return (event) => {
    if (event.kind === "round-done")
      emit(
        `round ${event.round} of at most ${most(event.round)} · current estimate ${signed(event.estimate)}`,
      );
    if (event.kind === "look") {
      const { overall, settled, verdict } = event.decision;
      emit(
        `look after ${event.rounds} of at most ${most(event.rounds)} rounds: ${signed(overall.estimate)} [${signed(overall.low)}, ${signed(overall.high)}], ${settled ? `settled: ${verdict}` : "not settled"}`,
      );
    }
  };
}

const ROUND = /\bround (\d+) of at most \d+( \(extended\))?/;
const LOOK = /\blook after \d+ of at most \d+( \(extended\))? rounds/;

/** Whether a text is a comparison's progress (a round or a look) from `roundProgress`. */
export function isRound(text: string): boolean {
  return ROUND.test(text) || LOOK.test(text);
}

/**
 * Whether a progress text deserves a line of its own where lines are not rewritten in place (a
 * pipe, a log): every look, and the first and every fifth round. Other texts always do.
 */
export function worthALine(text: string): boolean {
  const round = ROUND.exec(text);
  if (!round) return true;
  const k = Number(round[1]);
  return k === 1 || k % 5 === 0;
}
