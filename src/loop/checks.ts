import { createHash } from "node:crypto";
import { type ProtectedHashes, protectedViolations } from "../experiment/protected-files.js";
import type { Experiment } from "../experiment/schema.js";
import { EXCLUDE_PATH, readExclude } from "../workspace/exclude.js";
import { changedFiles, globMatcher } from "../workspace/files.js";
import { fingerprint } from "../workspace/fingerprint.js";
import { hiddenFiles } from "../workspace/hidden-files.js";
import { symlinkViolation } from "../workspace/symlinks.js";

export interface CandidateCheck {
  /** Every file the candidate changed, those hidden from git by new ignore rules included. */
  changed: string[];
  violations: string[];
  /** What each changed file holds: re-checked after measuring, so a swap in between shows. */
  prints: Record<string, string>;
}

/**
 * The program's own check of an agent's edit, whatever the agent says: no protected file changed
 * (hash check, plus no new file in a protected area), every changed file inside the scope (the
 * files of declared file knobs count as in scope) — files hidden by an ignore rule the candidate
 * added too (`hiddenFiles`) —, ignore rules (`.gitignore` files, `.git/info/exclude`) changed only
 * where the scope names them, and no symlink pointing outside the scope. `exclude` is the exclude
 * file's text when the iteration opened.
 */
export async function checkCandidate(
  worktree: string,
  experiment: Experiment,
  locked: ProtectedHashes,
  exclude: string,
): Promise<CandidateCheck> {
  const excludeNow = await readExclude(worktree);
  const changed = [
    ...new Set([
      ...(await changedFiles(worktree)),
      ...(await hiddenFiles(worktree, exclude)),
      ...(excludeNow === exclude ? [] : [EXCLUDE_PATH]),
    ]),
  ].sort();
  const violations = await protectedViolations(worktree, locked);
  const isProtected = globMatcher(experiment.protect);
  const knobFiles = experiment.knobs.flatMap((k) => (k.kind === "file" && k.file ? [k.file] : []));
  const inScope = globMatcher([...experiment.scope, ...knobFiles]);
  const namedInScope = globMatcher(experiment.scope.filter(isIgnoreRules));
  const scope = experiment.scope.join(", ");
  for (const path of changed) {
    if (!(path in locked) && isProtected(path))
      violations.push(`${path} is in a protected area (${experiment.protect.join(", ")})`);
    if (isIgnoreRules(path)) {
      if (!namedInScope(path))
        violations.push(
          `${path} changes which files git ignores, and the scope (${scope}) does not name it`,
        );
    } else if (!inScope(path)) violations.push(`${path} is outside the scope (${scope})`);
    const link = await symlinkViolation(worktree, path, inScope);
    if (link) violations.push(link);
  }
  const prints = await fingerprint(worktree, changed);
  if (changed.includes(EXCLUDE_PATH))
    prints[EXCLUDE_PATH] = createHash("sha256").update(excludeNow).digest("hex");
  return { changed, violations, prints };
}

/**
 * `.gitignore` files and the exclude file: they decide what git (and so this check) sees. A path
 * or a scope glob naming one (`src/.gitignore`, `**\/.gitignore`); `src/**` names none.
 */
function isIgnoreRules(path: string): boolean {
  return path === EXCLUDE_PATH || path === ".gitignore" || path.endsWith("/.gitignore");
}
