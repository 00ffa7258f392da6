import { join } from "node:path";
import type { AgentUsage, Applied, Outcome } from "../agent/types.js";
import type { IterationDecision } from "../experiment/events.js";
import type { GuardKind } from "../experiment/guard-kinds.js";
import { changedDefinition } from "../experiment/intact.js";
import { FILES } from "../experiment/layout.js";
import type { Ledger } from "../experiment/ledger.js";
import type { Experiment, KnobValue } from "../experiment/schema.js";
import { type LoopState, runKnobValues } from "../experiment/state.js";
import type { BestProfile } from "../profile/snapshot.js";
import type { QueueClient } from "../queue/client.js";
import { git } from "../workspace/git.js";
import { CandidateWroteOutside } from "../workspace/run-watch.js";
import {
  type IterationRecord,
  outcomeOf,
  writeIterationArtifacts,
  writePendingLeaderboard,
} from "./artifacts.js";
import { benchFailedReason } from "./bench-failed.js";
import { buildAndTest, testFailedReason } from "./commands.js";
import { commitDecided, commitMessage } from "./commit.js";
import { iterationDrift } from "./drift.js";
import {
  changedSinceCheck,
  checkEdits,
  codeDiff,
  type EditCheck,
  restoreExclude,
  restoreExperimentFiles,
} from "./edit-checks.js";
import { type EvaluationRuns, openEvaluationRuns } from "./evaluation-runs.js";
import { faultPoint } from "./fault.js";
import { freshCheckoutReason, testFreshCheckout } from "./fresh-checkout.js";
import {
  firstRejection,
  type GuardContext,
  type GuardRejection,
  MEASURED_GUARDS,
  PRE_MEASURE_GUARDS,
} from "./guards.js";
import { flagUnsampled, newIterationRecord } from "./iteration-record.js";
import { measureCandidate } from "./measure-candidate.js";
import { type Lane, laneOf } from "./measurement-lane.js";
import { type Snapshot, snapshotCandidate, snapshotDiff, undoSnapshot } from "./snapshot.js";
import type { LoopWorktrees } from "./worktrees.js";

/**
 * Where a candidate's edits and its reflexion come from: the one thing the autonomous loop's
 * agents and a host agent do differently in an evaluation (see edit-sources.ts).
 */
export interface EditSource {
  /**
   * Makes attempt `attempt`'s edits in the candidate's checkout (`feedback`: the failed build or
   * tests of the attempt before), or returns null when they are not made here: a host makes them
   * between steps, so a retry goes back to it.
   */
  edit(attempt: number, feedback: string | null): Promise<Applied | null>;
  /** The iteration's reflexion, or null when it comes later (a host's `step reflect`). */
  reflect(outcome: Outcome): Promise<string | null>;
  /** What producing the edits and the reflexion cost in model calls, when anything. */
  cost?(): AgentUsage | undefined;
}

/** The experiment an evaluation works in. */
export interface EvaluationEnv {
  /** The repository's main working tree, on the experiment's branch. */
  root: string;
  experiment: Experiment;
  /** The experiment's name (exp-001-…), its folder absolute and relative to the root. */
  name: string;
  dir: string;
  relativeDir: string;
  ledger: Ledger;
  worktrees: LoopWorktrees;
  /** The best's profile staged for this iteration: changed code it never samples is flagged. */
  profile: BestProfile | null;
  /** Called at every step boundary before the commit; throws InterruptedError to stop there. */
  checkpoint: () => void;
  onStep: (step: string, detail?: string) => void;
  /**
   * `run --parallel`: the lane the generation's siblings share (builds and tests side by side, a
   * comparison alone), how many comparisons the generation makes (each decides at alpha / that
   * count, Bonferroni), and the numbers of its iterations, whose folders the loop writes while
   * this candidate's runs go on. Absent: one candidate at a time.
   */
  generation?: { lane: Lane; size: number; iterations: ReadonlySet<number> };
  /** Builds, tests and comparisons go to this queue's workers (`--queue`); unset: run here. */
  remote?: QueueClient;
}

/** The planned iteration whose candidate is evaluated. */
export interface Candidate {
  iteration: number;
  strategy: string;
  /** Its folder under iterations/. */
  folder: string;
  /** The checkout holding the edits: the candidate worktree, or the main working tree (host). */
  path: string;
  /** The attempt evaluated first (a host's evaluation after failed tests continues the count). */
  firstAttempt: number;
}

export type Evaluation =
  | { kind: "decided"; decision: IterationDecision; record: IterationRecord; commits: string[] }
  /** The build or tests of `attempt` failed with attempts left, and the edits come from outside. */
  | { kind: "retry"; attempt: number; changedFiles: string[]; report: string };

