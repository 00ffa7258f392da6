import { changedFiles } from "./files.js";
import { git } from "./git.js";

export interface Stash {
  /** The branch (or commit, on a detached HEAD) the changes were made on. */
  from: string;
  /** The stash's message, which names it in `git stash list`. */
  message: string;
  /** The stash commit (stable, unlike stash@{N}). */
  commit: string;
  /** The files that were uncommitted. */
  files: string[];
}

/**
 * Puts the working tree's uncommitted changes, untracked files included, into a stash whose
 * message says who set them aside (`by`) and from where; null when there is nothing to stash.
 */
export async function stashChanges(root: string, by: string): Promise<Stash | null> {
  const files = await changedFiles(root);
  if (files.length === 0) return null;
  const from =
    (await git(["branch", "--show-current"], root)) ||
    (await git(["rev-parse", "--short=12", "HEAD"], root));
  const message = `auto-optimize: uncommitted changes set aside by ${by} on ${from}`;
  await git(["stash", "push", "--quiet", "--include-untracked", "-m", message], root);
  const commit = await git(["rev-parse", "stash@{0}"], root);
  return { from, message, commit, files };
}

/** Applies a stash back onto the working tree and drops it (the state before stashChanges). */
export async function restoreStash(root: string, stash: Stash): Promise<void> {
  const list = await git(["stash", "list", "--format=%H"], root);
  const index = list.split("\n").indexOf(stash.commit);
  if (index < 0) return;
  await git(["stash", "pop", "--quiet", "--index", `stash@{${index}}`], root);
}
