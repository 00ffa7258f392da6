import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AutoOptimizeError } from "../errors.js";
import type { LedgerEntry } from "../experiment/events.js";
import { FILES } from "../experiment/layout.js";
import type { Ledger } from "../experiment/ledger.js";
import type { Experiment } from "../experiment/schema.js";
import { deriveState, type LoopState } from "../experiment/state.js";
import { treesOf } from "../workspace/commit-history.js";
import { changedFiles } from "../workspace/files.js";
import { git } from "../workspace/git.js";
import { revertCode } from "./commit.js";
import { completeDecided } from "./complete-decided.js";
import { startedByHost } from "./host/protocol.js";

/**
 * Brings the branch and the working tree back in line with the ledger after a crash or kill -9.
 * An iteration interrupted after its attempt commit is finished (the revert made if it was due)
 * and recorded; one interrupted after its decision but before that commit is completed from the
 * ledger (`completeDecided`: one decision per iteration, never a re-measure); one interrupted
 * before its decision is undone (its edits and artifacts removed, the ledger kept) and marked
 * abandoned, so it is run again under the same number. `loopCandidate` gives the loop's candidate
 * worktree of a slot (a generation's sibling has its own), where the edits of an iteration of
 * `run` are; a host iteration's are in the root. One call brings one iteration back in line; a
 * generation (`run --parallel`) may have left several (`recoverAll`).
 */
export async function recoverUnfinished(
  root: string,
  relativeDir: string,
  experiment: Experiment,
  ledger: Ledger,
  state: LoopState,
  loopCandidate: (slot: number) => string,
): Promise<Recovered> {
  const unfinished = state.unfinished;
  if (!unfinished) {
    await requireClean(root, relativeDir, []);
    return "none";
  }
  const { iteration, events } = unfinished;
  const tag = `experiment(${experiment.id}/iter-${String(iteration).padStart(3, "0")}):`;
  const log = await git(["log", "--format=%H %s", `${unfinished.best}..HEAD`], root);
  const commits = log
    ? log.split("\n").map((line) => ({ id: line.slice(0, 40), subject: line.slice(41) }))
    : [];
  const attempt = commits.find((c) => c.subject.startsWith(tag));
  const decided = [...events]
    .reverse()
    .find((e): e is Extract<LedgerEntry, { type: "decided" }> => e.type === "decided");
  const applied = events.filter(
    (e): e is Extract<LedgerEntry, { type: "applied" }> => e.type === "applied",
  );
  const ours = applied.flatMap((e) => e.changedFiles);

  if (attempt && decided) {
    await restoreTree(root, relativeDir, ledger, ours);
    const ids = [attempt.id];
    const revert = commits.find((c) => c.subject === `revert ${attempt.subject}`);
    const touchedCode =
      (await git(
        ["diff", "--name-only", `${attempt.id}~1`, attempt.id, "--", ".", `:!${relativeDir}`],
        root,
      )) !== "";
    if (decided.decision !== "keep" && touchedCode) {
      ids.push(
        revert ? revert.id : await revertCode(root, attempt.id, relativeDir, attempt.subject),
      );
    }
    ledger.append({
      type: "committed",
      iteration,
      decision: decided.decision,
      commits: ids,
      trees: await treesOf(root, ids),
      best: decided.decision === "keep" ? attempt.id : unfinished.best,
    });
    return "finished";
  }

  if (decided) {
    const host = startedByHost(ledger.entries, (events[0] as LedgerEntry).seq);
    const candidatePath = host ? root : loopCandidate(unfinished.slot);
    await requireClean(root, relativeDir, ours);
    // The loop's main tree holds no code of the candidate, unless a kill cut the copy of its patch
    // short: that is undone, the experiment folder (ledger, iteration folder) kept.
    if (candidatePath !== root) await restoreTree(root, relativeDir, ledger, ours, false);
    const completed = await completeDecided({
      root,
      relativeDir,
      experiment,
      ledger,
      state,
      candidatePath,
      reflexion: candidatePath === root ? "host" : "facts",
    });
    if (completed) return "completed";
  }

  await restoreTree(root, relativeDir, ledger, ours);
  const planned = events.find(
    (e): e is Extract<LedgerEntry, { type: "planned" }> => e.type === "planned",
  );
  if (planned)
    await rm(join(root, relativeDir, FILES.iterationsDir, planned.folder), {
      recursive: true,
      force: true,
    });
  const last = events.at(-1)?.type ?? "iteration-started";
  ledger.append({
    type: "iteration-abandoned",
    iteration,
    reason: `interrupted after '${last}'; run again from the start`,
  });
  return "abandoned";
}

export type Recovered = "none" | "finished" | "completed" | "abandoned";

/**
 * Every iteration the ledger left open, brought back in line one after another (a generation's
 * undecided siblings undone first, its keep committed last); says what was done to the last one.
 */
export async function recoverAll(
  root: string,
  relativeDir: string,
  experiment: Experiment,
  ledger: Ledger,
  loopCandidate: (slot: number) => string,
): Promise<Recovered> {
  let outcome: Recovered = "none";
  for (;;) {
    const state = deriveState(experiment, ledger);
    const done = await recoverUnfinished(
      root,
      relativeDir,
      experiment,
      ledger,
      state,
      loopCandidate,
    );
    if (done === "none") return outcome;
    outcome = done;
  }
}

/**
 * Resets tracked files to HEAD and (unless told not to) drops untracked ones inside the experiment
 * folder, keeping the ledger's bytes. Refuses when files outside the experiment folder changed that the interrupted
 * iteration did not touch: those are someone's work.
 */
async function restoreTree(
  root: string,
  relativeDir: string,
  ledger: Ledger,
  ours: string[],
  cleanExperimentFolder = true,
): Promise<void> {
  await requireClean(root, relativeDir, ours);
  const ledgerBytes = existsSync(ledger.path) ? await readFile(ledger.path) : null;
  await git(["revert", "--quit"], root).catch(() => undefined);
  await git(["reset", "--quiet", "--hard", "HEAD"], root);
  if (cleanExperimentFolder) await git(["clean", "-fdq", "--", relativeDir], root);
  if (ledgerBytes) await writeFile(ledger.path, ledgerBytes);
}

async function requireClean(root: string, relativeDir: string, allowed: string[]): Promise<void> {
  const foreign = (await changedFiles(root)).filter(
    (p) => !p.startsWith(`${relativeDir}/`) && !allowed.includes(p),
  );
  if (foreign.length > 0) {
    throw new AutoOptimizeError(
      "dirty-tree",
      `the experiment branch has changes the loop did not make: ${foreign.slice(0, 10).join(", ")}${foreign.length > 10 ? ", …" : ""}. Commit or stash them, then run again.`,
      2,
    );
  }
}
