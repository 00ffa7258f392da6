/**
 * Runs `work` with Ctrl-C (SIGINT) and SIGTERM turned into an abort signal instead of instant death,
 * so the work stops at its next step and its cleanup (worktrees, temporary files) runs. The
 * sampler kills a benchmark that is running at that moment.
 */
export async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
