import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * What is left under the repository's .git/auto-optimize/ besides what stays by design (the run
 * lock, the ledger witness): worktrees and temporary checkouts a finished command must remove.
 */
export function autoOptimizeLeftovers(repoDir: string): string[] {
  const base = join(repoDir, ".git", "auto-optimize");
  return existsSync(base) ? readdirSync(base).filter((f) => !/\.(run|witness)$/.test(f)) : [];
}
