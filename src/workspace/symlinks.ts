import { lstat, readlink } from "node:fs/promises";
import { isAbsolute, join, posix } from "node:path";

/**
 * Why the symlink a candidate created or changed at `path` is refused, or null when it is no
 * symlink or points inside the scope: a link leaving the scope would make the measured code
 * something outside the repository's history, free to change after it was kept.
 */
export async function symlinkViolation(
  root: string,
  path: string,
  inScope: (path: string) => boolean,
): Promise<string | null> {
  const stats = await lstat(join(root, path)).catch(() => null);
  if (!stats?.isSymbolicLink()) return null;
  const target = await readlink(join(root, path));
  if (isAbsolute(target)) return `${path} is a symlink to an absolute path (${target})`;
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  if (resolved === ".." || resolved.startsWith("../"))
    return `${path} is a symlink leaving the repository (${target})`;
  if (!inScope(resolved)) return `${path} is a symlink to ${resolved}, outside the scope`;
  return null;
}
