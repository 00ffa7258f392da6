import type { IterationDecision } from "../../experiment/events.js";
import type { IterationContext } from "../types.js";
import { candidateRules } from "./rules.js";
import { planJsonSchema } from "./schema.js";

/** What a planner is told, as data (for JSON consumers) and as text (for a model or a person). */
export interface Brief {
  iteration: number;
  goal: string;
  metric: { name: string; direction: "lower" | "higher" };
  baseline: number;
  best: { value: number; commit: string };
  target: number;
  threshold: number;
  scope: string[];
  protect: string[];
  commands: { test: string; bench: string; build?: string; check?: string };
  hotspots: string | null;
  leaderboard: string;
  tried: { iteration: number; strategy: string; decision: IterationDecision }[];
  reflexions: string[];
  planSchema: unknown;
}

export function buildBrief(context: IterationContext): Brief {
  const { experiment } = context;
  return {
    iteration: context.iteration,
    goal: experiment.goal,
    metric: experiment.metric,
    baseline: context.baseline.value,
    best: { value: context.best.value, commit: context.best.commit },
    target: experiment.target,
    threshold: experiment.threshold,
    scope: experiment.scope,
    protect: experiment.protect,
    commands: experiment.commands,
    hotspots: context.hotspots,
    leaderboard: context.leaderboard,
    tried: context.tried.map(({ iteration, strategy, decision }) => ({
      iteration,
      strategy,
      decision,
    })),
    reflexions: context.reflexions,
    planSchema: planJsonSchema(),
  };
}

export function briefText(brief: Brief): string {
  const { metric } = brief;
  return [
    `# Iteration ${brief.iteration}`,
    "",
    `Goal: ${brief.goal}`,
    `Metric: ${metric.name} (${metric.direction} is better). Baseline ${brief.baseline}; current best ${brief.best.value}; target ${brief.target}.`,
    `A change is kept only if the measured improvement's confidence interval clears ${(100 * brief.threshold).toFixed(1)}% against the current best.`,
    `Scope — the only files you may change: ${brief.scope.join(", ")}`,
    `Protected — an edit to any of these rejects the iteration: ${brief.protect.join(", ")}`,
    `Commands: tests \`${brief.commands.test}\`; benchmark \`${brief.commands.bench}\`${brief.commands.build ? `; build \`${brief.commands.build}\`` : ""}`,
    ...(brief.commands.check
      ? [
          `Behaviour check: \`${brief.commands.check}\` must print exactly what it prints on the current best; a change whose output differs is rejected, whatever it gains.`,
        ]
      : []),
    "",
    "## Rules",
    "",
    ...candidateRules(),
    "",
    "## Hot spots of the current best",
    "",
    brief.hotspots ?? "(no profile for this iteration)",
    "",
    "## Leaderboard",
    "",
    brief.leaderboard || "(no iteration yet)",
    "",
    "## Strategies already tried (do not repeat them)",
    "",
    ...(brief.tried.length
      ? brief.tried.map((t) => `- iteration ${t.iteration}: ${t.strategy} → ${t.decision}`)
      : ["(none)"]),
    "",
    "## Reflexions of the last iterations",
    "",
    ...(brief.reflexions.length ? brief.reflexions : ["(none yet)"]),
    "",
  ].join("\n");
}
