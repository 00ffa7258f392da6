import { join } from "node:path";
import { AutoOptimizeError, InterruptedError } from "../errors.js";
import { refuseUntrackedCommandFiles } from "../workspace/command-paths.js";
import { openRepository, resolveCommit } from "../workspace/git.js";
import { WorktreeSet } from "../workspace/worktrees.js";
import {
  compareInterleaved,
  type InterleavedOptions,
  type InterleavedResult,
} from "./interleaved.js";
import { withInterrupt } from "./interrupt.js";
import type { RunTarget } from "./observe.js";
import type { RunIsolation } from "./run-isolation.js";
import { runSample } from "./sample.js";

/** What an arm runs with besides its checkout: the environment and arguments of env/arg knobs. */
export type ArmSettings = Omit<RunTarget, "cwd">;

export interface RevisionsOptions extends InterleavedOptions {
  cwd: string;
  build?: string;
  buildTimeoutMs: number;
  onBuild?: (arm: "A" | "B") => void;
  /** Per-arm environment and arguments for the benchmark (not the build); none by default. */
  arms?: { a?: ArmSettings; b?: ArmSettings };
  /** Each arm's runs isolated, its own worktree the one folder of the repository it may write. */
  isolation?: Omit<RunIsolation, "writable">;
}

export interface ResolvedRevision {
  revision: string;
  commit: string;
}

export interface RevisionsResult extends InterleavedResult {
  a: ResolvedRevision;
  b: ResolvedRevision;
}

/**
 * `compare` on two revisions: each is checked out into its own detached worktree under
 * .git/auto-optimize/, built once, and measured interleaved. The user's working tree and branch are
 * never touched, and the worktrees are removed afterwards, also on failure or Ctrl-C.
 */
export async function compareRevisions(
  revisionA: string,
  revisionB: string,
  options: RevisionsOptions,
): Promise<RevisionsResult> {
  const repository = await openRepository(options.cwd);
  const a = { revision: revisionA, commit: await resolveCommit(repository, revisionA) };
  const b = { revision: revisionB, commit: await resolveCommit(repository, revisionB) };
  return withInterrupt(async (signal) => {
    const stopped = () => {
      if (signal.aborted) throw new InterruptedError();
    };
    const worktrees = await WorktreeSet.create(repository, "compare");
    try {
      const treeA = await worktrees.add("a", a.commit);
      const treeB = await worktrees.add("b", b.commit);
      // Run from the same subfolder the user stands in.
      const cwdA = join(treeA.path, repository.prefix);
      const cwdB = join(treeB.path, repository.prefix);
      const userCwd = join(repository.root, repository.prefix);
      if (options.build) {
        stopped();
        await build(options, "A", revisionA, cwdA, userCwd);
        stopped();
        await build(options, "B", revisionB, cwdB, userCwd);
      }
      const result = await compareInterleaved(
        { ...options.arms?.a, ...isolated(options, treeA.path), label: revisionA, cwd: cwdA },
        { ...options.arms?.b, ...isolated(options, treeB.path), label: revisionB, cwd: cwdB },
        { ...options, signal },
      ).catch(async (error: Error) => {
        // Checked on failure only: a file the command names may be one it writes (--export-json).
        await refuseUntrackedCommandFiles(
          [options.bench.command],
          userCwd,
          [cwdA, cwdB],
          "the benchmark command",
          error,
        );
        throw error;
      });
      return { ...result, a, b };
    } finally {
      await worktrees.remove();
    }
  });
}

async function build(
  options: RevisionsOptions,
  arm: "A" | "B",
  revision: string,
  cwd: string,
  userCwd: string,
): Promise<void> {
  const command = options.build as string;
  options.onBuild?.(arm);
  const sample = await runSample({ command, cwd, timeoutMs: options.buildTimeoutMs });
  if (sample.failure?.kind === "interrupted") throw new InterruptedError();
  if (!sample.ok) {
    const error = new AutoOptimizeError(
      "build-failed",
      `the build '${command}' failed for ${arm} (${revision}): ${sample.failure?.message ?? "unknown reason"}`,
    );
    await refuseUntrackedCommandFiles([command], userCwd, [cwd], "the build command", error);
    throw error;
  }
}

function isolated(options: RevisionsOptions, tree: string): { isolation?: RunIsolation } {
  return options.isolation ? { isolation: { ...options.isolation, writable: [tree] } } : {};
}
