import { checkPlan } from "../../agent/plan/check.js";
import { renderPlanMarkdown } from "../../agent/plan/render.js";
import { UsageError } from "../../errors.js";
import { FILES } from "../../experiment/layout.js";
import { recordPlan } from "../open-iteration.js";
import { hostContext } from "./context.js";
import { stagedProfile } from "./profile.js";
import { hostPosition, requireStep, stepCommand } from "./protocol.js";
import { type HostOptions, withHostSession } from "./session.js";

export interface PlanOptions extends HostOptions {
  /** The plan: its JSON text, or the parsed object. */
  plan: unknown;
}

export interface PlanResult {
  experiment: string;
  iteration: number;
  strategy: string;
  /** The iteration's folder under iterations/. */
  folder: string;
  /** plan.md, relative to the repository root. */
  planPath: string;
  /** The files the plan says it will change. */
  files: string[];
  nextHint: string;
  recovered: string | null;
}

/**
 * `step plan`: checks the plan as every planner's plan is checked (the four techniques' shape and
 * rules, the scope, no repeat of a tried strategy) and records it (plan.json, plan.md, `planned`).
 * A refused plan changes nothing: the error names each field to fix.
 */
export async function stepPlan(options: PlanOptions): Promise<PlanResult> {
  return withHostSession(options, async (session) => {
    const { opened } = session;
    const { experiment, ledger } = opened;
    const position = hostPosition(experiment, ledger);
    requireStep(position, "plan", session.via);
    const { iteration, state } = position;
    const input = parsePlan(options.plan);
    const profile = await stagedProfile(session, iteration);
    const context = await hostContext(session, state, iteration, profile?.hotspots ?? null);
    const checked = checkPlan(input, context);
    if (!checked.ok) {
      const { problems } = checked;
      throw new UsageError(
        "invalid-plan",
        [
          `the plan for iteration ${iteration} was not accepted:`,
          ...problems.map((p) => `- ${p}`),
          `Fix ${problems.length > 1 ? "these fields" : "this field"} and submit the plan again with ${stepCommand("plan", session.via)} (its JSON Schema is the brief's planSchema).`,
        ].join("\n"),
      );
    }
    const plan = checked.plan;
    session.progress("recording the plan with the best's profile");
    const { folder } = await recordPlan(
      opened.dir,
      ledger,
      iteration,
      { strategy: plan.strategy, markdown: renderPlanMarkdown(plan, iteration), data: plan },
      profile,
    );
    const scope = experiment.scope.join(", ");
    return {
      experiment: opened.name,
      iteration,
      strategy: plan.strategy,
      folder,
      planPath: `${opened.path}/${FILES.iterationsDir}/${folder}/plan.md`,
      files: plan.files,
      nextHint: `make the plan's edits in the working tree (${session.root}) — files in the scope (${scope}) only, never a protected file, tests or benchmarks — then run ${stepCommand("evaluate", session.via)}.`,
      recovered: session.recovered,
    };
  });
}

function parsePlan(plan: unknown): unknown {
  if (typeof plan !== "string") return plan;
  try {
    return JSON.parse(plan);
  } catch (error) {
    throw new UsageError(
      "invalid-plan",
      `the plan is not valid JSON (${(error as Error).message}): send one JSON object with the fields of the brief's planSchema.`,
    );
  }
}
