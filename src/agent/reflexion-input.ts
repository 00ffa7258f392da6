import { clip } from "./clip.js";
import type { Outcome, Plan } from "./types.js";

/** The sections of every reflexion.md; the final report and the next planners read them. */
export const REFLEXION_HEADINGS = ["What surprised", "Lessons", "Unexplored directions"] as const;

const pct = (x: number) => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(2)}%`;

/** What the program measured and decided, as bullet points. */
export function outcomeFacts(outcome: Outcome): string[] {
  return [
    `- Decision: ${outcome.decision} — ${outcome.reason}`,
    `- Verdict: ${outcome.verdict ?? "not measured"}`,
    ...(outcome.value !== null ? [`- Measured value: ${outcome.value}`] : []),
    ...(outcome.improvement !== null
      ? [
          `- Improvement vs best: ${pct(outcome.improvement)}${outcome.ci ? ` (interval ${pct(outcome.ci[0])} to ${pct(outcome.ci[1])})` : ""}`,
        ]
      : []),
    ...outcome.violations.map((v) => `- Violation: ${v}`),
    ...(outcome.unsampledFunctions?.length
      ? [
          `- Changed functions the benchmark never ran (no samples in the best's profile): ${outcome.unsampledFunctions.join(", ")}`,
        ]
      : []),
  ];
}

/**
 * What a reflexion is written from, whichever agent writes it: the facts, the plan, the diff and
 * the failing test output, each clipped to `limits`.
 */
export function reflexionMaterial(
  plan: Plan,
  outcome: Outcome,
  limits: { plan: number; diff: number; output: number },
): string[] {
  return [
    "## What the program measured and decided",
    "",
    ...outcomeFacts(outcome),
    "",
    "## The plan",
    "",
    clip(plan.markdown, limits.plan),
    "",
    "## The diff",
    "",
    "```diff",
    clip(outcome.diff || "(no change)", limits.diff),
    "```",
    ...(outcome.testOutput
      ? ["", "## Test output", "", "```", clip(outcome.testOutput, limits.output), "```"]
      : []),
    "",
  ];
}