/**
 * The one evaluation of a planned iteration, for every agent, as named steps: the edits and their
 * checks (protected files, scope, build, tests; retried with the failure as feedback) → the
 * decision (unsampled changed code, the guards besides speed, the interleaved comparison against
 * the current best) → the artifacts (environment drift, the reflexion, summary.md, result.json,
 * the leaderboard) → the commit (a non-keep is committed and reverted). Each step is recorded in
 * the ledger before the next begins.
 */
export async function evaluateCandidate(
  env: EvaluationEnv,
  state: LoopState,
  candidate: Candidate,
  source: EditSource,
): Promise<Evaluation> {
  const pending = await evaluateToDecision(env, state, candidate, source);
  if (pending.kind === "retry") return pending;
  if (pending.decision === "keep") await confirmKeep(env, pending);
  return finishEvaluation(env, state, candidate, source, pending);
}

/**
 * A candidate measured and checked, its decision not yet recorded. `keep` here means it may be
 * kept: credibly improved with every check passed, its fresh checkout still to pass
 * (`confirmKeep`). A generation keeps at most one such sibling and records the others as
 * runner-ups; one candidate at a time is kept when it passes.
 */
export interface PendingDecision {
  kind: "pending";
  decision: IterationDecision;
  reason: string;
  record: IterationRecord;
  snapshot: Snapshot | null;
  changed: string[];
}

/**
 * The edits and their checks, then the decision on the snapshot (see `decide`): everything of an
 * evaluation before its decision is recorded.
 */
export async function evaluateToDecision(
  env: EvaluationEnv,
  state: LoopState,
  candidate: Candidate,
  source: EditSource,
): Promise<PendingDecision | Extract<Evaluation, { kind: "retry" }>> {
  const runs = await openEvaluationRuns(env, state, candidate);
  const attempts = await attemptEdits(env, state, candidate, source, runs);
  if (attempts.kind === "retry") return attempts;
  const { snapshot } = attempts;
  const record = newIterationRecord(env.experiment, {
    iteration: candidate.iteration,
    strategy: candidate.strategy,
    reason: attempts.ended?.reason ?? "",
    baselineValue: state.baseline?.value ?? null,
    knobs: attempts.knobs,
    changedFiles: attempts.changed,
    violations: attempts.violations,
    testOutput: attempts.testOutput,
  });
  if (snapshot) record.snapshot = snapshot.commit;
  if (attempts.ended?.guard) record.guard = attempts.ended.guard;
  const [decision, reason] = attempts.ended
    ? [attempts.ended.decision, attempts.ended.reason]
    : await decideInLane(env, () => decide(env, state, candidate, record, attempts, runs));
  return { kind: "pending", decision, reason, record, snapshot, changed: attempts.changed };
}

/**
 * The decision holds the machine alone: its guards run the best and the candidate, its comparison
 * measures. With a queue the comparison runs on a measuring worker, which takes one at a time
 * itself, so a generation's siblings may wait on workers side by side.
 */
function decideInLane<T>(env: EvaluationEnv, work: () => Promise<T>): Promise<T> {
  const lane = laneOf(env);
  return env.remote ? lane.shared(work) : lane.exclusive(work);
}

/**
 * The last check before a keep is final: the snapshot alone, built and tested on a fresh checkout
 * (fresh-checkout.ts). A candidate that fails it is rejected.
 */
export async function confirmKeep(env: EvaluationEnv, pending: PendingDecision): Promise<void> {
  const commit = pending.snapshot?.commit;
  if (!commit) throw new Error("a candidate is kept only from its snapshot");
  const fresh = await laneOf(env).shared(() =>
    testFreshCheckout({
      root: env.root,
      experiment: env.experiment,
      commit,
      knobs: pending.record.knobs,
      onStep: env.onStep,
      remote: env.remote,
    }),
  );
  env.checkpoint();
  if (!fresh.ok) {
    pending.decision = "rejected";
    pending.reason = freshCheckoutReason(commit, fresh.report);
  }
}

/**
 * The decision recorded (`decided`), then the artifacts (environment drift, the reflexion,
 * summary.md, result.json, the leaderboard) and the commit (a non-keep committed and reverted).
 */
