import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

/** sha256 of every protected file at lock time, keyed by path relative to the repository root. */
export type ProtectedHashes = Record<string, string>;

export async function hashFiles(root: string, paths: readonly string[]): Promise<ProtectedHashes> {
  const hashes: ProtectedHashes = {};
  for (const path of [...paths].sort()) {
    hashes[path] = createHash("sha256")
      .update(await readFile(join(root, path)))
      .digest("hex");
  }
  return hashes;
}

/** Protected files that were changed or deleted in `root`, each with what happened to it. */
export async function protectedViolations(
  root: string,
  locked: ProtectedHashes,
): Promise<string[]> {
  const violations: string[] = [];
  for (const [path, hash] of Object.entries(locked)) {
    let now: string;
    try {
      now = createHash("sha256")
        .update(await readFile(join(root, path)))
        .digest("hex");
    } catch {
      violations.push(`protected file ${path} was deleted`);
      continue;
    }
    if (now !== hash) violations.push(`protected file ${path} was modified`);
  }
  return violations;
}
