import { InterruptedError } from "../errors.js";
import { knobRunTarget } from "../experiment/knobs.js";
import type { Ledger } from "../experiment/ledger.js";
import type { Experiment, KnobValue } from "../experiment/schema.js";
import type { RunTarget } from "../measure/observe.js";
import { runSample } from "../measure/sample.js";
import type { Sample } from "../measure/sample-types.js";
import type { EvaluationRuns } from "./evaluation-runs.js";
import { faultPoint } from "./fault.js";
import { CandidateWroteOutside } from "./run-watch.js";

export interface CommandResult {
  ok: boolean;
  /** The reason and the tail of the output, for the ledger, the agent's retry and result.txt. */
  report: string;
  /** The tests wrote into another checkout (run-watch.ts): a rejection, not a retry. */
  wroteOutside?: boolean;
}

/**
 * Runs a build or test command once in a checkout; its failure is a result, not an error, unless
 * Ctrl-C killed it.
 */
export async function runCheckCommand(
  label: string,
  command: string,
  target: RunTarget,
  timeoutMs: number,
): Promise<CommandResult> {
  const full = target.args ? `${command} ${target.args}` : command;
  const sample = await runSample({
    command: full,
    cwd: target.cwd,
    env: target.env,
    isolation: target.isolation,
    timeoutMs,
  });
  if (sample.ok) return { ok: true, report: "" };
  // Killed by Ctrl-C: not a failure of the candidate, and no attempt is spent on it.
  if (sample.failure?.kind === "interrupted") throw new InterruptedError();
  return {
    ok: false,
    report: `${label} '${full}' ${sample.failure?.message ?? "failed"}${outputTail(sample)}`,
  };
}

/** The last lines of a failed run's stdout and stderr under a heading, or "" when it printed nothing. */
export function outputTail(sample: Sample): string {
  const tail = (text: string) => text.trimEnd().split("\n").slice(-40).join("\n");
  const output = [tail(sample.stdout), tail(sample.stderr)].filter(Boolean).join("\n");
  return output ? `\n--- output (tail) ---\n${output}` : "";
}

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
}): Promise<CommandResult> {
  const { experiment, cwd, ledger, iteration, attempt, runs } = input;
  const timeoutMs = experiment.measurement.timeoutSeconds * 1000;
  let result: CommandResult = { ok: true, report: "" };
  if (experiment.commands.build) {
    input.onStep("building");
    result = await runCheckCommand("the build", experiment.commands.build, { cwd }, timeoutMs);
  }
  if (result.ok) {
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
