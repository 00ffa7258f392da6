import { EXCLUDE_PATH } from "../workspace/exclude.js";
import { git } from "../workspace/git.js";
import { commitStaged, copyPaths, stageAll } from "../workspace/snapshot.js";
import type { Candidate, EvaluationEnv } from "./evaluate.js";

/** The checked candidate as a commit, and the checkout that holds it. */
export interface Snapshot {
  /** A detached commit on top of the best: the candidate's change and nothing else. */
  commit: string;
  /** The candidate worktree, checked out at `commit`: where it is built, tested and measured. */
  path: string;
}

/**
 * Makes what the check saw a commit, so that what is built, tested and measured is exactly that
 * and no longer a live tree someone can change meanwhile: the changed files (those hidden by ignore
 * rules the candidate wrote, and deletions, included; the experiment folder left out — it is
 * auto-optimize's) committed in the candidate worktree on top of the best. In the loop the agent's
 * edits are in that worktree already; in host mode (the candidate is the main working tree) the
 * worktree is put at the best first and the checked files are copied into it.
 */
export async function snapshotCandidate(
  env: EvaluationEnv,
  candidate: Candidate,
  best: string,
  changed: readonly string[],
  attempt: number,
): Promise<Snapshot> {
  const path = env.worktrees.candidatePath;
  const code = changed.filter((p) => p !== EXCLUDE_PATH && !p.startsWith(`${env.relativeDir}/`));
  if (candidate.path !== path) {
    await env.worktrees.checkout(path, best);
    await copyPaths(candidate.path, path, code);
  }
  await stageAll(path, code, env.relativeDir);
  const name = `${env.experiment.id}/iter-${String(candidate.iteration).padStart(3, "0")}`;
  const commit = await commitStaged(path, `auto-optimize snapshot of ${name}, attempt ${attempt}`);
  return { commit, path };
}

/**
 * After failed tests with attempts left: the loop's agent edits again on top of what it wrote, and
 * its next check compares with the best, so the worktree's HEAD goes back to the best (its files
 * stay as they are). A host's next attempt is snapshotted afresh.
 */
export async function undoSnapshot(snapshot: Snapshot, best: string): Promise<void> {
  await git(["reset", "--quiet", best], snapshot.path);
}

/** The candidate's change of the code: the snapshot against the best it was made on. */
export function snapshotDiff(snapshot: Snapshot): Promise<string> {
  return git(["diff", `${snapshot.commit}^`, snapshot.commit], snapshot.path);
}
