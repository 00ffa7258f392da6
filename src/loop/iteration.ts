import { join } from "node:path";
import type { Agent, AgentUsage } from "../agent/types.js";
import { AutoOptimizeError } from "../errors.js";
import type { IterationDecision } from "../experiment/events.js";
import { FILES, iterationName, slugify } from "../experiment/layout.js";
import type { Ledger } from "../experiment/ledger.js";
import type { ProtectedHashes } from "../experiment/protected-files.js";
import type { Experiment, KnobValue } from "../experiment/schema.js";
import { type LoopState, runKnobValues } from "../experiment/state.js";
import { type BestProfile, snapshotIntoIteration, wantsDisassembly } from "../profile/snapshot.js";
import { git } from "../workspace/git.js";
import {
  createIterationFolder,
  outcomeOf,
  writeIterationArtifacts,
  writePendingLeaderboard,
  writePlan,
} from "./artifacts.js";
import { checkCandidate } from "./checks.js";
import { buildAndTest, testFailedReason } from "./commands.js";
import { commitDecided, commitMessage } from "./commit.js";
import { iterationContext } from "./context.js";
import { driftSinceBaseline } from "./drift.js";
import { faultPoint } from "./fault.js";
import { flagUnsampled, newIterationRecord } from "./iteration-record.js";
import { measureCandidate } from "./measure-candidate.js";
import type { LoopWorktrees } from "./worktrees.js";

export interface IterationEnv {
  root: string;
  experiment: Experiment;
  name: string;
  /** Absolute experiment folder, and the same relative to the root. */
  dir: string;
  relativeDir: string;
  ledger: Ledger;
  agent: Agent;
  worktrees: LoopWorktrees;
  locked: ProtectedHashes;
  hotspots: string | null;
  /** The best's profile (table, speedscope file, disassembly) staged for this iteration's folder. */
  profile?: BestProfile | null;
  /** Set by Ctrl-C; checked at every step boundary before the commit. */
  stop: { requested: boolean };
  /** A budget that ran out during the iteration (the cost of model calls), checked at the same boundaries. */
  budgetSpent?: () => string | null;
  onStep: (step: string, detail?: string) => void;
}

/**
 * Thrown at a step boundary after Ctrl-C or when a budget ran out mid-iteration: the iteration is
 * undone, never left half-applied.
 */
export class Interrupted extends AutoOptimizeError {
  constructor(readonly reason: string) {
    super("interrupted", reason, 1);
  }
}

export const USER_INTERRUPT = "interrupted by the user (Ctrl-C); run again to continue";

export type IterationResult = { kind: "done"; decision: IterationDecision } | { kind: "exhausted" };

