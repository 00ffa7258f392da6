import type { Agent, AgentUsage, IterationContext, Plan } from "../agent/types.js";
import type { EditSource } from "./evaluate.js";

/**
 * The autonomous loop's edits: the agent applies its plan in the candidate worktree, again with
 * the failure on a retry, and writes the reflexion; its model calls since `usageAtStart` (taken
 * before planning) are the iteration's cost.
 */
export function agentEdits(
  agent: Agent,
  context: IterationContext,
  plan: Plan,
  usageAtStart: AgentUsage | undefined,
  onStep: (step: string) => void,
): EditSource {
  return {
    edit: (attempt, feedback) => {
      onStep(attempt === 1 ? "applying" : `applying (retry ${attempt - 1})`);
      return agent.apply(context, plan, feedback);
    },
    reflect: (outcome) => {
      onStep("reflecting");
      return agent.reflect(context, plan, outcome);
    },
    cost: () => {
      const now = agent.usage?.();
      return usageAtStart && now ? usageSince(usageAtStart, now) : undefined;
    },
  };
}

/**
 * Host mode's edits: the host made them in the main working tree before `step evaluate`, which
 * evaluates attempt `attempt`. A retry after failed tests goes back to the host (its next edits
 * arrive with the next `step evaluate`), and so does the reflexion (`step reflect`).
 */
export function hostEdits(attempt: number): EditSource {
  return {
    edit: async (requested) =>
      requested === attempt ? { summary: "the host's edits in the working tree" } : null,
    reflect: async () => null,
  };
}

function usageSince(start: AgentUsage, now: AgentUsage): AgentUsage {
  return {
    usd: now.usd - start.usd,
    inputTokens: now.inputTokens - start.inputTokens,
    outputTokens: now.outputTokens - start.outputTokens,
    cachedTokens: now.cachedTokens - start.cachedTokens,
  };
}
