import { InterruptedError } from "../errors.js";
import type { RunTarget } from "./observe.js";
import { runSample } from "./sample.js";
import type { Sample } from "./sample-types.js";

export interface CommandResult {
  ok: boolean;
  /** The reason and the tail of the output, for the ledger, the agent's retry and result.txt. */
  report: string;
  /** The tests wrote into another checkout (workspace/run-watch.ts): a rejection, not a retry. */
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
