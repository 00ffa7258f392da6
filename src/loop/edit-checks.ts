import { rm } from "node:fs/promises";
import { join } from "node:path";
import { FILES } from "../experiment/layout.js";
import { committedProtected } from "../experiment/protected-files.js";
import { EXCLUDE_PATH, writeExclude } from "../workspace/exclude.js";
import { changedPrints } from "../workspace/fingerprint.js";
import { git } from "../workspace/git.js";
import { checkCandidate } from "./checks.js";
import type { Candidate, EvaluationEnv } from "./evaluate.js";
import type { Snapshot } from "./snapshot.js";

/** The evaluation's checks of what the candidate changed, and the undoing of what it may not keep. */

export interface EditCheck {
  /** Files the candidate changed (auto-optimize's own bookkeeping left out). */
  changed: string[];
  violations: string[];
  /** What each changed file held when checked. */
  prints: Record<string, string>;
}

/**
 * The checks again once measured: what was measured must be what was checked. The snapshot's
 * checkout must still hold the snapshot — a protected file or a changed file swapped after the
 * tests and put back after measuring would pass the first check —, and in host mode the main
 * working tree must still hold what was snapshotted; any violation now, and any file added, gone
 * or different since, rejects the candidate.
 */
export async function changedSinceCheck(
  env: EvaluationEnv,
  candidate: Candidate,
  checked: EditCheck & { snapshot: Snapshot },
): Promise<string[]> {
  env.onStep("checking protected files and scope again");
  const locked = await committedProtected(env.root, env.relativeDir);
  const exclude = await env.worktrees.excludeAtStart();
  const { snapshot } = checked;
  const measured = await checkCandidate(snapshot.path, env.experiment, locked, exclude);
  // The exclude file is shared by every worktree: it is compared with its print at the check.
  const excludeSwapped = checked.prints[EXCLUDE_PATH] !== measured.prints[EXCLUDE_PATH];
  const swapped = [
    ...measured.changed.filter((path) => path !== EXCLUDE_PATH),
    ...(excludeSwapped ? [EXCLUDE_PATH] : []),
  ].map((path) => `${path} changed between the check and the end of the measurement`);
  const problems = [...measured.violations, ...swapped];
  if (candidate.path !== snapshot.path) {
    const live = await checkEdits(env, candidate);
    // The experiment's own files were put back after the first check (restoreExperimentFiles).
    const code = (prints: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(prints).filter(
          ([p]) => !p.startsWith(`${env.relativeDir}/`) && p !== EXCLUDE_PATH,
        ),
      );
    const moved = changedPrints(code(checked.prints), code(live.prints)).map(
      (path) =>
        `${path} changed in the working tree after the check (what was measured is the snapshot taken then)`,
    );
    problems.push(...live.violations, ...moved);
  }
  return [...new Set(problems)];
}

/**
 * The program's check of the edits (protected files, scope) against the committed protected
 * hashes. When the candidate is the main working tree (host mode), the experiment folder also
 * holds what auto-optimize itself wrote since the last commit — the ledger's new lines and the open
 * iteration's folder — which are not the candidate's edits; any other change there is.
 */
export async function checkEdits(env: EvaluationEnv, candidate: Candidate): Promise<EditCheck> {
  const locked = await committedProtected(env.root, env.relativeDir);
  const exclude = await env.worktrees.excludeAtStart();
  const check = await checkCandidate(candidate.path, env.experiment, locked, exclude);
  if (candidate.path !== env.root) return check;
  const ledger = `${env.relativeDir}/${FILES.ledger}`;
  const iterationFolder = `${env.relativeDir}/${FILES.iterationsDir}/${candidate.folder}/`;
  const own = new Set(check.changed.filter((p) => p === ledger || p.startsWith(iterationFolder)));
  return {
    changed: check.changed.filter((p) => !own.has(p)),
    violations: check.violations.filter((v) => ![...own].some((p) => v.startsWith(`${p} is `))),
    prints: Object.fromEntries(Object.entries(check.prints).filter(([p]) => !own.has(p))),
  };
}

/** A candidate that changed the exclude file and is not kept leaves it as the iteration found it. */
export async function restoreExclude(
  env: EvaluationEnv,
  checkout: string,
  changed: string[],
): Promise<void> {
  if (changed.includes(EXCLUDE_PATH))
    await writeExclude(checkout, await env.worktrees.excludeAtStart());
}

/** Puts experiment files the candidate changed back as committed (new ones are removed). */
export async function restoreExperimentFiles(
  checkout: string,
  relativeDir: string,
  changed: string[],
): Promise<void> {
  for (const path of changed.filter((p) => p.startsWith(`${relativeDir}/`))) {
    const tracked = await git(["ls-tree", "--name-only", "HEAD", "--", path], checkout);
    if (tracked) await git(["checkout", "HEAD", "--", path], checkout);
    else await rm(join(checkout, path), { recursive: true, force: true });
  }
}

/** The candidate's change of the code (new files included; the experiment folder left out). */
export async function codeDiff(checkout: string, relativeDir: string): Promise<string> {
  // Not `add -A -- . :!dir`: git refuses that pathspec when an ignore rule covers the folder's
  // parent (a .gitignore starting `/*`). The folder is unstaged again instead.
  await git(["add", "-A", "--", "."], checkout);
  await git(["reset", "--quiet", "--", relativeDir], checkout);
  return git(["diff", "--cached", "HEAD", "--", ".", `:!${relativeDir}`], checkout);
}
