import { AutoOptimizeError, InterruptedError } from "../../errors.js";
import { outputTooLarge, runBehaviourCheck } from "../../experiment/check-command.js";
import { knobRunTarget } from "../../experiment/knobs.js";
import type { KnobValue } from "../../experiment/schema.js";
import { outputTail } from "../../measure/check-run.js";
import { diffHead } from "../../measure/output-diff.js";
import type { Sample } from "../../measure/sample-types.js";
import { git } from "../../workspace/git.js";
import type { GuardContext, GuardRejection, PreMeasureGuard } from "../guards.js";

/**
 * The best's check output by commit and knobs. Every kept candidate printed what the best before
 * it printed, so within one process the best's output is read once per best.
 */
const bestOutputs = new Map<string, string>();

/**
 * The behaviour check (`commands.check`): run in the best's checkout and in the candidate's, each
 * with its knobs, its stdout must be byte-identical. A candidate printing something else — or
 * whose check fails — computes something else, whatever it gains on the metric.
 */
export const checkCommandGuard: PreMeasureGuard = async (context) => {
  const command = context.experiment.commands.check;
  if (!command) return null;
  context.onStep("running the behaviour check");
  const expected = await bestOutput(context, command);
  const candidate = await runIn(context, command, context.candidate, "B");
  const rejected = (what: string): GuardRejection => ({
    guard: "behaviour-changed",
    reason: `behaviour-changed: the check command '${command}' ${what}`,
  });
  if (!candidate.ok) {
    return rejected(`fails on the candidate: ${failureOf(candidate)}${outputTail(candidate)}`);
  }
  const difference = diffHead(expected, candidate.stdout, {
    expected: "best",
    actual: "candidate",
  });
  if (!difference) return null;
  const cut = candidate.stdoutTruncated ? ` (${outputTooLarge(candidate)})` : "";
  return rejected(`prints something else on the candidate${cut}: ${difference}`);
};

async function bestOutput(context: GuardContext, command: string): Promise<string> {
  const commit = await git(["rev-parse", "HEAD"], context.best.path);
  const key = JSON.stringify([
    commit,
    command,
    knobRunTarget(context.experiment.knobs, context.best.knobs),
  ]);
  const cached = bestOutputs.get(key);
  if (cached !== undefined) return cached;
  const sample = await runIn(context, command, context.best, "A");
  const problem = sample.ok ? outputTooLarge(sample) : failureOf(sample);
  if (problem) {
    throw new AutoOptimizeError(
      "best-check-failed",
      `the check command '${command}' fails on the current best (${commit.slice(0, 12)}), where it passed before: ${problem}${outputTail(sample)}\nThe best's code and the check's files are committed and protected, so what changed is outside them (the environment, files it reads outside the repository, a time limit): fix that, then run again.`,
    );
  }
  bestOutputs.set(key, sample.stdout);
  return sample.stdout;
}

async function runIn(
  context: GuardContext,
  command: string,
  side: { path: string; knobs: Record<string, KnobValue> },
  which: "A" | "B",
): Promise<Sample> {
  const { runs } = context;
  const target = {
    cwd: side.path,
    ...knobRunTarget(context.experiment.knobs, side.knobs),
    ...(runs && { isolation: which === "A" ? runs.best : runs.candidate }),
  };
  const timeoutMs = context.experiment.measurement.timeoutSeconds * 1000;
  const sample = await runBehaviourCheck(command, target, timeoutMs);
  await runs?.watch.afterRun(which, "behaviour check", true);
  // Killed by Ctrl-C: not the candidate's failure; the evaluation stops as for the tests.
  if (sample.failure?.kind === "interrupted") throw new InterruptedError();
  return sample;
}

function failureOf(sample: Sample): string {
  return sample.failure?.message ?? "failed";
}