export async function finishEvaluation(
  env: EvaluationEnv,
  state: LoopState,
  candidate: Candidate,
  source: EditSource,
  pending: PendingDecision,
): Promise<Extract<Evaluation, { kind: "decided" }>> {
  const { record, snapshot } = pending;
  let { decision, reason } = pending;
  // Candidate code runs in the tests and the benchmark: a definition it rewrote in the main tree
  // is put back before anything is committed, and the candidate is rejected for it.
  const tampered = await changedDefinition(env.root, env.relativeDir);
  if (tampered.length > 0) {
    await git(["checkout", "HEAD", "--", ...tampered], env.root);
    const violation = `${tampered.join(" and ")} changed while the candidate ran (restored as committed)`;
    record.violations.push(violation);
    [decision, reason] = ["rejected", violation];
  }
  record.decision = decision;
  record.reason = reason;
  env.ledger.append({
    type: "decided",
    iteration: candidate.iteration,
    decision,
    reason,
    ...(record.guard && { guard: record.guard }),
    ...(snapshot && { snapshot: snapshot.commit }),
  });
  faultPoint("after-decide", candidate.iteration);
  env.checkpoint();

  await writeArtifacts(env, candidate, record, source, snapshot, state.best);
  env.onStep("committing");
  const commits = await commitDecided({
    root: env.root,
    candidate: candidate.path,
    experimentPath: env.relativeDir,
    message: commitMessage(env.experiment, candidate.iteration, candidate.strategy),
    decision,
    iteration: candidate.iteration,
    ledger: env.ledger,
    bestBefore: state.best.commit,
    changedFiles: pending.changed,
    ...(snapshot && { snapshot: snapshot.commit }),
  });
  if (decision !== "keep") await restoreExclude(env, candidate.path, pending.changed);
  return { kind: "decided", decision, record, commits };
}

type Attempts = EditCheck & {
  kind: "attempted";
  knobs: Record<string, KnobValue>;
  testOutput: string | null;
} & (
    | /** Its tests pass: decided on its snapshot. */
    { ended: null; snapshot: Snapshot }
    | {
        /**
         * Decided without measuring: `rejected` by the checks (or by the guard whose kind is
         * given), `test-failed` after the last attempt.
         */
        ended: { decision: "rejected" | "test-failed"; reason: string; guard?: GuardKind };
        /** The last attempt as a commit (null: the checks rejected it before any snapshot). */
        snapshot: Snapshot | null;
      }
  );

/**
 * The edits, attempt after attempt, each checked, snapshotted (`snapshotCandidate`), then built and
 * tested in the snapshot's checkout, until one passes or none is left.
 */
async function attemptEdits(
  env: EvaluationEnv,
  state: LoopState,
  candidate: Candidate,
  source: EditSource,
  runs: EvaluationRuns,
): Promise<Attempts | Extract<Evaluation, { kind: "retry" }>> {
  const { experiment, ledger } = env;
  const { iteration } = candidate;
  const best = state.best.commit;
  let feedback: string | null = null;
  let testOutput: string | null = null;
  let check: EditCheck = { changed: [], violations: [], prints: {} };
  let snapshot: Snapshot | null = null;
  for (let attempt = candidate.firstAttempt; ; attempt++) {
    const applied = await source.edit(attempt, feedback);
    if (!applied) {
      return {
        kind: "retry",
        attempt: attempt - 1,
        changedFiles: check.changed,
        report: feedback ?? "",
      };
    }
    const knobs = runKnobValues(experiment, { ...state.best.knobs, ...(applied.knobs ?? {}) });
    env.onStep("checking protected files and scope");
    check = await checkEdits(env, candidate);
    ledger.append({ type: "applied", iteration, attempt, changedFiles: check.changed, knobs });
    faultPoint("after-apply", iteration);
    ledger.append({ type: "checked", iteration, violations: check.violations });
    faultPoint("after-check", iteration);
    env.checkpoint();
    // The experiment's own files are auto-optimize's: whatever the candidate did to them is undone.
    await restoreExperimentFiles(candidate.path, env.relativeDir, check.changed);
    if (check.violations.length > 0) {
      const reason = check.violations.join("; ");
      const ended = { decision: "rejected" as const, reason };
      return { kind: "attempted", knobs, ...check, testOutput, snapshot: null, ended };
    }
    for (const path of check.changed) runs.checkedFiles.add(path);
    snapshot = await snapshotCandidate(env, candidate, best, check.changed, attempt);
    const attempted = { kind: "attempted" as const, knobs, ...check, testOutput };
    const tested = snapshot;
    const result = await laneOf(env).shared(() =>
      buildAndTest({
        experiment,
        cwd: tested.path,
        knobs,
        ledger,
        iteration,
        attempt,
        onStep: env.onStep,
        runs,
        ...(env.remote && { remote: { client: env.remote, commit: tested.commit } }),
      }),
    );
    env.checkpoint();
    if (result.ok) return { ...attempted, snapshot, ended: null };
    if (result.wroteOutside) {
      const ended = { decision: "rejected" as const, reason: result.report };
      return { ...attempted, snapshot, ended: { ...ended, guard: "wrote-outside-run" as const } };
    }
    testOutput = result.report;
    feedback = result.report;
    if (attempt > experiment.testRetries) {
      const reason = testFailedReason(attempt, result.report);
      const ended = { decision: "test-failed" as const, reason };
      return { ...attempted, testOutput, snapshot, ended };
    }
    if (snapshot.path === candidate.path) await undoSnapshot(snapshot, best);
  }
}

