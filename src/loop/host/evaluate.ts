import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { IterationDecision } from "../../experiment/events.js";
import { FILES } from "../../experiment/layout.js";
import type { ProtectedHashes } from "../../experiment/protected-files.js";
import { deriveState, runKnobValues } from "../../experiment/state.js";
import { git } from "../../workspace/git.js";
import {
  type IterationRecord,
  writeIterationArtifacts,
  writePendingLeaderboard,
} from "../artifacts.js";
import { checkCandidate } from "../checks.js";
import { buildAndTest, testFailedReason } from "../commands.js";
import { commitDecided, commitMessage } from "../commit.js";
import { driftSinceBaseline } from "../drift.js";
import { faultPoint } from "../fault.js";
import { flagUnsampled, newIterationRecord } from "../iteration-record.js";
import { measureCandidate } from "../measure-candidate.js";
import { stagedProfile } from "./profile.js";
import { type HostPosition, hostPosition, requireStep, stepCommand } from "./protocol.js";
import {
  committedProtected,
  type HostOptions,
  type HostSession,
  iterationPath,
  withHostSession,
} from "./session.js";
import { hostStopReason } from "./stop.js";

export interface EvaluateResult {
  experiment: string;
  iteration: number;
  strategy: string;
  /**
   * keep, drop, rejected or test-failed: decided and committed (a non-keep is reverted). retry:
   * the build or tests failed with attempts left; nothing was committed, the host fixes and
   * evaluates again.
   */
  decision: IterationDecision | "retry";
  result: {
    /** The reason of the decision, with the interval when measured. */
    reason: string;
    verdict: string | null;
    /** Medians of the experiment's metric in this comparison. */
    value: number | null;
    bestValue: number | null;
    baselineValue: number | null;
    rounds: number | null;
    changedFiles: string[];
    violations: string[];
    /** The failing build or test command's report (its output's tail). */
    testOutput: string | null;
    /** Changed functions without samples in the best's profile: the benchmark does not run them. */
    unsampledFunctions: string[];
  };
  /** Improvement over the current best (a fraction; positive is better) with its interval. */
  delta: {
    improvement: number | null;
    ci: [number, number] | null;
    /** The candidate's median against the locked baseline (medians from different runs). */
    vsBaseline: number | null;
  };
  /** The attempt commit, then its revert for anything but a keep. */
  commits: string[];
  /** A stop condition that now holds (the next step is the report, after the reflexion). */
  stop: string | null;
  nextHint: string;
  /**
   * The iteration had been evaluated already (an answer the host lost, or an evaluation killed
   * after its commit and completed by recovery): its recorded outcome, nothing measured again.
   */
  replayed: boolean;
  recovered: string | null;
}

/**
 * `step evaluate`: the autonomous loop's checks and measurement on the host's edits in the main
 * working tree — protected files and scope, build, tests, the interleaved comparison against the
 * current best's worktree — then the decision, the artifacts, the leaderboard and the commits
 * (a non-keep is committed and reverted). Failing tests with retries left go back to the host.
 */
