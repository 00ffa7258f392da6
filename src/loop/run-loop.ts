import { join, relative } from "node:path";
import type { Agent } from "../agent/types.js";
import { AutoOptimizeError, InterruptedError, USER_INTERRUPT, UsageError } from "../errors.js";
import { requireIntact } from "../experiment/intact.js";
import type { Ledger } from "../experiment/ledger.js";
import { acquireRunLock } from "../experiment/run-lock.js";
import type { Experiment } from "../experiment/schema.js";
import { deriveState, type FinishedIteration, type LoopState } from "../experiment/state.js";
import { withInterrupt } from "../measure/interrupt.js";
import type { QueueClient } from "../queue/client.js";
import { changedFiles } from "../workspace/files.js";
import { git, openRepository, type Repository } from "../workspace/git.js";
import { stageToolFiles } from "../workspace/stage-tool-files.js";
import { runGeneration } from "./generation.js";
import { profileCurrentBest } from "./profile-best.js";
import { recoverAll } from "./recover.js";
import { costSpentReason, type StopLimits, stopReason } from "./stop-reason.js";
import { LoopWorktrees } from "./worktrees.js";

export interface LoopOptions {
  root: string;
  name: string;
  /** Absolute experiment folder. */
  dir: string;
  experiment: Experiment;
  ledger: Ledger;
  agent: Agent;
  /** Total iteration budget (default: the experiment's). */
  iterations?: number;
  /** Candidates per generation (`run --parallel K`; default 1: one at a time). */
  parallel?: number;
  maxMinutes?: number;
  maxCostUsd?: number;
  continueAfterTarget?: boolean;
  /** Text table of the current best's hot spots, when a profiler is wired in. */
  hotspots?: (bestWorktree: string) => Promise<string | null>;
  onStep?: (iteration: number, step: string, detail?: string) => void;
  /** After each generation: the state, and the iterations it decided (a keep last). */
  onIteration?: (state: LoopState, decided: FinishedIteration[]) => void;
  /** Builds, tests and comparisons go to this queue's workers (`run --queue`). */
  remote?: QueueClient;
}

export interface LoopOutcome {
  reason: string;
  interrupted: boolean;
  state: LoopState;
}

/**
 * The autonomous loop: resumes whatever the ledger says was left unfinished, then runs
 * iterations until the target, the budgets, the patience or the agent's ideas run out, or the
 * user presses Ctrl-C (the current iteration is undone; a second Ctrl-C exits at once and the next
 * `run` resumes from the ledger).
 */
export async function runLoop(options: LoopOptions): Promise<LoopOutcome> {
  const repository = await openRepository(options.root);
  const release = acquireRunLock(repository.gitDir, options.name);
  try {
    return await withInterrupt((signal) => loop(options, repository, signal));
  } finally {
    release();
  }
}