/**
 * The decision on a candidate whose tests pass, made on its snapshot: rejected when it changes code
 * the benchmark never runs (if the experiment asks) or a guard finds it computes something else or
 * games the metric; bench-failed when its benchmark gives no usable run; rejected when what was
 * measured is no longer what was checked; else `keep` (pending its fresh checkout,
 * `confirmKeep`) when the interleaved comparison says improved, dropped otherwise.
 */
async function decide(
  env: EvaluationEnv,
  state: LoopState,
  candidate: Candidate,
  record: IterationRecord,
  checked: EditCheck & { snapshot: Snapshot },
  runs: EvaluationRuns,
): Promise<[IterationDecision, string]> {
  const { experiment } = env;
  const { snapshot } = checked;
  if (env.profile?.snapshot) {
    const diff = await snapshotDiff(snapshot);
    const unsampled = flagUnsampled(experiment, record, diff, env.profile.snapshot);
    if (unsampled) return ["rejected", unsampled];
  }
  const measureEnv = {
    experiment,
    ledger: env.ledger,
    worktrees: env.worktrees,
    candidatePath: snapshot.path,
    onStep: env.onStep,
    family: env.generation?.size ?? 1,
    ...(env.remote && { remote: { client: env.remote, candidateCommit: snapshot.commit } }),
  };
  const guarded: GuardContext = {
    experiment,
    dir: env.dir,
    best: { path: env.worktrees.bestPath, knobs: state.best.knobs },
    candidate: { path: snapshot.path, knobs: record.knobs },
    record,
    onStep: env.onStep,
    runs,
  };
  const before = await firstRejection(PRE_MEASURE_GUARDS, guarded).catch(wroteOutsideRejection);
  if (before) return rejectedBy(record, before);
  env.checkpoint();
  const measured = await measureCandidate(measureEnv, state, record, runs);
  if ("failure" in measured) return ["bench-failed", benchFailedReason(measured.failure)];
  if ("reason" in measured)
    return rejectedBy(record, { guard: "wrote-outside-run", reason: measured.reason });
  faultPoint("after-measure", candidate.iteration);
  env.checkpoint();
  const since = await changedSinceCheck(env, candidate, checked);
  if (since.length > 0) return ["rejected", since.join("; ")];
  const after = await firstRejection(MEASURED_GUARDS, guarded, measured);
  if (after) return rejectedBy(record, after);
  if (record.verdict !== "improved") return ["drop", record.reason];
  return ["keep", record.reason];
}

/** summary.md, result.json, result.txt, the reflexion when the source writes it now, the leaderboard. */
async function writeArtifacts(
  env: EvaluationEnv,
  candidate: Candidate,
  record: IterationRecord,
  source: EditSource,
  snapshot: Snapshot | null,
  bestBefore: LoopState["best"],
): Promise<void> {
  record.environmentDrift = await iterationDrift(
    env.dir,
    env.root,
    env.experiment.metric,
    bestBefore,
    record.bestValue,
  );
  const diff = snapshot
    ? await snapshotDiff(snapshot)
    : await codeDiff(candidate.path, env.relativeDir);
  const reflexion = await source.reflect(outcomeOf(record, diff));
  const cost = source.cost?.();
  if (cost) record.cost = cost;
  env.onStep("writing the artifacts");
  const folderPath = join(env.dir, FILES.iterationsDir, candidate.folder);
  await writeIterationArtifacts(folderPath, env.experiment, record, reflexion);
  const { dir, name, experiment, ledger } = env;
  await writePendingLeaderboard(dir, name, experiment, ledger, record, candidate.folder);
  faultPoint("after-artifacts", candidate.iteration);
  env.checkpoint();
}

/** A guard's run that wrote outside its run is the candidate's rejection; anything else is thrown. */
function wroteOutsideRejection(error: unknown): GuardRejection {
  if (error instanceof CandidateWroteOutside)
    return { guard: "wrote-outside-run", reason: error.message };
  throw error;
}

/** A guard's rejection, marked on the record: the decision and its reason. */
function rejectedBy(record: IterationRecord, rejection: GuardRejection): ["rejected", string] {
  record.guard = rejection.guard;
  return ["rejected", rejection.reason];
}
