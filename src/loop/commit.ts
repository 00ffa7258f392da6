import type { IterationDecision } from "../experiment/events.js";
import type { Ledger } from "../experiment/ledger.js";
import type { Experiment } from "../experiment/schema.js";
import { redactText } from "../redact.js";
import { treesOf } from "../workspace/commit-history.js";
import { EXCLUDE_PATH } from "../workspace/exclude.js";
import { git, gitWithInput } from "../workspace/git.js";
import { stageAll } from "../workspace/snapshot.js";
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
  /**
   * The candidate's snapshot commit (snapshot.ts), when it was made: the code committed is exactly
   * its change from the best, whatever the checkouts hold now.
   */
  snapshot?: string;
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
    trees: await treesOf(request.root, commits),
    best: decision === "keep" ? (commits[0] as string) : request.bestBefore,
  });
  faultPoint("after-iteration", iteration);
  return commits;
}

/**
 * Records an iteration in the experiment branch: the candidate's code change together with the
 * iteration's artifacts in one commit. The change is the snapshot's (its binary patch from the
 * best), or — for a candidate the checks rejected before any snapshot — what its checkout holds:
 * copied from the candidate worktree, or already in place when the candidate is the main working
 * tree (host mode). Anything but a keep is then reverted in a second commit that undoes the code
 * and keeps the artifacts, so history holds every attempt.
 */
export async function commitIteration(request: CommitRequest): Promise<string[]> {
  const { root, candidate, snapshot } = request;
  // The exclude file is no file of the tree.
  const changed = (request.changedFiles ?? []).filter((path) => path !== EXCLUDE_PATH);
  if (candidate === root) {
    await stageAll(root, changed);
    if (snapshot) await stageSnapshot(root, snapshot, request.experimentPath);
  } else {
    // Bytes, not text: a patch of a file in another encoding must reach `git apply` unchanged.
    const patch = snapshot
      ? await gitWithInput(["diff", "--binary", `${snapshot}^`, snapshot], root, "")
      : await stagedPatch(candidate, changed);
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

/** Everything `checkout` changed against its HEAD, staged, as a binary patch. */
async function stagedPatch(checkout: string, changed: readonly string[]): Promise<Buffer> {
  await stageAll(checkout, changed);
  return gitWithInput(["diff", "--cached", "--binary", "HEAD"], checkout, "");
}

/**
 * Host mode: the main tree's code, staged, made the snapshot's where it differs since (in the
 * index and the files alike), so the commit carries what was measured.
 */
async function stageSnapshot(
  root: string,
  snapshot: string,
  experimentPath: string,
): Promise<void> {
  const since = ["diff", "--cached", "--binary", snapshot, "--", ".", `:!${experimentPath}`];
  const drift = await gitWithInput(since, root, "");
  if (drift.length > 0)
    await gitWithInput(["apply", "-R", "--index", "--binary", "-"], root, drift);
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
