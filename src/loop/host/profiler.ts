/** What `step next` profiles: the benchmark run in the current best's worktree. */
export interface ProfileTarget {
  cwd: string;
  /** The benchmark command, with the best's knob arguments. */
  command: string;
  env: Record<string, string>;
  /** Where profile-snapshot.txt and profile.speedscope.json are written. */
  outDir: string;
  timeoutMs: number;
  log: (message: string) => void;
}

/** Profiles the target and returns the hot-spot table, or null when no profile could be made. */
export type HostProfiler = (target: ProfileTarget) => Promise<string | null>;

/** The contract of src/profile/snapshot.ts that host mode relies on. */
interface SnapshotModule {
  profileSnapshot?: (input: ProfileTarget) => Promise<{ table: string } | null>;
}

/**
 * The profiler of this build (src/profile/snapshot.ts), or undefined in a build without one:
 * briefs then come without hot spots. Loaded on demand so that host mode never depends on it.
 */
export async function loadProfiler(): Promise<HostProfiler | undefined> {
  const specifier: string = "../../profile/snapshot.js";
  let module: SnapshotModule;
  try {
    module = (await import(specifier)) as SnapshotModule;
  } catch {
    return undefined;
  }
  const snapshot = module.profileSnapshot;
  if (typeof snapshot !== "function") return undefined;
  return async (target) => (await snapshot(target))?.table ?? null;
}
