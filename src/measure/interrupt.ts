import { dieBySignal } from "./process-groups.js";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * Runs `work` with Ctrl-C (SIGINT) and SIGTERM turned into an abort signal instead of instant death,
 * so the work stops at its next step and its cleanup (worktrees, temporary files) runs. The
 * sampler kills a benchmark that is running at that moment. A second signal while the work is
 * still winding down ends the process at once.
 */
export async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) dieBySignal(signal);
    else controller.abort();
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  try {
    return await work(controller.signal);
  } finally {
    for (const s of SIGNALS) process.off(s, onSignal);
  }
}
