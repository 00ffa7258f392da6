import { cp, lstat, mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { git } from "./git.js";

/**
 * Stages every change of `checkout` (outside `leaveOut`, a folder relative to the root, when
 * given), and `paths` even where ignore rules hide them: a file hidden by a `.gitignore` the
 * change wrote is part of it. Paths that no longer exist are staged as deleted by `add -A`.
 */
export async function stageAll(
  checkout: string,
  paths: readonly string[],
  leaveOut?: string,
): Promise<void> {
  // Not `add -A -- . :!dir`: git refuses that pathspec when an ignore rule covers the folder's
  // parent (a .gitignore starting `/*`). The folder is unstaged again instead.
  await git(["add", "-A", "--", "."], checkout);
  if (leaveOut) await git(["reset", "--quiet", "--", leaveOut], checkout);
  const present = [];
  for (const path of paths) {
    if (await lstat(join(checkout, path)).catch(() => null)) present.push(path);
  }
  if (present.length > 0)
    await git(["--literal-pathspecs", "add", "-f", "--", ...present], checkout);
}

/**
 * Commits `checkout`'s staged changes on its (detached) HEAD with no hook and no signature, under
 * the repository's identity — even when nothing changed (a candidate of knob values alone).
 */
export async function commitStaged(checkout: string, message: string): Promise<string> {
  await git(
    ["commit", "--quiet", "--no-verify", "--no-gpg-sign", "--allow-empty", "-m", message],
    checkout,
  );
  return git(["rev-parse", "HEAD"], checkout);
}

/**
 * Makes `paths` (relative to both roots) in checkout `to` what they are in checkout `from`: a file
 * with its mode, a symlink as the link itself (not what it points to), a path `from` no longer
 * has removed.
 */
export async function copyPaths(from: string, to: string, paths: readonly string[]): Promise<void> {
  // Removals first: a file replaced by a folder of the same name (or the reverse) then copies.
  for (const path of paths) {
    await rm(join(to, path), { recursive: true, force: true }).catch((error: unknown) => {
      // Its folder is a file in `to`: there is nothing to remove.
      if ((error as NodeJS.ErrnoException).code !== "ENOTDIR") throw error;
    });
  }
  for (const path of paths) {
    const source = join(from, path);
    if (!(await lstat(source).catch(() => null))) continue;
    await mkdir(dirname(join(to, path)), { recursive: true });
    await cp(source, join(to, path), { recursive: true, verbatimSymlinks: true });
  }
}
