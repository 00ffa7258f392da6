import { rm } from "node:fs/promises";
import { join } from "node:path";
import { FILES } from "../../experiment/layout.js";
import { git } from "../../workspace/git.js";
import { commitMessage } from "../commit.js";
import { recoverUnfinished } from "../recover.js";
import { hostPosition } from "./protocol.js";
import type { HostSession } from "./session.js";

/** What an evaluation writes before its commit; a rolled-back evaluation leaves none of it. */
const EVALUATION_FILES = ["summary.md", "result.json", "result.txt", "reflexion.md"];

/**
 * Brings the branch and the working tree back in line with the ledger after a step was killed.
 * An evaluation killed after its attempt commit is finished as the loop finishes one (the revert
 * made if it was due, `committed` recorded); one killed after its decision is completed from the
 * ledger and committed, never measured again (one decision per iteration); one killed before its
 * decision is rolled back — its artifacts removed, the index reset — while the host's edits stay
 * in the working tree, and the iteration waits for `evaluate` again. An iteration of the autonomous loop that was killed is recovered as
 * `run` would. Returns what was done, or null when nothing was interrupted.
 */
export async function recoverHost(session: HostSession): Promise<string | null> {
  const { root, opened } = session;
  const { experiment, ledger } = opened;
  const position = hostPosition(experiment, ledger);
  const unfinished = position.state.unfinished;
  if (!position.interrupted || !unfinished) return null;
  const { iteration } = unfinished;
  const last = unfinished.events.at(-1)?.type ?? "iteration-started";

  const committed = await attemptCommitted(session, iteration, unfinished.best);
  // Decided: completed as decided, the host's edits committed (or reverted) with the artifacts.
  const decided = unfinished.events.some((e) => e.type === "decided");
  if (!position.host || committed || decided) {
    const outcome = await recoverUnfinished(
      root,
      opened.path,
      experiment,
      ledger,
      position.state,
      (slot) => session.worktrees.forSlot(slot).candidatePath,
    );
    if (!position.host) {
      const how = {
        none: "left as it was",
        finished: "finished from its commit",
        completed: "completed from its recorded decision",
        abandoned: "abandoned",
      }[outcome];
      return `iteration ${iteration} of an interrupted 'auto-optimize run' was ${how}`;
    }
    const decision = ledger.last("committed")?.decision;
    return committed
      ? `the evaluation of iteration ${iteration} was interrupted after its commit; it was completed (${decision})`
      : `the evaluation of iteration ${iteration} was interrupted after its decision; it was completed (${decision}) from the ledger, without measuring again`;
  }

  await git(["reset", "--quiet"], root);
  if (position.folder) {
    const folder = join(opened.dir, FILES.iterationsDir, position.folder);
    for (const file of EVALUATION_FILES) await rm(join(folder, file), { force: true });
  }
  const leaderboard = `${opened.path}/${FILES.leaderboard}`;
  const tracked = await git(["ls-tree", "--name-only", "HEAD", "--", leaderboard], root);
  if (tracked) await git(["checkout", "HEAD", "--", leaderboard], root);
  else await rm(join(opened.dir, FILES.leaderboard), { force: true });
  ledger.append({
    type: "evaluation-interrupted",
    iteration,
    reason: `interrupted after '${last}'; the edits are still in the working tree`,
  });
  return `the evaluation of iteration ${iteration} was interrupted (after '${last}') and rolled back; the edits are still in the working tree: evaluate again`;
}

/** The iteration's attempt commit exists on the branch since the best it started from. */
async function attemptCommitted(
  session: HostSession,
  iteration: number,
  best: string,
): Promise<boolean> {
  const tag = commitMessage(session.opened.experiment, iteration, "").trimEnd();
  const subjects = await git(["log", "--format=%s", `${best}..HEAD`], session.root);
  return subjects.split("\n").some((subject) => subject.startsWith(tag));
}
