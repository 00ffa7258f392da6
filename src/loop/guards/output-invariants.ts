import { invariantOptions, readBaselineInvariants } from "../../experiment/baseline-invariants.js";
import type { KnobValue } from "../../experiment/schema.js";
import { checkBehaviour } from "../../measure/behaviour-check.js";
import { formatDifference } from "../../measure/output-invariants.js";
import { git } from "../../workspace/git.js";
import type { MeasuredGuard } from "../guards.js";

/**
 * Rejects a candidate whose benchmark output differs from the best's in what the best's runs
 * print invariably (a result's digest, a count): it computes something else, whatever it gained.
 * The invariants are learned from the best's runs in this comparison, warm-up included, and, while
 * the best is the baseline's code, from the baseline's runs as well.
 */
export const outputInvariantsGuard: MeasuredGuard = async (context, measured) => {
  const baseline = readBaselineInvariants(context.dir);
  const bestCommit = await git(["rev-parse", "HEAD"], context.best.path);
  const check = checkBehaviour(
    [measured.warmups.a, ...measured.rounds.map((round) => round.a)],
    [measured.warmups.b, ...measured.rounds.map((round) => round.b)],
    {
      ...invariantOptions(context.experiment),
      from: baseline?.commit === bestCommit ? baseline.invariants : undefined,
      substitutions: knobSubstitutions(context.best.knobs, context.candidate.knobs),
    },
  );
  if (!check.firstDifference) return null;
  return {
    guard: "behaviour-changed",
    reason: `behaviour-changed: the benchmark's output differs from the best's in a line that never varies between the best's runs: ${formatDifference(check.firstDifference)}`,
  };
};

/** A knob the candidate runs with another value of may show in the output as that value. */
function knobSubstitutions(
  best: Record<string, KnobValue>,
  candidate: Record<string, KnobValue>,
): [string, string][] {
  return Object.entries(candidate)
    .filter(([name, value]) => name in best && best[name] !== value)
    .map(([name, value]) => [String(best[name]), String(value)]);
}
