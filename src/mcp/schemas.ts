import { z } from "zod";
import { PlanSchema } from "../agent/plan/schema.js";
import { ITERATION_DECISIONS } from "../experiment/events.js";
import { GUARDS } from "../experiment/guard-kinds.js";
import { VERDICTS } from "../measure/decision.js";

/** Every tool works on a repository and, optionally, a named experiment in it. */
export const Where = {
  repository: z
    .string()
    .optional()
    .describe(
      "absolute path of the repository (anywhere inside it); default: the server's working directory",
    ),
  experiment: z
    .string()
    .optional()
    .describe("the experiment, exp-001 or its full name; default: the one checked out"),
};

/** evaluate's input: where, and the queue whose workers build, test and measure (optional). */
export const EvaluateInput = {
  ...Where,
  queue: z
    .string()
    .optional()
    .describe(
      "a Redis URL (redis://HOST:PORT): build, test and measure on the workers of that queue (auto-optimize worker); a host off this machine needs a password in the URL or rediss://",
    ),
};

const numberOrText = z.union([z.number(), z.string()]);

export const InitInput = {
  repository: Where.repository,
  goal: z.string().describe("what should get faster or smaller, and where"),
  scope: z
    .array(z.string())
    .min(1)
    .describe("globs of the files the optimizer may change, e.g. src/**"),
  metric: z.string().describe("the metric the benchmark prints (wall-time when it prints none)"),
  direction: z.enum(["lower", "higher"]).describe("which way is better for the metric"),
  target: numberOrText.describe("the value of the metric that ends the experiment (a number)"),
  threshold: numberOrText.describe(
    "smallest gain per iteration worth keeping: a fraction (0.02) or a percentage ('2%')",
  ),
  iterations: z.number().int().positive().optional().describe("iteration budget (default 10)"),
  test: z.string().optional().describe("regression test command; must exit 0 now"),
  bench: z.string().optional().describe("benchmark command; must print the metric now"),
  build: z.string().optional().describe("build command run before testing and measuring"),
  check: z
    .string()
    .optional()
    .describe(
      "behaviour check command: prints what the code computes (e.g. a function's results on a fixed corpus); must print the same bytes twice now, and a candidate whose output differs is rejected",
    ),
  protect: z
    .array(z.string())
    .optional()
    .describe("more globs nobody may change, added to the defaults (tests, benchmarks, …)"),
  knobs: z
    .array(z.string())
    .optional()
    .describe("knobs in init's --knob syntax, e.g. MEMO:env:int:1..64=8"),
  volatile: z
    .array(z.string())
    .optional()
    .describe(
      "regular expressions of benchmark output that varies between runs of the same code (ids, timestamps): never compared by the output invariants",
    ),
  new: z.boolean().optional().describe("start a new experiment although an unfinished one exists"),
  stash: z
    .boolean()
    .optional()
    .describe(
      "stash the user's uncommitted changes (named in git stash list) instead of refusing a dirty tree; they come back if init fails",
    ),
};

export const InitOutput = {
  name: z.string(),
  id: z.string(),
  branch: z.string(),
  path: z.string(),
  commit: z.string(),
  protectedFiles: z.array(z.string()),
  warnings: z.array(z.string()),
  dryRun: z.record(z.string(), z.unknown()),
  nextHint: z.string(),
};

export const StatusOutput = {
  experiment: z.string(),
  id: z.string(),
  goal: z.string(),
  branch: z.string(),
  phase: z.string(),
  iterations: z.object({ done: z.number(), budget: z.number(), left: z.number() }),
  decisions: z.record(z.string(), z.number()),
  baseline: z.object({ value: z.number(), commit: z.string() }).nullable(),
  best: z.record(z.string(), z.unknown()).nullable(),
  target: z.object({ value: z.number(), reached: z.boolean() }),
  host: z.object({
    expected: z.enum(["baseline", "next", "plan", "evaluate", "reflect", "report"]),
    iteration: z.number(),
    strategy: z.string().nullable(),
    interrupted: z.boolean(),
    stop: z.string().nullable(),
    nextHint: z.string(),
    note: z.string(),
  }),
};

