import type { Agent } from "../agent/types.js";
import type { IterationDecision } from "../experiment/events.js";
import type { LoopState } from "../experiment/state.js";
import { iterationContext } from "./context.js";
import { agentEdits } from "./edit-sources.js";
import { type EvaluationEnv, evaluateCandidate } from "./evaluate.js";
import { recordPlan, startIteration } from "./open-iteration.js";

export interface IterationEnv extends EvaluationEnv {
  agent: Agent;
  hotspots: string | null;
}

export type IterationResult = { kind: "done"; decision: IterationDecision } | { kind: "exhausted" };

/**
 * One iteration of the autonomous loop: open it, plan with the agent, record the plan, then the
 * one evaluation every agent goes through (evaluate.ts) with the agent's edits in the candidate
 * worktree.
 */
export async function runIteration(env: IterationEnv, state: LoopState): Promise<IterationResult> {
  const { experiment, ledger, agent, worktrees } = env;
  const iteration = state.nextIteration;
  const usageAtStart = agent.usage?.();
  await startIteration(ledger, worktrees, iteration, state.best.commit);

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
  env.checkpoint();

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
  const recorded = await recordPlan(env.dir, ledger, iteration, plan, env.profile);
  if (recorded.hotspots) context.hotspots = recorded.hotspots;
  env.checkpoint();

  const evaluation = await evaluateCandidate(
    env,
    state,
    {
      iteration,
      strategy: plan.strategy,
      folder: recorded.folder,
      path: worktrees.candidatePath,
      firstAttempt: 1,
    },
    agentEdits(agent, context, plan, usageAtStart, env.onStep),
  );
  if (evaluation.kind === "retry") {
    throw new Error("the loop's agent edits every attempt itself; it is never sent back");
  }
  return { kind: "done", decision: evaluation.decision };
}
