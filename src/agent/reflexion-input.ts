import type { GuardKind } from "../experiment/guard-kinds.js";
import { clip } from "./clip.js";
import type { Outcome, Plan } from "./types.js";

/** The sections of every reflexion.md; the final report and the next planners read them. */
export const REFLEXION_HEADINGS = ["What surprised", "Lessons", "Unexplored directions"] as const;

/** What a guard's rejection means for the next plan, beside the reason's evidence. */
const GUARD_LESSONS: Record<GuardKind, string> = {
  "behaviour-changed":
    "Rejected by the behaviour check (behaviour-changed): the candidate computes something else than the best — the reason above shows the first difference. A faster wrong answer is never kept: the next plan must keep the output identical.",
  "metric-inconsistent":
    "Rejected by the metric/process-time check (metric-inconsistent): the metric improved far more than the time the process saved — the figures are in the reason. Only real work saved counts: the next plan must make the work itself cheaper.",
  "wrote-outside-run":
    "Rejected for what its runs wrote (wrote-outside-run): a test or benchmark run of the candidate created or changed files outside its run's temporary folders — the reason names them. Every run starts from the same fresh state: a result cache or a write into another checkout is never kept; the next plan must do the work in every run.",
};

const BENCH_FAILED_LESSON =
  "The candidate's benchmark gave no usable run (bench-failed): it crashed, timed out, or printed no readable positive metric — the reason above has the failure and the last lines of output. Nothing was measured: the next plan must keep the benchmark running and printing its metric as the best does.";

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
    ...(outcome.guard ? [`- ${GUARD_LESSONS[outcome.guard]}`] : []),
    ...(outcome.decision === "bench-failed" ? [`- ${BENCH_FAILED_LESSON}`] : []),
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
