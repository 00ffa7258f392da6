import { createHash } from "node:crypto";
import { lstat, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";

/** What each of `paths` holds in `root`, as a sha256 (a symlink by its target, "deleted" if gone). */
export async function fingerprint(
  root: string,
  paths: readonly string[],
): Promise<Record<string, string>> {
  const prints: Record<string, string> = {};
  for (const path of paths) {
    const full = join(root, path);
    const stats = await lstat(full).catch(() => null);
    if (!stats) prints[path] = "deleted";
    else if (stats.isSymbolicLink()) prints[path] = `symlink to ${await readlink(full)}`;
    else if (stats.isDirectory()) prints[path] = "directory";
    else
      prints[path] = createHash("sha256")
        .update(await readFile(full))
        .digest("hex");
  }
  return prints;
}

/** The paths whose print differs between two fingerprints (added, removed or changed). */
export function changedPrints(
  before: Record<string, string>,
  after: Record<string, string>,
): string[] {
  const paths = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...paths].filter((path) => before[path] !== after[path]).sort();
}