export async function stepEvaluate(options: HostOptions): Promise<EvaluateResult> {
  return withHostSession(options, async (session) => {
    const { opened, root } = session;
    const { experiment, ledger } = opened;
    const position = hostPosition(experiment, ledger);
    // Evaluated already (a host that lost the answer, or a kill after the commit): the record.
    if (position.expected === "reflect") return recorded(session, position);
    requireStep(position, "evaluate", session.via);
    const { iteration, state } = position;
    const strategy = position.strategy as string;
    const folder = position.folder as string;
    const attempt = position.failedAttempts + 1;
    const knobs = runKnobValues(experiment, state.best.knobs);

    session.progress("checking protected files and scope");
    const check = await checkEdits(session, await committedProtected(session), folder);
    ledger.append({ type: "applied", iteration, attempt, changedFiles: check.changed, knobs });
    faultPoint("after-apply", iteration);
    ledger.append({ type: "checked", iteration, violations: check.violations });
    faultPoint("after-check", iteration);

    let decision: IterationDecision | null = null;
    let reason = "";
    let testOutput: string | null = null;
    if (check.violations.length > 0) {
      decision = "rejected";
      reason = check.violations.join("; ");
      await restoreExperimentFiles(session, check.experimentFiles);
    } else {
      const result = await buildAndTest({
        experiment,
        cwd: root,
        knobs,
        ledger,
        iteration,
        attempt,
        onStep: session.progress,
      });
      if (!result.ok) {
        testOutput = result.report;
        if (attempt <= experiment.testRetries) {
          return retry(session, iteration, strategy, attempt, check.changed, result.report);
        }
        decision = "test-failed";
        reason = testFailedReason(attempt, result.report);
      }
    }

    const record = newIterationRecord(experiment, {
      iteration,
      strategy,
      reason,
      baselineValue: state.baseline?.value ?? null,
      knobs,
      changedFiles: check.changed,
      violations: check.violations,
      testOutput,
    });
    const profile = await stagedProfile(session, iteration);
    if (profile?.snapshot) {
      // As the loop does: changed code the benchmark never runs is flagged, or rejected if asked.
      const diff = await git(["diff", "HEAD", "--", ".", `:!${opened.path}`], root);
      const rejection = flagUnsampled(experiment, record, diff, profile.snapshot);
      if (rejection && decision === null) {
        decision = "rejected";
        reason = rejection;
      }
    }
    if (decision === null) {
      await measureCandidate(
        {
          experiment,
          ledger,
          worktrees: session.worktrees,
          candidatePath: root,
          onStep: (step, detail) => session.progress(detail ? `${step}: ${detail}` : step),
        },
        state,
        record,
      );
      faultPoint("after-measure", iteration);
      decision = record.verdict === "improved" ? "keep" : "drop";
      reason = record.reason;
    }
    record.decision = decision;
    record.reason = reason;
    ledger.append({ type: "decided", iteration, decision, reason });
    faultPoint("after-decide", iteration);

    session.progress("writing the artifacts");
    const folderPath = iterationPath(session, folder);
    record.environmentDrift = await driftSinceBaseline(opened.dir, root);
    await writeIterationArtifacts(folderPath, experiment, record, "");
    // The reflexion is the host's to write (`step reflect`); an empty one is no reflexion.
    await rm(join(folderPath, "reflexion.md"), { force: true });
    await writePendingLeaderboard(opened.dir, opened.name, experiment, ledger, record, folder);
    faultPoint("after-artifacts", iteration);

    session.progress("committing");
    const commits = await commitDecided({
      root,
      candidate: root,
      experimentPath: opened.path,
      message: commitMessage(experiment, iteration, strategy),
      decision,
      iteration,
      ledger,
      bestBefore: state.best.commit,
    });

    const stop = hostStopReason(experiment, deriveState(experiment, ledger));
    return {
      experiment: opened.name,
      iteration,
      strategy,
      decision,
      ...measuredOutcome(record),
      commits,
      stop,
      nextHint: decidedHint(session, decision, reason, stop),
      replayed: false,
      recovered: session.recovered,
    };
  });
}

/** The outcome of the iteration evaluated last, as recorded in its result.json and the ledger. */
async function recorded(session: HostSession, position: HostPosition): Promise<EvaluateResult> {
  const { opened } = session;
  const { experiment, ledger } = opened;
  const folder = position.folder as string;
  const record = JSON.parse(
    await readFile(join(iterationPath(session, folder), "result.json"), "utf8"),
  ) as IterationRecord;
  const committed = ledger
    .ofType("committed")
    .filter((e) => e.iteration === position.iteration)
    .at(-1);
  const decision = committed?.decision ?? record.decision;
  const stop = hostStopReason(experiment, position.state);
  return {
    experiment: opened.name,
    iteration: position.iteration,
    strategy: record.strategy,
    decision,
    ...measuredOutcome(record),
    commits: committed?.commits ?? [],
    stop,
    nextHint: decidedHint(session, decision, record.reason, stop),
    replayed: true,
    recovered: session.recovered,
  };
}

