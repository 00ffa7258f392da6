import type { CpuPinning } from "./cpu-pinning.js";
import type { ContentionSummary } from "./interleaved.js";

/**
 * One line on what the machine's other processes did during a comparison, for `compare` and the
 * iteration's summary: "machine load: other processes kept more than 0.5 cores busy in 3 of 20
 * rounds (median 0.12 cores), 3 rounds run again; runs pinned to CPU 1".
 */
export function loadLine(load: {
  contention?: ContentionSummary;
  pinning?: CpuPinning;
  extended?: boolean;
}): string | null {
  const parts: string[] = [];
  const c = load.contention;
  if (c && c.measuredRounds > 0) {
    const rerun = c.reruns > 0 ? `, ${c.reruns} rounds run again` : "";
    parts.push(
      `other processes kept more than ${c.thresholdCores} cores busy in ${c.contendedRounds} of ${c.measuredRounds} rounds (median ${c.medianOtherCores.toFixed(2)} cores)${rerun}`,
    );
  }
  if (load.pinning) {
    parts.push(load.pinning.pinned ? `runs pinned to CPU ${load.pinning.cpus}` : load.pinning.note);
  }
  if (load.extended) parts.push("extended past max rounds: it was promising");
  return parts.length > 0 ? `machine load: ${parts.join("; ")}` : null;
}
