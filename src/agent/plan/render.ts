import type { StructuredPlan } from "./schema.js";

/** plan.md: all four techniques, then what will be done. */
export function renderPlanMarkdown(plan: StructuredPlan, iteration: number): string {
  const { stepBack, chainOfThought, selfConsistency, preMortem } = plan;
  const candidates = chainOfThought.candidates.map(
    (c) =>
      `| ${c.name === chainOfThought.chosen ? `**${c.name}**` : c.name} | ${c.approach} | ${c.tradeoffs} | ${c.risk} | ${c.expectedGainPercent}% |`,
  );
  return [
    `# Plan — iteration ${iteration}: ${plan.strategy}`,
    "",
    plan.summary,
    "",
    ...(plan.beyondTried ? [`**Beyond what was tried:** ${plan.beyondTried}`, ""] : []),
    "## Step-Back",
    "",
    `**Bottleneck:** ${stepBack.bottleneck}`,
    "",
    `**Evidence:** ${stepBack.evidence}`,
    "",
    "**Principles:**",
    ...stepBack.principles.map((p) => `- ${p}`),
    "",
    "## Chain-of-Thought",
    "",
    "| Candidate | Approach | Trade-offs | Risk | Expected gain |",
    "|---|---|---|---|---|",
    ...candidates,
    "",
    `**Chosen:** ${chainOfThought.chosen} — ${chainOfThought.why}`,
    "",
    "## Self-Consistency",
    "",
    `Independent ranking: ${selfConsistency.ranking.map((n, i) => `${i + 1}. ${n}`).join("  ")}`,
    "",
    selfConsistency.notes,
    "",
    "## Pre-mortem",
    "",
    `**Most likely failure:** ${preMortem.failureMode}`,
    "",
    `**Early signal:** ${preMortem.earlySignal}`,
    "",
    "## Changes",
    "",
    `Files: ${plan.files.map((f) => `\`${f}\``).join(", ")}`,
    "",
    ...plan.steps.map((s, i) => `${i + 1}. ${s}`),
    ...(plan.needsDisassembly ? ["", "The planner asked for disassembly of the hot code."] : []),
    "",
  ].join("\n");
}
