import type { IterationDecision } from "../../experiment/events.js";
import { initialKnobValues, sameKnobValue } from "../../experiment/knobs.js";
import type { Knob, KnobValue } from "../../experiment/schema.js";
import {
  type Assignment,
  assignmentKey,
  type KnobChange,
  parseStrategy,
  validValues,
} from "./assignment.js";
import { isNumeric, stepLadder, stepValue, switchValues } from "./moves.js";

/**
 * Coordinate descent with step refinement, as a pure function of the declarations and the
 * history (earlier iterations' strategies and decisions, plus the current best's knob values), so
 * a fresh process resumes exactly where a killed one stopped.
 *
 * Replay rule: the search starts at the knobs' initial values. Each earlier strategy `NAME=value`
 * is the trial of the then-current best with that one knob changed; a `keep` makes it the current
 * best. Strategies that are not `NAME=value` of a declared knob (another agent's) are skipped.
 * Finally, the values in the current best's record override the replayed ones (they are the
 * program's word on what the best runs with; file knobs are not in it and stay replayed).
 *
 * Moves: knobs are visited in declaration order, starting after the knob of the last keep.
 * A numeric knob tries `current ± step` (the direction of its last keep first, else up), where the
 * step comes from its ladder (about range/4, halving down to 1 for integers or range/64 for
 * floats), clamped to [min, max]. A knob starts at the ladder level where it last moved and goes
 * down a level when both directions at that level are tried — steps only shrink. An enum tries
 * each other value, a bool the other value. A candidate whose full assignment was already tried
 * (or is the current best) is never proposed. A knob with no untried candidate is converged at
 * the current best, and the next knob gets its turn; when every knob is converged, the search is
 * done. After a keep, the next knob gets its turn; the knobs before it are re-opened because the
 * best changed (their candidates are new assignments).
 */

export interface Trial {
  iteration: number;
  strategy: string;
  decision: IterationDecision;
  change: KnobChange;
  /** The best the trial changed one knob of. */
  base: Assignment;
  assignment: Assignment;
}

export interface SearchState {
  knobs: readonly Knob[];
  current: Assignment;
  /** Keys of every assignment tried, the initial one and the current best included. */
  tried: Set<string>;
  trials: Trial[];
  /** Ladder level each numeric knob starts at (0 = the largest step). */
  level: Record<string, number>;
  /** Direction each numeric knob tries first: that of its last keep. */
  direction: Record<string, 1 | -1>;
  /** Index of the knob whose turn it is when its candidates are not exhausted. */
  turn: number;
}

export interface Move {
  knob: string;
  from: KnobValue;
  to: KnobValue;
  kind: "up" | "down" | "switch";
  /** Step size and its ladder level for numeric knobs. */
  step: number | null;
  level: number | null;
  ladder: number[];
  assignment: Assignment;
}

export interface HistoryEntry {
  iteration: number;
  strategy: string;
  decision: IterationDecision;
}

export function replay(
  knobs: readonly Knob[],
  history: readonly HistoryEntry[],
  bestKnobs: Readonly<Record<string, KnobValue>>,
): SearchState {
  const state: SearchState = {
    knobs,
    current: initialKnobValues(knobs),
    tried: new Set(),
    trials: [],
    level: Object.fromEntries(knobs.filter(isNumeric).map((k) => [k.name, 0])),
    direction: Object.fromEntries(knobs.filter(isNumeric).map((k) => [k.name, 1])),
    turn: 0,
  };
  state.tried.add(assignmentKey(knobs, state.current));
  const ordered = [...history].sort((a, b) => a.iteration - b.iteration);
  for (const entry of ordered) {
    const change = parseStrategy(knobs, entry.strategy);
    if (!change) continue;
    const base = { ...state.current };
    const assignment = { ...base, [change.knob]: change.value };
    state.trials.push({ ...entry, change, base, assignment });
    state.tried.add(assignmentKey(knobs, assignment));
    const knob = knobs.find((k) => k.name === change.knob) as Knob;
    const from = base[change.knob] as KnobValue;
    if (isNumeric(knob)) noteLevel(state, knob, from as number, change.value as number);
    if (entry.decision === "keep" && !sameKnobValue(from, change.value)) {
      state.current = assignment;
      if (isNumeric(knob))
        state.direction[knob.name] = (change.value as number) > (from as number) ? 1 : -1;
      state.turn = (knobs.indexOf(knob) + 1) % knobs.length;
    }
  }
  const recorded = validValues(knobs, bestKnobs);
  for (const [name, value] of Object.entries(recorded)) {
    if (!sameKnobValue(value, state.current[name] as KnobValue)) state.current[name] = value;
  }
  state.tried.add(assignmentKey(knobs, state.current));
  return state;
}

/** The knob starts its next turn at the ladder level of this trial, when one produced it. */
function noteLevel(state: SearchState, knob: Knob, from: number, to: number): void {
  const ladder = stepLadder(knob.domain);
  for (let level = state.level[knob.name] ?? 0; level < ladder.length; level++) {
    const step = ladder[level] as number;
    if (
      stepValue(knob.domain, from, 1, step) === to ||
      stepValue(knob.domain, from, -1, step) === to
    ) {
      state.level[knob.name] = level;
      return;
    }
  }
}

/** The first untried candidate of one knob at the current best, or null when it has converged. */
export function knobMove(state: SearchState, knob: Knob): Move | null {
  const from = state.current[knob.name] as KnobValue;
  const untried = (to: KnobValue): Assignment | null => {
    if (sameKnobValue(to, from)) return null;
    const assignment = { ...state.current, [knob.name]: to };
    return state.tried.has(assignmentKey(state.knobs, assignment)) ? null : assignment;
  };
  if (!isNumeric(knob)) {
    for (const to of switchValues(knob.domain, from)) {
      const assignment = untried(to);
      if (assignment) {
        return {
          knob: knob.name,
          from,
          to,
          kind: "switch",
          step: null,
          level: null,
          ladder: [],
          assignment,
        };
      }
    }
    return null;
  }
  const ladder = stepLadder(knob.domain);
  const first = state.direction[knob.name] ?? 1;
  for (let level = state.level[knob.name] ?? 0; level < ladder.length; level++) {
    const step = ladder[level] as number;
    for (const direction of [first, -first as 1 | -1]) {
      const to = stepValue(knob.domain, from as number, direction, step);
      const assignment = untried(to);
      if (assignment) {
        const kind = direction === 1 ? "up" : "down";
        return { knob: knob.name, from, to, kind, step, level, ladder, assignment };
      }
    }
  }
  return null;
}

/** The next trial: the knob in turn, or the next one with an untried candidate; null when done. */
export function nextMove(state: SearchState): Move | null {
  const n = state.knobs.length;
  for (let i = 0; i < n; i++) {
    const knob = state.knobs[(state.turn + i) % n] as Knob;
    const move = knobMove(state, knob);
    if (move) return move;
  }
  return null;
}

/** Knobs with no untried candidate at the current best, in declaration order. */
export function convergedKnobs(state: SearchState): string[] {
  return state.knobs.filter((k) => knobMove(state, k) === null).map((k) => k.name);
}