export const BaselineInput = {
  ...Where,
  runs: z.number().int().min(2).optional().describe("measured runs after one warm-up"),
  acceptNoise: z
    .boolean()
    .optional()
    .describe("lock the baseline although its robust CV stays above 5% (recorded in the plan)"),
  force: z.boolean().optional().describe("measure again although locked (before any iteration)"),
  fresh: z
    .boolean()
    .optional()
    .describe(
      "with acceptNoise: measure anew instead of locking the runs of the baseline just refused as noisy",
    ),
};

export const BaselineOutput = {
  name: z.string(),
  id: z.string(),
  commit: z.string(),
  metric: z.string(),
  value: z.number(),
  robustCv: z.number(),
  runs: z.number(),
  noisy: z.boolean(),
  reusedRefusedRuns: z
    .boolean()
    .describe("the runs locked are those of the baseline refused as noisy before: none measured"),
  targetReached: z.boolean(),
  summary: z.string(),
  nextHint: z.string(),
};

export const NextInput = {
  ...Where,
  continueAfterTarget: z
    .boolean()
    .optional()
    .describe("open another iteration although the target is reached"),
};

export const NextOutput = {
  experiment: z.string(),
  iteration: z.number(),
  resumed: z.boolean(),
  stop: z.string().nullable(),
  brief: z.record(z.string(), z.unknown()).nullable(),
  text: z.string(),
  worktree: z.string(),
  nextHint: z.string(),
  recovered: z.string().nullable(),
};

export const PlanInput = {
  ...Where,
  plan: PlanSchema.describe(
    "the iteration's plan: Step-Back, Chain-of-Thought (3+ candidates), Self-Consistency (the chosen one must also rank first), Pre-mortem, then strategy, summary, files and steps",
  ),
};

export const PlanOutput = {
  experiment: z.string(),
  iteration: z.number(),
  strategy: z.string(),
  folder: z.string(),
  planPath: z.string(),
  files: z.array(z.string()),
  nextHint: z.string(),
  recovered: z.string().nullable(),
};

const nullableNumber = z.number().nullable();

export const EvaluateOutput = {
  experiment: z.string(),
  iteration: z.number(),
  strategy: z.string(),
  decision: z.enum([...ITERATION_DECISIONS, "retry"]),
  result: z.object({
    reason: z.string(),
    verdict: z.enum(VERDICTS).nullable(),
    value: nullableNumber,
    bestValue: nullableNumber,
    baselineValue: nullableNumber,
    rounds: nullableNumber,
    changedFiles: z.array(z.string()),
    violations: z.array(z.string()),
    testOutput: z.string().nullable(),
    unsampledFunctions: z.array(z.string()),
    guard: z.enum(GUARDS).nullable(),
  }),
  delta: z.object({
    improvement: nullableNumber,
    ci: z.tuple([z.number(), z.number()]).nullable(),
    vsBaseline: nullableNumber,
  }),
  commits: z.array(z.string()),
  stop: z.string().nullable(),
  nextHint: z.string(),
  replayed: z.boolean(),
  recovered: z.string().nullable(),
};

export const ReflectInput = {
  ...Where,
  reflexion: z
    .string()
    .describe(
      "reflexion.md in Markdown: what surprised you in the outcome, concrete lessons for the next iteration, directions left unexplored",
    ),
};

export const ReflectOutput = {
  experiment: z.string(),
  iteration: z.number(),
  path: z.string(),
  commit: z.string().nullable(),
  stop: z.string().nullable(),
  nextHint: z.string(),
  recovered: z.string().nullable(),
};

export const ReportInput = {
  ...Where,
  remeasure: z
    .boolean()
    .optional()
    .describe("re-measure the baseline against the best for the headline (default true)"),
  rounds: z.number().int().min(2).optional().describe("rounds of the re-measure"),
};

export const ReportOutput = {
  path: z.string(),
  /** report.html: the same report as one page with a chart of the iterations. */
  htmlPath: z.string(),
  commit: z.string(),
  headline: z.record(z.string(), z.unknown()).nullable(),
};