/** One iteration: plan → apply → check → build/test → measure → decide → reflect → commit. */
export async function runIteration(env: IterationEnv, state: LoopState): Promise<IterationResult> {
  const { experiment, ledger, agent, worktrees } = env;
  const iteration = state.nextIteration;
  const boundary = () => {
    if (env.stop.requested) throw new Interrupted(USER_INTERRUPT);
    const spent = env.budgetSpent?.();
    if (spent) throw new Interrupted(spent);
  };
  const usageAtStart = agent.usage?.();
  ledger.append({ type: "iteration-started", iteration, best: state.best.commit });
  faultPoint("after-start", iteration);

  env.onStep("preparing");
  await worktrees.checkout(worktrees.candidatePath, state.best.commit);
  const context = await iterationContext(
    {
      experiment,
      root: env.root,
      dir: env.dir,
      worktree: worktrees.candidatePath,
      hotspots: env.hotspots,
    },
    state,
    iteration,
  );
  boundary();

  env.onStep("planning");
  const plan = await agent.plan(context);
  if (!plan) {
    ledger.append({
      type: "iteration-abandoned",
      iteration,
      reason: `${agent.name} has nothing left to try`,
    });
    return { kind: "exhausted" };
  }
  const folder = iterationName(iteration, slugify(plan.strategy));
  const folderPath = join(env.dir, FILES.iterationsDir, folder);
  await createIterationFolder(folderPath);
  await writePlan(folderPath, plan);
  const hot = await snapshotIntoIteration(env.profile, folderPath, wantsDisassembly(plan.data));
  if (hot) context.hotspots = hot;
  ledger.append({ type: "planned", iteration, strategy: plan.strategy, folder });
  faultPoint("after-plan", iteration);
  boundary();

  let decision: IterationDecision | null = null;
  let reason = "";
  let feedback: string | null = null;
  let knobs: Record<string, KnobValue> = state.best.knobs;
  let changed: string[] = [];
  let violations: string[] = [];
  let testOutput: string | null = null;
  for (let attempt = 1; decision === null; attempt++) {
    env.onStep(attempt === 1 ? "applying" : `applying (retry ${attempt - 1})`);
    const applied = await agent.apply(context, plan, feedback);
    knobs = runKnobValues(experiment, { ...state.best.knobs, ...(applied.knobs ?? {}) });
    const check = await checkCandidate(worktrees.candidatePath, experiment, env.locked);
    changed = check.changed;
    violations = check.violations;
    ledger.append({ type: "applied", iteration, attempt, changedFiles: changed, knobs });
    faultPoint("after-apply", iteration);
    ledger.append({ type: "checked", iteration, violations });
    faultPoint("after-check", iteration);
    boundary();
    if (violations.length > 0) {
      decision = "rejected";
      reason = violations.join("; ");
      break;
    }
    const result = await buildAndTest({
      experiment,
      cwd: worktrees.candidatePath,
      knobs,
      ledger,
      iteration,
      attempt,
      onStep: env.onStep,
    });
    boundary();
    if (result.ok) break;
    testOutput = result.report;
    feedback = result.report;
    if (attempt > experiment.testRetries) {
      decision = "test-failed";
      reason = testFailedReason(attempt, result.report);
    }
  }

  const record = newIterationRecord(experiment, {
    iteration,
    strategy: plan.strategy,
    reason,
    baselineValue: state.baseline?.value ?? null,
    knobs,
    changedFiles: changed,
    violations,
    testOutput,
  });
  if (env.profile?.snapshot) {
    const diff = await git(["diff", "HEAD"], worktrees.candidatePath);
    const rejection = flagUnsampled(experiment, record, diff, env.profile.snapshot);
    if (rejection && decision === null) {
      decision = "rejected";
      reason = rejection;
    }
  }
  if (decision === null) {
    await measureCandidate({ ...env, candidatePath: worktrees.candidatePath }, state, record);
    faultPoint("after-measure", iteration);
    boundary();
    decision = record.verdict === "improved" ? "keep" : "drop";
    reason = record.reason;
  }
  record.decision = decision;
  record.reason = reason;
  ledger.append({ type: "decided", iteration, decision, reason });
  faultPoint("after-decide", iteration);
  boundary();

  env.onStep("reflecting");
  await git(["add", "-A"], worktrees.candidatePath);
  const diff = await git(["diff", "--cached", "HEAD"], worktrees.candidatePath);
  record.environmentDrift = await driftSinceBaseline(env.dir, env.root);
  const reflexion = await agent.reflect(context, plan, outcomeOf(record, diff));
  const usageNow = agent.usage?.();
  if (usageAtStart && usageNow) record.cost = usageSince(usageAtStart, usageNow);
  await writeIterationArtifacts(folderPath, experiment, record, reflexion);
  await writePendingLeaderboard(env.dir, env.name, experiment, ledger, record, folder);
  faultPoint("after-artifacts", iteration);
  boundary();

  env.onStep("committing");
  await commitDecided({
    root: env.root,
    candidate: worktrees.candidatePath,
    experimentPath: env.relativeDir,
    message: commitMessage(experiment, iteration, plan.strategy),
    decision,
    iteration,
    ledger,
    bestBefore: state.best.commit,
  });
  return { kind: "done", decision };
}

function usageSince(start: AgentUsage, now: AgentUsage): AgentUsage {
  return {
    usd: now.usd - start.usd,
    inputTokens: now.inputTokens - start.inputTokens,
    outputTokens: now.outputTokens - start.outputTokens,
    cachedTokens: now.cachedTokens - start.cachedTokens,
  };
}
