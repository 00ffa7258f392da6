import type { LedgerEntry } from "../experiment/events.js";
import type { Experiment } from "../experiment/schema.js";
import type { LoopState } from "../experiment/state.js";
import { HOST_AGENT } from "./host/protocol.js";
import { continueAdvice, type Driver } from "./stop-advice.js";
import { stopReason } from "./stop-reason.js";

/** Host mode (either interface) when the last run was the host's, else the autonomous loop. */
function driverOf(entries: readonly LedgerEntry[]): Driver {
  const run = entries.filter((e) => e.type === "run-started").at(-1);
  return run?.type === "run-started" && run.agent === HOST_AGENT ? "host" : "run";
}

/**
 * The report's line on going on: the stop condition that holds and how to go on deliberately, or
 * the iterations left and the command that continues, in the words of the mode that drove it.
 */
export function continuationLine(
  experiment: Experiment,
  state: LoopState,
  entries: readonly LedgerEntry[],
): string | null {
  const driver = driverOf(entries);
  const stop = stopReason(experiment, state);
  if (stop) {
    return `- No further iteration starts: ${stop}. To go on deliberately: ${continueAdvice(stop, driver)}.`;
  }
  const left = experiment.iterations - state.finished.length;
  if (left <= 0) return null;
  const command =
    driver === "run"
      ? "`auto-optimize run`"
      : "`auto-optimize step next` (over MCP: the next_iteration tool)";
  return `- ${left} of ${experiment.iterations} budgeted iterations are left: ${command} continues from the ledger.`;
}
