import { stepEvaluate } from "../../loop/host/evaluate.js";
import { stepNext } from "../../loop/host/next.js";
import { stepPlan } from "../../loop/host/plan.js";
import { stepReflect } from "../../loop/host/reflect.js";
import { checkQueueUrl } from "../../queue/url.js";
import {
  EvaluateInput,
  EvaluateOutput,
  NextInput,
  NextOutput,
  PlanInput,
  PlanOutput,
  ReflectInput,
  ReflectOutput,
} from "../schemas.js";
import type { ToolRegistry } from "../server.js";

/** The iteration protocol: next_iteration → submit_plan → (edit) → evaluate → reflect. */
export function registerIterationTools(registry: ToolRegistry): void {
  const where = (args: { repository?: string; experiment?: string }) => ({
    cwd: args.repository ?? registry.cwd,
    experiment: args.experiment,
    via: "mcp" as const,
  });

  registry.tool(
    "next_iteration",
    {
      title: "Open the next iteration",
      description:
        "Opens the next iteration and returns its brief: goal, scope, protected files, baseline and current best, hot spots, leaderboard, the last reflexions, strategies already tried, and the plan's JSON Schema. Called again while the iteration waits for its plan, it returns the same brief. Returns stop (and no brief) when the experiment should end: then call report. Refused until the last iteration's reflexion is recorded.",
      inputSchema: NextInput,
      outputSchema: NextOutput,
    },
    async (args, progress) => {
      const result = await stepNext({
        ...where(args),
        continueAfterTarget: args.continueAfterTarget,
        onProgress: progress,
      });
      const brief = result.brief ? { ...result.brief } : null;
      return { structured: { ...result, brief }, text: result.text };
    },
  );

  registry.tool(
    "submit_plan",
    {
      title: "Submit the iteration's plan",
      description:
        "Checks and records the open iteration's plan: the four techniques' structure, the chosen candidate winning both the Chain-of-Thought and the independent Self-Consistency ranking, files inside the scope, and no repeat of a strategy already tried. A refused plan changes nothing; the error names each field to fix. After it is accepted, make the plan's edits in the repository's working tree, then call evaluate.",
      inputSchema: PlanInput,
      outputSchema: PlanOutput,
    },
    async (args) => ({ structured: await stepPlan({ ...where(args), plan: args.plan }) }),
  );

  registry.tool(
    "evaluate",
    {
      title: "Evaluate the edits",
      description:
        "Runs the autonomous loop's checks and measurement on the edits in the working tree: protected files and scope, build, tests, then an interleaved comparison against the current best. Decides keep, drop, rejected, test-failed or bench-failed (the candidate's benchmark crashed or printed no usable metric), writes the artifacts and the leaderboard, and commits (a non-keep is committed and reverted). Returns decision, result, delta and nextHint. decision 'retry' means the build or tests failed with attempts left: fix and evaluate again. Called again once decided (e.g. after a crash), it returns the recorded outcome without measuring again (replayed: true). Long: sends progress notifications when given a progress token.",
      inputSchema: EvaluateInput,
      outputSchema: EvaluateOutput,
    },
    async (args, progress) => ({
      structured: await stepEvaluate({
        ...where(args),
        onProgress: progress,
        ...(args.queue && { queue: checkQueueUrl(args.queue) }),
      }),
    }),
  );

  registry.tool(
    "reflect",
    {
      title: "Record the reflexion",
      description:
        "Records the reflexion of the iteration just evaluated (reflexion.md, committed): what surprised you in the outcome, concrete lessons for the next iteration, directions left unexplored. Required before the next iteration; the next briefs include it.",
      inputSchema: ReflectInput,
      outputSchema: ReflectOutput,
    },
    async (args) => ({
      structured: await stepReflect({ ...where(args), text: args.reflexion }),
    }),
  );
}
