import { knobRunTarget } from "../experiment/knobs.js";
import type { Ledger } from "../experiment/ledger.js";
import type { Experiment, KnobValue } from "../experiment/schema.js";
import { type CommandResult, runCheckCommand } from "../measure/check-run.js";
import type { QueueClient } from "../queue/client.js";
import { CandidateWroteOutside } from "../workspace/run-watch.js";
import type { EvaluationRuns } from "./evaluation-runs.js";
import { faultPoint } from "./fault.js";

/**
 * A candidate's build (when the experiment has one) then its tests, with the knobs it runs with;
 * the attempt is recorded in the ledger as `tested`.
 */
export async function buildAndTest(input: {
  experiment: Experiment;
  cwd: string;
  knobs: Record<string, KnobValue>;
  ledger: Ledger;
  iteration: number;
  attempt: number;
  onStep: (step: string) => void;
  /** The evaluation's isolated runs: the tests run isolated, and what they write is checked. */
  runs?: EvaluationRuns;
  /** Built and tested by a worker of the queue instead (the snapshot's commit), isolated there. */
  remote?: { client: QueueClient; commit: string };
}): Promise<CommandResult> {
  const { experiment, cwd, ledger, iteration, attempt, runs, remote } = input;
  const timeoutMs = experiment.measurement.timeoutSeconds * 1000;
  let result: CommandResult = { ok: true, report: "" };
  if (remote) {
    input.onStep("building and testing on the queue");
    result = await remote.client.buildAndTest({ commit: remote.commit, knobs: input.knobs }, true);
    // The behaviour check still runs here, on a built candidate.
    if (result.ok && experiment.commands.check && experiment.commands.build) {
      result = await runCheckCommand("the build", experiment.commands.build, { cwd }, timeoutMs);
      await runs?.watch.reference("B");
    }
  } else if (experiment.commands.build) {
    input.onStep("building");
    result = await runCheckCommand("the build", experiment.commands.build, { cwd }, timeoutMs);
  }
  if (result.ok && !remote) {
    // What the build produced is part of the checkout's reference; what the tests add is not.
    await runs?.watch.reference("B");
    input.onStep("testing");
    const target = {
      cwd,
      ...knobRunTarget(experiment.knobs, input.knobs),
      ...(runs && { isolation: runs.candidate }),
    };
    result = await runCheckCommand("the tests", experiment.commands.test, target, timeoutMs);
    result = (await wroteOutside(runs, "tests")) ?? result;
  }
  ledger.append({
    type: "tested",
    iteration,
    attempt,
    ok: result.ok,
    ...(result.ok ? {} : { failure: result.report }),
  });
  faultPoint("after-test", iteration);
  return result;
}

/** The candidate's run of `what` wrote into another checkout: its rejection, or null. */
export async function wroteOutside(
  runs: EvaluationRuns | undefined,
  what: string,
): Promise<CommandResult | null> {
  try {
    await runs?.watch.afterRun("B", what, true);
    return null;
  } catch (error) {
    if (!(error instanceof CandidateWroteOutside)) throw error;
    return { ok: false, report: error.message, wroteOutside: true };
  }
}

/** Why an iteration ended as test-failed after `attempts` failed builds or test runs. */
export function testFailedReason(attempts: number, report: string): string {
  return `build or tests failed ${attempts} time${attempts === 1 ? "" : "s"}; last: ${report.split("\n")[0]}`;
}
