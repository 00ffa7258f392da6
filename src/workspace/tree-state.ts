import { lstat, rm } from "node:fs/promises";
import { join } from "node:path";
import { git, gitRaw } from "./git.js";

/**
 * What a checkout holds beyond its commit: every path git reports as changed, untracked or
 * ignored (each file of an ignored folder on its own), with its status and an lstat signature
 * (type, size, mode, mtime), so a file written in place shows up as well as one created.
 */
export type TreeState = Map<string, { status: string; signature: string }>;

export async function treeState(root: string): Promise<TreeState> {
  const out = await gitRaw(
    [
      "status",
      "--porcelain=v1",
      "-z",
      "--no-renames",
      "--ignored=traditional",
      "--untracked-files=all",
    ],
    root,
  );
  const state: TreeState = new Map();
  for (const entry of out.split("\0").filter(Boolean)) {
    const path = entry.slice(3);
    state.set(path, { status: entry.slice(0, 2), signature: await signature(join(root, path)) });
  }
  return state;
}

async function signature(path: string): Promise<string> {
  const stats = await lstat(path, { bigint: true }).catch(() => null);
  if (!stats) return "gone";
  const kind = stats.isSymbolicLink() ? "link" : stats.isDirectory() ? "dir" : "file";
  return `${kind}:${stats.size}:${stats.mode}:${stats.mtimeNs}`;
}

/** The paths whose state differs from `reference`: created, written or removed since. */
export function treeChanges(reference: TreeState, now: TreeState): string[] {
  const paths = new Set([...reference.keys(), ...now.keys()]);
  return [...paths]
    .filter((path) => reference.get(path)?.signature !== now.get(path)?.signature)
    .sort();
}

/**
 * Puts back what can be put back of `changes` (from treeChanges): a created file is removed, a
 * committed file that was clean in the reference is checked out again. A file that already
 * differed from the commit in the reference (a build output written again) cannot be restored:
 * those paths are returned.
 */
export async function restoreTree(
  root: string,
  reference: TreeState,
  now: TreeState,
  changes: readonly string[],
): Promise<string[]> {
  const tracked: string[] = [];
  const unrestorable: string[] = [];
  for (const path of changes) {
    const before = reference.get(path);
    const after = now.get(path);
    if (before) unrestorable.push(path);
    else if (after && (after.status === "??" || after.status === "!!"))
      await rm(join(root, path), { recursive: true, force: true });
    else tracked.push(path);
  }
  if (tracked.length > 0)
    await git(["--literal-pathspecs", "checkout", "HEAD", "--", ...tracked], root);
  return unrestorable;
}
