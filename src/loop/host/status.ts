import { experimentFolderNote } from "../../agent/plan/brief.js";
import { verifyHistoryIfSettled } from "../../experiment/history.js";
import { openExperiment } from "../../experiment/open.js";
import { isRunning } from "../../experiment/run-lock.js";
import { openRepository } from "../../workspace/git.js";
import { type ExperimentStatus, experimentStatus } from "../status.js";
import { continueAdvice } from "../stop-advice.js";
import {
  type HostInterface,
  type HostStep,
  hostPosition,
  stepCommand,
  stopHint,
} from "./protocol.js";

export interface HostStatus extends ExperimentStatus {
  host: {
    /** The step the protocol expects now. */
    expected: HostStep;
    iteration: number;
    strategy: string | null;
    /** A killed step left something to recover; the next step does it. */
    interrupted: boolean;
    /** A stop condition that holds (expected is then `report`): no further iteration starts. */
    stop: string | null;
    nextHint: string;
    /** The experiment folder is the tool's, written between its commits: leave it alone. */
    note: string;
  };
}

/** `status` plus where host mode stands, read-only (nothing is recovered or changed). */
export async function hostStatus(options: {
  cwd: string;
  experiment?: string;
  via?: HostInterface;
}): Promise<HostStatus> {
  const repository = await openRepository(options.cwd);
  const opened = await openExperiment(repository.root, options.experiment);
  await verifyHistoryIfSettled(repository.root, repository.gitDir, opened);
  const { experiment, ledger } = opened;
  const status = experimentStatus(opened.name, experiment, ledger, {
    running: isRunning(repository.gitDir, opened.name),
  });
  const position = hostPosition(experiment, ledger);
  const via = options.via ?? "cli";
  const { stop } = position;
  const run = stepCommand(position.expected, via);
  const reported = ledger.entries.at(-1)?.type === "report-written";
  const hints: Record<HostStep, string> = {
    baseline: `lock the baseline with ${run}.`,
    next: `open iteration ${position.iteration} with ${run}.`,
    plan: `submit the plan of iteration ${position.iteration} with ${run}.`,
    evaluate: `make the edits of '${position.strategy}' and run ${run}.`,
    reflect: `record the reflexion of iteration ${position.iteration} with ${run}.`,
    report: reported
      ? `the experiment stopped (${stop}) and its final report is written. To go on deliberately: ${continueAdvice(stop ?? "", via)}.`
      : stopHint(stop ?? "", via),
  };
  return {
    ...status,
    host: {
      expected: position.expected,
      iteration: position.iteration,
      strategy: position.strategy,
      interrupted: position.interrupted,
      stop,
      note: experimentFolderNote(opened.path),
      nextHint: position.interrupted
        ? `a step was interrupted; the next step recovers first, then: ${hints[position.expected]}`
        : hints[position.expected],
    },
  };
}
