import type { RunTarget } from "../measure/observe.js";
import { runSample } from "../measure/sample.js";

export interface CommandResult {
  ok: boolean;
  /** The reason and the tail of the output, for the ledger, the agent's retry and result.txt. */
  report: string;
}

/** Runs a build or test command once in a checkout; its failure is a result, not an error. */
export async function runCheckCommand(
  label: string,
  command: string,
  target: RunTarget,
  timeoutMs: number,
): Promise<CommandResult> {
  const full = target.args ? `${command} ${target.args}` : command;
  const sample = await runSample({ command: full, cwd: target.cwd, env: target.env, timeoutMs });
  if (sample.ok) return { ok: true, report: "" };
  const tail = (text: string) => text.trimEnd().split("\n").slice(-40).join("\n");
  const output = [tail(sample.stdout), tail(sample.stderr)].filter(Boolean).join("\n");
  return {
    ok: false,
    report: `${label} '${full}' ${sample.failure?.message ?? "failed"}${output ? `\n--- output (tail) ---\n${output}` : ""}`,
  };
}
