import picomatch from "picomatch";
import { git, gitRaw } from "./git.js";

/** Files git would see in `root`: tracked plus untracked-but-not-ignored, relative to `root`. */
export async function listFiles(root: string): Promise<string[]> {
  const out = await git(["ls-files", "--cached", "--others", "--exclude-standard", "-z"], root);
  return [...new Set(out.split("\0").filter(Boolean))].sort();
}

/** A predicate for repository-relative paths matching any of the globs (dotfiles included). */
export function globMatcher(globs: readonly string[]): (path: string) => boolean {
  if (globs.length === 0) return () => false;
  return picomatch([...globs], { dot: true });
}

/** Paths changed in a working tree against its HEAD: modified, added, deleted, renamed, untracked. */
export async function changedFiles(root: string): Promise<string[]> {
  const out = await gitRaw(["status", "--porcelain=v1", "-z", "--untracked-files=all"], root);
  const entries = out.split("\0").filter(Boolean);
  const paths: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as string;
    paths.push(entry.slice(3));
    // A rename is followed by its source path in the next field.
    if (entry[0] === "R" || entry[0] === "C") paths.push(entries[++i] as string);
  }
  return [...new Set(paths)].sort();
}
