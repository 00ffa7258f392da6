import { lstat } from "node:fs/promises";
import { join } from "node:path";
import type { IterationDecision } from "../experiment/events.js";
import type { Ledger } from "../experiment/ledger.js";
import type { Experiment } from "../experiment/schema.js";
import { redactText } from "../redact.js";
import { EXCLUDE_PATH } from "../workspace/exclude.js";
import { git, gitWithInput } from "../workspace/git.js";
import { stageToolFiles } from "../workspace/stage-tool-files.js";
import { faultPoint } from "./fault.js";

export interface CommitRequest {
  root: string;
  candidate: string;
  /** experiments/exp-001-… relative to the root: the artifacts, always committed. */
  experimentPath: string;
  /** experiment(exp-001/iter-003): strategy */
  message: string;
  decision: IterationDecision;
  iteration: number;
  /**
   * The files the check found changed: added even where git ignores them (hidden by a new
   * `.gitignore`), so the attempt commit records all of the candidate and its revert removes it.
   */
  changedFiles?: readonly string[];
}

/** `experiment(exp-001/iter-003): <the strategy's first line>` */
export function commitMessage(experiment: Experiment, iteration: number, strategy: string): string {
  const firstLine = strategy.split("\n")[0]?.slice(0, 100) ?? "";
  return `experiment(${experiment.id}/iter-${String(iteration).padStart(3, "0")}): ${firstLine}`;
}

/**
 * Commits a decided iteration (a non-keep is reverted) and records it in the ledger as
 * `committed` with the best that follows; the loop and host mode end every iteration here.
 */
export async function commitDecided(
  request: CommitRequest & { ledger: Ledger; bestBefore: string },
): Promise<string[]> {
  const { ledger, iteration, decision } = request;
  const commits = await commitIteration(request);
  faultPoint("after-commits", iteration);
  ledger.append({
    type: "committed",
    iteration,
    decision,
    commits,
    best: decision === "keep" ? (commits[0] as string) : request.bestBefore,
  });
  faultPoint("after-iteration", iteration);
  return commits;
}

/**
 * Records an iteration in the experiment branch: the candidate's code change (copied from the
 * candidate worktree as a binary patch, or already in place when the candidate is the main
 * working tree, as in host mode) together with the iteration's artifacts in one commit.
 * Anything but a keep is then reverted in a second commit that undoes the code and keeps the
 * artifacts, so history holds every attempt.
 */
export async function commitIteration(request: CommitRequest): Promise<string[]> {
  const { root, candidate } = request;
  await git(["add", "-A"], candidate);
  // The exclude file is no file of the tree; a deleted file is staged by `add -A` already.
  const ignored = [];
  for (const path of request.changedFiles ?? []) {
    if (path !== EXCLUDE_PATH && (await lstat(join(candidate, path)).catch(() => null)))
      ignored.push(path);
  }
  if (ignored.length > 0)
    await git(["--literal-pathspecs", "add", "-f", "--", ...ignored], candidate);
  if (candidate !== root) {
    // Bytes, not text: a patch of a file in another encoding must reach `git apply` unchanged.
    const patch = await gitWithInput(["diff", "--cached", "--binary", "HEAD"], candidate, "");
    if (patch.length > 0) await gitWithInput(["apply", "--index", "--binary", "-"], root, patch);
  }
  await stageToolFiles(root, [request.experimentPath]);
  const code = await git(
    ["diff", "--cached", "--name-only", "HEAD", "--", ".", `:!${request.experimentPath}`],
    root,
  );
  const message = redactText(request.message);
  await git(["commit", "--quiet", "--allow-empty", "-m", message], root);
  const attempt = await git(["rev-parse", "HEAD"], root);
  faultPoint("after-attempt-commit", request.iteration);
  if (request.decision === "keep" || code === "") return [attempt];
  return [attempt, await revertCode(root, attempt, request.experimentPath, message)];
}

/** A commit that undoes `attempt`'s code while keeping its artifacts. */
export async function revertCode(
  root: string,
  attempt: string,
  experimentPath: string,
  message: string,
): Promise<string> {
  await git(["revert", "--no-commit", attempt], root);
  await git(["checkout", attempt, "--", experimentPath], root);
  await git(["commit", "--quiet", "-m", `revert ${message}`], root);
  return git(["rev-parse", "HEAD"], root);
}