async function loop(
  options: LoopOptions,
  repository: Repository,
  signal: AbortSignal,
): Promise<LoopOutcome> {
  const { experiment, ledger } = options;
  const relativeDir = relative(repository.root, options.dir);
  await ensureBranch(repository.root, experiment, relativeDir);
  await requireIntact(repository.root, relativeDir, ledger);
  let state = deriveState(experiment, ledger);
  if (!state.baseline) {
    throw new UsageError(
      "no-baseline",
      `the baseline of ${options.name} is not locked: run 'auto-optimize baseline' first.`,
    );
  }
  const worktrees = new LoopWorktrees(repository, options.name);
  // What the ledger says was left unfinished, brought back in line (see recover.ts).
  const recover = () =>
    recoverAll(
      repository.root,
      relativeDir,
      experiment,
      ledger,
      (slot) => worktrees.forSlot(slot).candidatePath,
    );
  const recovered = await recover();
  await options.remote?.cancelLeftOver();
  state = deriveState(experiment, ledger);
  ledger.append({ type: "run-started", agent: options.agent.name });

  const limits: StopLimits = {
    iterations: options.iterations,
    continueAfterTarget: options.continueAfterTarget,
    startedAt: Date.now(),
    maxMinutes: options.maxMinutes,
    maxCostUsd: options.maxCostUsd,
  };
  // Cost: what the agent spent before this run is in the ledger; this run adds the agent's growth.
  let recordedUsd = 0;
  let recordedTokens = 0;
  const recordCost = (iteration: number) => {
    const usage = options.agent.usage?.();
    if (!usage) return;
    const tokens = usage.inputTokens + usage.outputTokens;
    if (usage.usd === recordedUsd && tokens === recordedTokens) return;
    ledger.append({
      type: "cost",
      iteration,
      usd: usage.usd - recordedUsd,
      tokens: tokens - recordedTokens,
    });
    recordedUsd = usage.usd;
    recordedTokens = tokens;
  };
  // At every step boundary of an iteration: Ctrl-C, or the cost budget spent by this iteration.
  const checkpoint = () => {
    if (signal.aborted) throw new InterruptedError(USER_INTERRUPT);
    if (options.maxCostUsd === undefined) return;
    const spent = state.costUsd + (options.agent.usage?.().usd ?? 0) - recordedUsd;
    if (spent >= options.maxCostUsd) {
      throw new InterruptedError(costSpentReason(spent, options.maxCostUsd), false);
    }
  };
  let reason: string | null = null;
  let interrupted = false;
  if (recovered !== "none")
    options.onStep?.(state.nextIteration, `resumed (${recovered} an interrupted iteration)`);
  while (reason === null) {
    reason = signal.aborted ? USER_INTERRUPT : stopReason(experiment, state, limits);
    if (reason !== null) break;
    const iteration = state.nextIteration;
    const profile = options.hotspots
      ? null
      : await profileCurrentBest(
          experiment,
          worktrees,
          state,
          join(worktrees.base, "profile"),
          (detail) => options.onStep?.(iteration, "profiling", detail),
        );
    const hotspots = options.hotspots
      ? await options.hotspots(worktrees.bestPath)
      : (profile?.hotspots ?? null);
    const budget = (options.iterations ?? experiment.iterations) - state.finished.length;
    try {
      const result = await runGeneration(
        {
          root: repository.root,
          experiment,
          name: options.name,
          dir: options.dir,
          relativeDir,
          ledger,
          agent: options.agent,
          worktrees,
          hotspots,
          profile,
          checkpoint,
          onStep: (step, detail) => options.onStep?.(iteration, step, detail),
          stepsOf: (n) => (step, detail) => options.onStep?.(n, step, detail),
          ...(options.remote && { remote: options.remote }),
        },
        state,
        Math.max(1, Math.min(options.parallel ?? 1, budget)),
      );
      if (result.kind === "exhausted") reason = `${options.agent.name} has nothing left to try`;
    } catch (error) {
      if (!(error instanceof InterruptedError) && !signal.aborted) throw error;
      await recover();
      reason = error instanceof InterruptedError && !error.byUser ? error.reason : USER_INTERRUPT;
      interrupted = reason === USER_INTERRUPT;
    }
    // The cost goes to the generation's last committed iteration (its first, when none committed).
    const lastCommitted = deriveState(experiment, ledger).finished.at(-1)?.iteration ?? 0;
    recordCost(Math.max(iteration, lastCommitted));
    const before = state.finished.length;
    state = deriveState(experiment, ledger);
    options.onIteration?.(state, state.finished.slice(before));
  }
  ledger.append({ type: "stopped", reason });
  await commitLedger(
    repository.root,
    relativeDir,
    `experiment(${experiment.id}): stopped — ${reason}`,
  );
  await worktrees.remove();
  return { reason, interrupted, state: deriveState(experiment, ledger) };
}

/** The loop works on the experiment's branch; it switches to it when the tree allows. */
async function ensureBranch(
  root: string,
  experiment: Experiment,
  relativeDir: string,
): Promise<void> {
  const current = await git(["branch", "--show-current"], root);
  if (current === experiment.branch) return;
  const dirty = (await changedFiles(root)).filter((p) => !p.startsWith(`${relativeDir}/`));
  if (dirty.length > 0) {
    throw new UsageError(
      "dirty-tree",
      `the loop runs on branch ${experiment.branch} but ${current || "a detached HEAD"} is checked out with changes (${dirty.slice(0, 5).join(", ")}). Commit or stash them first.`,
    );
  }
  try {
    await git(["checkout", "--quiet", experiment.branch], root);
  } catch (error) {
    throw new AutoOptimizeError(
      "branch",
      `cannot switch to ${experiment.branch}: ${(error as Error).message}`,
    );
  }
}

/** Leaves the tree clean: the ledger's last events are committed with the experiment folder. */
async function commitLedger(root: string, relativeDir: string, message: string): Promise<void> {
  await stageToolFiles(root, [relativeDir]);
  const staged = await git(["diff", "--cached", "--name-only", "--", relativeDir], root);
  if (staged) await git(["commit", "--quiet", "-m", message, "--", relativeDir], root);
}
