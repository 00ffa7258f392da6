import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { Agent } from "../agent/types.js";
import { AutoOptimizeError, UsageError } from "../errors.js";
import { FILES } from "../experiment/layout.js";
import type { Ledger } from "../experiment/ledger.js";
import type { ProtectedHashes } from "../experiment/protected-files.js";
import type { Experiment } from "../experiment/schema.js";
import { deriveState, type LoopState, targetReached } from "../experiment/state.js";
import { changedFiles } from "../workspace/files.js";
import { git, openRepository } from "../workspace/git.js";
import { Interrupted, runIteration, USER_INTERRUPT } from "./iteration.js";
import { profileCurrentBest } from "./profile-best.js";
import { recoverUnfinished } from "./recover.js";
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
  maxMinutes?: number;
  maxCostUsd?: number;
  continueAfterTarget?: boolean;
  /** Text table of the current best's hot spots, when a profiler is wired in. */
  hotspots?: (bestWorktree: string) => Promise<string | null>;
  onStep?: (iteration: number, step: string, detail?: string) => void;
  onIteration?: (state: LoopState) => void;
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
  const { root, experiment, ledger } = options;
  const repository = await openRepository(root);
  const relativeDir = relative(repository.root, options.dir);
  await ensureBranch(root, experiment, relativeDir);
  let state = deriveState(experiment, ledger);
  if (!state.baseline) {
    throw new UsageError(
      "no-baseline",
      `the baseline of ${options.name} is not locked: run 'auto-optimize baseline' first.`,
    );
  }
  const locked = JSON.parse(
    await readFile(join(options.dir, FILES.protected), "utf8"),
  ) as ProtectedHashes;
  const worktrees = new LoopWorktrees(repository, options.name);

  const recovered = await recoverUnfinished(
    repository.root,
    relativeDir,
    experiment,
    ledger,
    state,
  );
  state = deriveState(experiment, ledger);
  ledger.append({ type: "run-started", agent: options.agent.name });

  const stop = { requested: false };
  const onSignal = () => {
    if (stop.requested) process.exit(130);
    stop.requested = true;
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const startedAt = Date.now();
  const budget = options.iterations ?? experiment.iterations;
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
  const costSpent = (): string | null => {
    if (options.maxCostUsd === undefined) return null;
    const spent = state.costUsd + (options.agent.usage?.().usd ?? 0) - recordedUsd;
    return spent >= options.maxCostUsd
      ? `cost budget spent ($${spent.toFixed(2)} of $${options.maxCostUsd})`
      : null;
  };
  let reason: string | null = null;
  let interrupted = false;
  try {
    if (recovered !== "none")
      options.onStep?.(state.nextIteration, `resumed (${recovered} an interrupted iteration)`);
    while (reason === null) {
      reason = stopReason(options, state, budget, startedAt, stop.requested);
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
      try {
        const result = await runIteration(
          {
            root: repository.root,
            experiment,
            name: options.name,
            dir: options.dir,
            relativeDir,
            ledger,
            agent: options.agent,
            worktrees,
            locked,
            hotspots,
            profile,
            stop,
            budgetSpent: costSpent,
            onStep: (step, detail) => options.onStep?.(iteration, step, detail),
          },
          state,
        );
        if (result.kind === "exhausted") reason = `${options.agent.name} has nothing left to try`;
      } catch (error) {
        if (!(error instanceof Interrupted) && !stop.requested) throw error;
        state = deriveState(experiment, ledger);
        await recoverUnfinished(repository.root, relativeDir, experiment, ledger, state);
        reason = error instanceof Interrupted ? error.reason : USER_INTERRUPT;
        interrupted = reason === USER_INTERRUPT;
      }
      recordCost(iteration);
      state = deriveState(experiment, ledger);
      options.onIteration?.(state);
    }
    ledger.append({ type: "stopped", reason });
    await commitLedger(
      repository.root,
      relativeDir,
      `experiment(${experiment.id}): stopped — ${reason}`,
    );
    await worktrees.remove();
    return { reason, interrupted, state: deriveState(experiment, ledger) };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

function stopReason(
  options: LoopOptions,
  state: LoopState,
  budget: number,
  startedAt: number,
  interrupted: boolean,
): string | null {
  const { experiment } = options;
  if (interrupted) return USER_INTERRUPT;
  if (
    !options.continueAfterTarget &&
    state.best.iteration !== null &&
    targetReached(experiment, state.best.value)
  ) {
    return `target reached: ${experiment.metric.name} ${Number(state.best.value.toPrecision(6))} (target ${experiment.target})`;
  }
  if (state.finished.length >= budget) return `iteration budget spent (${budget})`;
  if (state.sinceLastKeep >= experiment.patience) {
    return `${state.sinceLastKeep} iterations in a row without a keep (patience ${experiment.patience})`;
  }
  if (options.maxMinutes !== undefined && Date.now() - startedAt >= options.maxMinutes * 60_000) {
    return `time budget spent (${options.maxMinutes} min)`;
  }
  if (options.maxCostUsd !== undefined && state.costUsd >= options.maxCostUsd) {
    return `cost budget spent ($${state.costUsd.toFixed(2)} of $${options.maxCostUsd})`;
  }
  return null;
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
  await git(["add", "-A", "--", relativeDir], root);
  const staged = await git(["diff", "--cached", "--name-only", "--", relativeDir], root);
  if (staged) await git(["commit", "--quiet", "-m", message, "--", relativeDir], root);
}
