import { existsSync } from "node:fs";
import { join } from "node:path";
import { outcomeFacts } from "../agent/reflexion-input.js";
import type { LedgerEntry } from "../experiment/events.js";
import { FILES } from "../experiment/layout.js";
import type { Ledger } from "../experiment/ledger.js";
import type { Experiment } from "../experiment/schema.js";
import type { LoopState } from "../experiment/state.js";
import { git } from "../workspace/git.js";
import {
  type IterationRecord,
  outcomeOf,
  writeIterationArtifacts,
  writePendingLeaderboard,
} from "./artifacts.js";
import { commitDecided, commitMessage } from "./commit.js";
import { iterationDrift } from "./drift.js";
import { newIterationRecord } from "./iteration-record.js";
import { readIterationRecord } from "./iteration-record-schema.js";

export interface DecidedIteration {
  root: string;
  /** The experiment folder relative to the root. */
  relativeDir: string;
  experiment: Experiment;
  ledger: Ledger;
  state: LoopState;
  /** The checkout that holds the candidate's edits: the loop's candidate worktree, or the root. */
  candidatePath: string;
  /** The loop writes the facts as the reflexion; a host writes its own with `step reflect`. */
  reflexion: "facts" | "host";
}

/**
 * One decision per iteration: an iteration killed after its `decided` event and before its
 * attempt commit is completed from what was recorded — the decision in the ledger stands, the
 * artifacts are written (from the result.json the evaluation wrote, else from the ledger's events)
 * and it is committed as the evaluation would have, never measured again. Returns its commits, or
 * null when it cannot be completed (no decision, or the loop's candidate worktree is gone or moved).
 */
export async function completeDecided(input: DecidedIteration): Promise<string[] | null> {
  const unfinished = input.state.unfinished;
  if (!unfinished) return null;
  const events = unfinished.events;
  const planned = lastOf(events, "planned");
  const decided = lastOf(events, "decided");
  if (!planned || !decided) return null;
  // The change is the snapshot's when one was made; else (rejected by the checks) the loop's
  // candidate worktree must still hold the edits on the best, and a host's are in the root.
  const worktree = input.candidatePath !== input.root;
  if (decided.snapshot) {
    if (!(await commitExists(input.root, decided.snapshot))) return null;
  } else if (worktree && !(await checkedOutAt(input.candidatePath, unfinished.best))) return null;

  const { root, relativeDir, experiment, ledger } = input;
  const dir = join(root, relativeDir);
  const folder = join(dir, FILES.iterationsDir, planned.folder);
  const record = (await writtenRecord(folder, decided)) ?? fromLedger(input, events);
  record.environmentDrift = await iterationDrift(
    dir,
    root,
    experiment.metric,
    input.state.best,
    record.bestValue,
  );
  const reflexion =
    input.reflexion === "host"
      ? null
      : [
          `# Reflexion — iteration ${record.iteration}: ${record.strategy}`,
          "",
          "Written by auto-optimize's recovery: the run was killed after this iteration was decided, so its decision stands and the agent's own reflexion was not written. The facts:",
          "",
          ...outcomeFacts(outcomeOf(record, "")),
          "",
        ].join("\n");
  await writeIterationArtifacts(folder, experiment, record, reflexion);
  const name = relativeDir.split("/").at(-1) as string;
  await writePendingLeaderboard(dir, name, experiment, ledger, record, planned.folder);
  return commitDecided({
    root,
    candidate: input.candidatePath,
    experimentPath: relativeDir,
    message: commitMessage(experiment, record.iteration, record.strategy),
    decision: decided.decision,
    changedFiles: record.changedFiles,
    iteration: record.iteration,
    ledger,
    bestBefore: unfinished.best,
    ...(decided.snapshot && { snapshot: decided.snapshot }),
  });
}

async function commitExists(root: string, commit: string): Promise<boolean> {
  return git(["cat-file", "-e", `${commit}^{commit}`], root).then(
    () => true,
    () => false,
  );
}

/** The candidate's checkout still stands where the iteration started (its edits on top). */
async function checkedOutAt(path: string, commit: string): Promise<boolean> {
  if (!existsSync(path)) return false;
  try {
    return (await git(["rev-parse", "HEAD"], path)) === commit;
  } catch {
    return false;
  }
}

/** The result.json an evaluation killed after writing its artifacts left, when it agrees. */
async function writtenRecord(
  folder: string,
  decided: Extract<LedgerEntry, { type: "decided" }>,
): Promise<IterationRecord | null> {
  const path = join(folder, "result.json");
  if (!existsSync(path)) return null;
  try {
    const record = readIterationRecord(path);
    return record.decision === decided.decision && record.reason === decided.reason ? record : null;
  } catch {
    // Torn by the kill: the ledger has everything that was decided.
    return null;
  }
}

/** The iteration's record rebuilt from its ledger events (the comparison's samples are lost). */
function fromLedger(input: DecidedIteration, events: LedgerEntry[]): IterationRecord {
  const planned = lastOf(events, "planned") as Extract<LedgerEntry, { type: "planned" }>;
  const decided = lastOf(events, "decided") as Extract<LedgerEntry, { type: "decided" }>;
  const applied = lastOf(events, "applied");
  const failedTest = [...events]
    .reverse()
    .find((e): e is Extract<LedgerEntry, { type: "tested" }> => e.type === "tested" && !e.ok);
  const record = newIterationRecord(input.experiment, {
    iteration: planned.iteration,
    strategy: planned.strategy,
    reason: decided.reason,
    baselineValue: input.state.baseline?.value ?? null,
    knobs: applied?.knobs ?? {},
    changedFiles: applied?.changedFiles ?? [],
    violations: lastOf(events, "checked")?.violations ?? [],
    testOutput: decided.decision === "test-failed" ? (failedTest?.failure ?? null) : null,
  });
  record.decision = decided.decision;
  if (decided.guard) record.guard = decided.guard;
  if (decided.snapshot) record.snapshot = decided.snapshot;
  const measured = lastOf(events, "measured");
  if (measured) {
    record.value = measured.value;
    record.bestValue = measured.bestValue;
    record.improvement = measured.improvement;
    record.ci = measured.ci;
    record.verdict = measured.verdict;
    record.rounds = measured.rounds;
  }
  return record;
}

function lastOf<T extends LedgerEntry["type"]>(
  events: LedgerEntry[],
  type: T,
): Extract<LedgerEntry, { type: T }> | undefined {
  return events.filter((e): e is Extract<LedgerEntry, { type: T }> => e.type === type).at(-1);
}
