import { UsageError } from "../errors.js";
import {
  findDifference,
  type InvariantOptions,
  learnInvariants,
  type OutputDifference,
  type OutputInvariants,
  type OutputRun,
} from "./output-invariants.js";

/** Whether the candidate's runs print what the reference's runs print invariably. */
export interface BehaviourCheck {
  changed: boolean;
  /** The first candidate run's first difference, when one differs. */
  firstDifference: OutputDifference | null;
  /** Runs of the reference the invariants were learned from (baseline runs included). */
  learnedFrom: number;
  /** Candidate runs checked: none when fewer than two reference runs were there to learn from. */
  checked: number;
}

/**
 * Learns the invariants from the reference's runs (continuing `from`, learned from earlier runs of
 * the same code) and checks every candidate run against them; the first run that differs decides.
 */
export function checkBehaviour(
  reference: readonly OutputRun[],
  candidate: readonly OutputRun[],
  options: InvariantOptions & {
    from?: OutputInvariants;
    substitutions?: readonly (readonly [string, string])[];
  },
): BehaviourCheck {
  const invariants = learnInvariants(reference, options, options.from);
  const learnedFrom = invariants?.runs ?? 0;
  if (!invariants || learnedFrom < 2) {
    return { changed: false, firstDifference: null, learnedFrom, checked: 0 };
  }
  for (const run of candidate) {
    const difference = findDifference(invariants, run, options, options.substitutions);
    if (difference)
      return { changed: true, firstDifference: difference, learnedFrom, checked: candidate.length };
  }
  return { changed: false, firstDifference: null, learnedFrom, checked: candidate.length };
}

/** The `--volatile` patterns compiled; one that is not a regular expression is a usage error. */
export function volatilePatterns(sources: readonly string[]): RegExp[] {
  return sources.map((source) => {
    try {
      return new RegExp(source, "g");
    } catch (error) {
      throw new UsageError(
        "bad-volatile-pattern",
        `--volatile '${source}' is not a regular expression (${(error as Error).message}): give a JavaScript regular expression matching the varying part of a line, e.g. 'took \\d+ ms' or '^seed=.*'`,
      );
    }
  });
}
