import type { RunTarget } from "../measure/observe.js";
import { runSample } from "../measure/sample.js";
import type { Sample } from "../measure/sample-types.js";

/** Most stdout a behaviour check may print: it is compared whole, so it is read whole. */
export const CHECK_OUTPUT_LIMIT = 16 * 1024 * 1024;

/** One run of the behaviour check command in a checkout, with the knobs' environment and arguments. */
export function runBehaviourCheck(
  command: string,
  target: RunTarget,
  timeoutMs: number,
): Promise<Sample> {
  return runSample({
    command: target.args ? `${command} ${target.args}` : command,
    cwd: target.cwd,
    env: target.env,
    isolation: target.isolation,
    timeoutMs,
    maxOutputBytes: CHECK_OUTPUT_LIMIT,
  });
}

/** Why a check's output cannot be compared whole, or null when it can. */
export function outputTooLarge(sample: Sample): string | null {
  if (!sample.stdoutTruncated) return null;
  return `it printed more than ${CHECK_OUTPUT_LIMIT / (1024 * 1024)} MiB on stdout, which cannot be compared whole: print a digest per case (a hash or a count) instead of the full results`;
}
