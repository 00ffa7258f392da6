import { clip } from "../clip.js";
import { type Brief, briefText } from "../plan/brief.js";
import { candidateRules } from "../plan/rules.js";
import { REFLEXION_HEADINGS, reflexionMaterial } from "../reflexion-input.js";
import type { Outcome, Plan } from "../types.js";

const BRIEF_MAX = 60_000;
const DIFF_MAX = 20_000;
const OUTPUT_MAX = 6_000;

const PLAN_RULES = [
  "The program checks your plan before anything is applied:",
  "- stepBack.bottleneck is one of cpu, memory, io, network, contention, with the evidence for it and the general principles that follow.",
  "- chainOfThought.candidates holds at least three different approaches, each with trade-offs, risk and an expected gain in percent; chainOfThought.chosen is the name of one of them.",
  "- selfConsistency.ranking ranks every candidate afresh, best first, as if you saw them for the first time. The chosen candidate must come first there too; if it does not, choose the one that wins both.",
  "- preMortem names the most likely way the change fails and the first measurement or symptom that would show it.",
  "- files lists only files inside the scope; steps say the edits in order.",
  "- strategy is a short name that no earlier iteration used, and the plan must not be substantially the same as an earlier one.",
];

/** The planner's request: the same brief and structure every planner gets, as one JSON object. */
export function planPrompt(brief: Brief): string {
  return [
    "## Your task: plan",
    "",
    "You are the planner of auto-optimize, a loop that makes a program measurably faster one change at a time. Read the code in this directory (a checkout of the current best version) as much as you need, but do not change any file and do not run the benchmark: this step only plans. The program checks your plan, another step applies it, and the program itself runs the tests and measures the result.",
    "",
    clip(briefText(brief), BRIEF_MAX),
    "## How to answer",
    "",
    "Reply with one JSON object and nothing else (a ```json fence around it is fine). It must follow this JSON Schema:",
    "",
    "```json",
    JSON.stringify(brief.planSchema),
    "```",
    "",
    ...PLAN_RULES,
    "",
  ].join("\n");
}

/** The one re-ask after a refused plan: the problems first, then the original request. */
export function replanPrompt(brief: Brief, problems: string[], previous: string): string {
  return [
    "## Your previous answer was refused",
    "",
    "The program could not accept the plan you gave. Problems:",
    "",
    ...problems.map((p) => `- ${p}`),
    "",
    "Your previous answer was:",
    "",
    "```",
    clip(previous, OUTPUT_MAX),
    "```",
    "",
    "Answer the request below again with a corrected JSON object.",
    "",
    planPrompt(brief),
  ].join("\n");
}

export interface ApplyRules {
  scope: string[];
  protect: string[];
  test: string;
  build?: string;
  /** The behaviour check: its output on the edit must be the best's, byte for byte. */
  check?: string;
}

/** The executor's request: carry out the plan in this directory, within the scope. */
export function applyPrompt(plan: Plan, rules: ApplyRules, feedback: string | null): string {
  const commands = [`the tests: \`${rules.test}\``];
  if (rules.build) commands.unshift(`the build: \`${rules.build}\``);
  if (rules.check)
    commands.push(
      `the behaviour check: \`${rules.check}\` (it must print what it prints on the best)`,
    );
  return [
    "## Your task: apply the plan",
    "",
    "You are the executor of auto-optimize. Carry out the plan below by editing the files in this directory (a checkout of the current best version). The program then checks your edit, runs the tests and measures the result itself; what you say is never taken as a result.",
    "",
    "Rules:",
    `- Change only files inside the scope: ${rules.scope.join(", ")}.`,
    `- Never change these protected files: ${rules.protect.join(", ")}. An edit to any of them rejects the iteration, whatever it gains.`,
    ...candidateRules(),
    "- Work only inside this directory. Do not commit, create branches or change git settings.",
    `- You may run ${commands.join(" and ")} to check your work. Do not run the benchmark: the program measures.`,
    "- When you are done, reply with a short summary of what you changed and why.",
    "",
    ...(feedback
      ? [
          "## The last attempt failed",
          "",
          "Your edit is still in place. The build or the tests failed with:",
          "",
          "```",
          clip(feedback, OUTPUT_MAX),
          "```",
          "",
          "Fix the cause while keeping to the plan.",
          "",
        ]
      : []),
    "## The plan",
    "",
    plan.markdown,
    "",
  ].join("\n");
}

/** The reflexion's request: what was measured and decided, for lessons the next planner reads. */
export function reflectPrompt(iteration: number, plan: Plan, outcome: Outcome): string {
  return [
    "## Your task: reflexion",
    "",
    `You write the reflexion of iteration ${iteration} of auto-optimize, a loop that makes a program measurably faster one change at a time. The program has applied the plan, run the tests, measured and decided. Your reflexion is read by the planner of the next iterations.`,
    "",
    "Reply with Markdown only, with exactly these three sections, each a few concrete bullet points:",
    "",
    ...REFLEXION_HEADINGS.map((h) => `## ${h}`),
    "",
    ...reflexionMaterial(plan, outcome, { plan: BRIEF_MAX, diff: DIFF_MAX, output: OUTPUT_MAX }),
  ].join("\n");
}
