/**
 * Process groups of the samples that are running right now. Each sample runs detached (its own
 * group), so a Ctrl-C in the terminal reaches only our process, not the benchmark: we must kill
 * the groups ourselves, or they outlive the tool.
 */
const live = new Map<number, () => void>();
const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** Sends `signal` to every process of the group; false when the group is already gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Kills the group gently: SIGTERM, then SIGKILL once `graceMs` has passed with any member still
 * there. Resolves when the group is gone or has been sent SIGKILL.
 */
export async function terminateGroup(pgid: number, graceMs = 500): Promise<void> {
  if (!signalGroup(pgid, "SIGTERM")) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Unreaped zombies keep answering here; they are harmless and just cost the full grace.
    if (!signalGroup(pgid, 0)) return;
  }
  signalGroup(pgid, "SIGKILL");
}

/** Tracks a running group; `onInterrupt` runs if the run is interrupted before `unregisterGroup`. */
export function registerGroup(pgid: number, onInterrupt: () => void): void {
  live.set(pgid, onInterrupt);
  if (live.size === 1) for (const s of SIGNALS) process.on(s, onTerminationSignal);
}

export function unregisterGroup(pgid: number): void {
  if (!live.delete(pgid)) return;
  if (live.size === 0) for (const s of SIGNALS) process.off(s, onTerminationSignal);
}

/** Kills every running sample's group at once; each of those samples reports "interrupted". */
export function interruptActiveSamples(): void {
  for (const [pgid, onInterrupt] of live) {
    onInterrupt();
    signalGroup(pgid, "SIGKILL");
  }
}

function onTerminationSignal(signal: NodeJS.Signals): void {
  interruptActiveSamples();
  // If someone else listens, stopping the tool is their call; else the signal's default follows.
  if (process.listenerCount(signal) > 1) return;
  dieBySignal(signal);
}

/**
 * Ends the process as the signal would have without our listeners (exit status 128 + its number),
 * the running samples' groups killed first. Library code never calls process.exit: this is the
 * signal's own outcome, for a user who asked twice or a process nobody else stops.
 */
export function dieBySignal(signal: NodeJS.Signals): void {
  interruptActiveSamples();
  live.clear();
  for (const s of SIGNALS) process.removeAllListeners(s);
  process.kill(process.pid, signal);
}