/** The result and delta of a decided iteration, from its record. */
function measuredOutcome(record: IterationRecord): Pick<EvaluateResult, "result" | "delta"> {
  return {
    result: {
      reason: record.reason,
      verdict: record.verdict,
      value: record.value,
      bestValue: record.bestValue,
      baselineValue: record.baselineValue,
      rounds: record.rounds,
      changedFiles: record.changedFiles,
      violations: record.violations,
      testOutput: record.testOutput,
      unsampledFunctions: record.unsampledFunctions ?? [],
    },
    delta: {
      improvement: record.improvement,
      ci: record.ci,
      vsBaseline:
        record.value !== null && record.baselineValue
          ? record.value / record.baselineValue - 1
          : null,
    },
  };
}

function retry(
  session: HostSession,
  iteration: number,
  strategy: string,
  attempt: number,
  changedFiles: string[],
  report: string,
): EvaluateResult {
  const allowed = session.opened.experiment.testRetries + 1;
  return {
    experiment: session.opened.name,
    iteration,
    strategy,
    decision: "retry",
    result: {
      reason: report.split("\n")[0] ?? report,
      verdict: null,
      value: null,
      bestValue: null,
      baselineValue: null,
      rounds: null,
      changedFiles,
      violations: [],
      testOutput: report,
      unsampledFunctions: [],
    },
    delta: { improvement: null, ci: null, vsBaseline: null },
    commits: [],
    stop: null,
    replayed: false,
    nextHint: `the build or the tests failed (attempt ${attempt} of ${allowed}): fix the failure shown in testOutput in the working tree — without touching the tests — and run ${stepCommand("evaluate", session.via)} again. After ${allowed} failed attempts the iteration ends as test-failed.`,
    recovered: session.recovered,
  };
}

function decidedHint(
  session: HostSession,
  decision: IterationDecision,
  reason: string,
  stop: string | null,
): string {
  const what = {
    keep: "kept: the change is committed and is the new best",
    drop: `dropped (${reason}): the attempt is committed and reverted, the best is unchanged`,
    rejected: `rejected (${reason}): the attempt is committed and reverted — protected files and files outside the scope may not change`,
    "test-failed": `test-failed (${reason}): the attempt is committed and reverted`,
  }[decision];
  const reflect = stepCommand("reflect", session.via);
  const then = stop
    ? `then stop (${stop}) and write the final report with ${session.via === "mcp" ? "the report tool" : "`auto-optimize report`"}`
    : `then open the next iteration with ${stepCommand("next", session.via)}`;
  return `${what}. Write the reflexion — what surprised you, concrete lessons, directions left unexplored — and record it with ${reflect}; ${then}.`;
}

interface EditCheck {
  /** Files the host changed (the experiment's own bookkeeping left out). */
  changed: string[];
  violations: string[];
  /** Files inside the experiment folder the host changed: restored when the edit is rejected. */
  experimentFiles: string[];
}

/**
 * The loop's check of an agent's edit (protected files, scope) on the main working tree, where the
 * experiment folder also holds what auto-optimize itself wrote since the last commit: the ledger's
 * new lines and the open iteration's folder. Those are not the host's edits; any other change in
 * the experiment folder is (and is refused as protected).
 */
async function checkEdits(
  session: HostSession,
  locked: ProtectedHashes,
  folder: string,
): Promise<EditCheck> {
  const { opened, root } = session;
  const check = await checkCandidate(root, opened.experiment, locked);
  const ledger = `${opened.path}/${FILES.ledger}`;
  const iterationFolder = `${opened.path}/${FILES.iterationsDir}/${folder}/`;
  const own = new Set(check.changed.filter((p) => p === ledger || p.startsWith(iterationFolder)));
  const changed = check.changed.filter((p) => !own.has(p));
  return {
    changed,
    violations: check.violations.filter((v) => ![...own].some((p) => v.startsWith(`${p} is `))),
    experimentFiles: changed.filter((p) => p.startsWith(`${opened.path}/`)),
  };
}

/** Puts experiment files the host changed back as committed (new ones are removed). */
async function restoreExperimentFiles(session: HostSession, paths: string[]): Promise<void> {
  for (const path of paths) {
    const tracked = await git(["ls-tree", "--name-only", "HEAD", "--", path], session.root);
    if (tracked) await git(["checkout", "HEAD", "--", path], session.root);
    else await rm(join(session.root, path), { recursive: true, force: true });
  }
}
