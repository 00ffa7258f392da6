import type { Experiment } from "../../experiment/schema.js";

/** The hot spots of the current best running the benchmark (a text table), or null. */
export type HostProfiler = (experiment: Experiment, bestWorktree: string) => Promise<string | null>;

/**
 * The profiler host mode hands to `step next`, when this build has one (src/profile/snapshot.ts,
 * exporting `profileSnapshot(experiment, worktree)`); without it briefs come without hot spots.
 */
export async function loadProfiler(): Promise<HostProfiler | undefined> {
  const specifier: string = "../../profile/snapshot.js";
  try {
    const module = (await import(specifier)) as { profileSnapshot?: unknown };
    return typeof module.profileSnapshot === "function"
      ? (module.profileSnapshot as HostProfiler)
      : undefined;
  } catch {
    return undefined;
  }
}
