import { join } from "node:path";
import { InterruptedError } from "../../errors.js";
import type { IterationDecision } from "../../experiment/events.js";
import type { GuardKind } from "../../experiment/guard-kinds.js";
import { deriveState } from "../../experiment/state.js";
import type { Verdict } from "../../measure/decision.js";
import { QueueClient } from "../../queue/client.js";
import type { QueueUrl } from "../../queue/url.js";
import type { IterationRecord } from "../artifacts.js";
import { hostEdits } from "../edit-sources.js";
import { type Evaluation, evaluateCandidate } from "../evaluate.js";
import { readIterationRecord } from "../iteration-record-schema.js";
import { stopReason } from "../stop-reason.js";
import { stagedProfile } from "./profile.js";
import { type HostPosition, hostPosition, requireStep, stepCommand, stopHint } from "./protocol.js";
import { recoverHost } from "./recover.js";
import { type HostOptions, type HostSession, iterationPath, withHostSession } from "./session.js";

export interface EvaluateResult {
  experiment: string;
  iteration: number;
  strategy: string;
  /**
   * keep, drop, rejected, test-failed or bench-failed: decided and committed (a non-keep is reverted). retry:
   * the build or tests failed with attempts left; nothing was committed, the host fixes and
   * evaluates again.
   */
  decision: IterationDecision | "retry";
  result: {
    /** The reason of the decision, with the interval when measured. */
    reason: string;
    verdict: Verdict | null;
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
    /** The check besides speed that rejected the edits, when one did (its evidence is in reason). */
    guard: GuardKind | null;
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
 * `step evaluate`: the one evaluation every agent goes through (loop/evaluate.ts) on the host's
 * edits in the main working tree — protected files and scope, build, tests, the interleaved
 * comparison against the current best's worktree, the decision, the artifacts, the leaderboard and
 * the commits (a non-keep is committed and reverted). Failing tests with retries left go back to
 * the host. Ctrl-C stops it at the next step boundary, rolled back with the edits kept.
 */
export async function stepEvaluate(
  options: HostOptions & { queue?: QueueUrl },
): Promise<EvaluateResult> {
  return withHostSession(options, async (session) => {
    const { opened, root } = session;
    const { experiment, ledger } = opened;
    const position = hostPosition(experiment, ledger);
    // Evaluated already (a host that lost the answer, or a kill after the commit): the record.
    if (position.expected === "reflect") return recorded(session, position);
    requireStep(position, "evaluate", session.via);
    const { iteration, state } = position;
    const strategy = position.strategy as string;
    const attempt = position.failedAttempts + 1;
    let evaluation: Evaluation;
    const remote = options.queue && (await QueueClient.open(options.queue, root, experiment));
    await remote?.cancelLeftOver();
    try {
      evaluation = await evaluateCandidate(
        {
          root,
          experiment,
          name: opened.name,
          dir: opened.dir,
          relativeDir: opened.path,
          ledger,
          worktrees: session.worktrees,
          profile: await stagedProfile(session, iteration),
          checkpoint: session.checkpoint,
          onStep: (step, detail) => session.progress(detail ? `${step}: ${detail}` : step),
          ...(remote && { remote }),
        },
        state,
        {
          iteration,
          strategy,
          folder: position.folder as string,
          path: root,
          firstAttempt: attempt,
        },
        hostEdits(attempt),
      );
    } catch (error) {
      if (error instanceof InterruptedError) await recoverHost(session);
      throw error;
    } finally {
      await remote?.close();
    }
    if (evaluation.kind === "retry") {
      return retry(session, iteration, strategy, evaluation);
    }
    const { decision, record, commits } = evaluation;
    const stop = stopReason(experiment, deriveState(experiment, ledger));
    return {
      experiment: opened.name,
      iteration,
      strategy,
      decision,
      ...measuredOutcome(record),
      commits,
      stop,
      nextHint: decidedHint(session, decision, record.reason, stop),
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
  const record = readIterationRecord(join(iterationPath(session, folder), "result.json"));
  const committed = ledger
    .ofType("committed")
    .filter((e) => e.iteration === position.iteration)
    .at(-1);
  const decision = committed?.decision ?? record.decision;
  const stop = stopReason(experiment, position.state);
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
      guard: record.guard ?? null,
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
  evaluation: Extract<Evaluation, { kind: "retry" }>,
): EvaluateResult {
  const { attempt, changedFiles, report } = evaluation;
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
      guard: null,
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
    "runner-up": `a runner-up (${reason}): improved, but a sibling improved more; the attempt is committed and reverted`,
    rejected: `rejected (${reason}): the attempt is committed and reverted — protected files and files outside the scope may not change`,
    "test-failed": `test-failed (${reason}): the attempt is committed and reverted`,
    "bench-failed": `${reason.split("\n")[0]} — the failure and the last lines of its output are in result.reason: the attempt is committed and reverted, the best is unchanged`,
  }[decision];
  const reflect = stepCommand("reflect", session.via);
  const then = stop
    ? `then ${stopHint(stop, session.via)}`
    : `then open the next iteration with ${stepCommand("next", session.via)}.`;
  return `${what}. Write the reflexion — what surprised you, concrete lessons, directions left unexplored — and record it with ${reflect}; ${then}`;
}
