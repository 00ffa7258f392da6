import type { IterationContext } from "./types.js";

type Tried = IterationContext["tried"][number];

/**
 * Runner-ups (`run --parallel`) not tried since: credibly improved in a generation whose sibling
 * was kept, so they are offered again, to re-apply on top of the new best.
 */
export function openRunnerUps(context: Pick<IterationContext, "tried">): Tried[] {
  const latest = new Map<string, Tried>();
  for (const tried of context.tried) latest.set(tried.strategy, tried);
  return [...latest.values()].filter((tried) => tried.decision === "runner-up");
}

/**
 * What an agent must not propose now: every strategy tried, but an open runner-up, and every
 * strategy a sibling of this generation is trying.
 */
export function settledStrategies(context: Pick<IterationContext, "tried" | "siblings">): {
  tried: Tried[];
  siblings: string[];
} {
  const open = new Set(openRunnerUps(context).map((t) => t.strategy));
  return {
    tried: context.tried.filter((t) => !open.has(t.strategy)),
    siblings: context.siblings ?? [],
  };
}
