import { type ProtectedHashes, protectedViolations } from "../experiment/protected-files.js";
import type { Experiment } from "../experiment/schema.js";
import { changedFiles, globMatcher } from "../workspace/files.js";

/**
 * The program's own check of an agent's edit, whatever the agent says: no protected file changed
 * (hash check, plus no new file in a protected area) and every changed file inside the scope
 * (the files of declared file knobs count as in scope).
 */
export async function checkCandidate(
  worktree: string,
  experiment: Experiment,
  locked: ProtectedHashes,
): Promise<{ changed: string[]; violations: string[] }> {
  const changed = await changedFiles(worktree);
  const violations = await protectedViolations(worktree, locked);
  const isProtected = globMatcher(experiment.protect);
  const knobFiles = experiment.knobs.flatMap((k) => (k.kind === "file" && k.file ? [k.file] : []));
  const inScope = globMatcher([...experiment.scope, ...knobFiles]);
  for (const path of changed) {
    if (!(path in locked) && isProtected(path))
      violations.push(`${path} is in a protected area (${experiment.protect.join(", ")})`);
    if (!inScope(path))
      violations.push(`${path} is outside the scope (${experiment.scope.join(", ")})`);
  }
  return { changed, violations };
}
