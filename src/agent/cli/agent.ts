import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AutoOptimizeError } from "../../errors.js";
import { FILES, iterationName, slugify } from "../../experiment/layout.js";
import { Redactor } from "../../secrets.js";
import { git } from "../../workspace/git.js";
import { AGENT_LOG, AgentLog } from "../agent-log.js";
import { clip } from "../clip.js";
import { buildBrief } from "../plan/brief.js";
import { checkPlan } from "../plan/check.js";
import { renderPlanMarkdown } from "../plan/render.js";
import { PlanSchema } from "../plan/schema.js";
import type { Agent, AgentUsage, Applied, IterationContext, Outcome, Plan } from "../types.js";
import { invokeDelegate } from "./invoke.js";
import { extractJsonObject } from "./json-reply.js";
import { applyPrompt, planPrompt, reflectPrompt, replanPrompt } from "./prompts.js";
import { factsReflexion, reflexionMarkdown } from "./reflexion.js";
import type {
  DelegateBackend,
  DelegateCall,
  DelegateOptions,
  DelegateReply,
  DelegateStep,
} from "./types.js";

export const DEFAULT_MAX_TURNS = 40;
export const DEFAULT_TIMEOUT_MS = 30 * 60_000;

/**
 * An Agent that delegates each step to a coding CLI, each call a fresh context (process):
 * - plan: the planner brief and the plan's JSON Schema (the same every planner gets); the reply
 *   is parsed and checked by the program (checkPlan), and re-asked once with the problems;
 * - apply: carry out the plan in the candidate worktree; commits it makes are folded back into
 *   the working tree so the loop's checks see every change;
 * - reflect: reflexion.md from what the program measured; a failure here leaves the facts.
 * The loop's own checks (protected files, scope, tests, measurement) apply unchanged.
 */
export function createDelegateAgent(
  backend: DelegateBackend,
  options: Partial<DelegateOptions> = {},
): Agent {
  const settings: DelegateOptions = {
    model: options.model,
    maxTurns: options.maxTurns ?? DEFAULT_MAX_TURNS,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    passEnv: options.passEnv ?? [],
  };
  const log = new AgentLog(new Redactor(process.env));
  const spent: AgentUsage = { usd: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0 };
  const spend = (usage: AgentUsage) => {
    spent.usd += usage.usd;
    spent.inputTokens += usage.inputTokens;
    spent.outputTokens += usage.outputTokens;
    spent.cachedTokens += usage.cachedTokens;
  };

  /** One call in a private scratch folder; `cwd` null runs it in that folder (outside any repo). */
  const call = async (
    step: DelegateStep,
    prompt: string,
    cwd: string | null,
    extra: Pick<DelegateCall, "commands" | "files"> = { commands: [], files: [] },
  ): Promise<DelegateReply> => {
    const scratch = await mkdtemp(join(tmpdir(), `auto-optimize-${backend.name}-`));
    try {
      return await invokeDelegate(
        backend,
        { step, prompt, cwd: cwd ?? scratch, scratch, ...extra },
        settings,
        log,
        spend,
      );
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  };

  /** Asks for a plan, and once more with the problems when it does not pass the checks. */
  const planChecked = async (context: IterationContext): Promise<Plan> => {
    const brief = buildBrief(context);
    let prompt = planPrompt(brief);
    for (let attempt = 1; ; attempt++) {
      const reply = await call("plan", prompt, context.worktree);
      const data = extractJsonObject(reply.text);
      const check = data
        ? checkPlan(data, context)
        : {
            ok: false as const,
            problems: ["the reply holds no JSON object: answer with the plan as one JSON object"],
          };
      log.write({
        agent: backend.name,
        step: "plan-check",
        attempt,
        ok: check.ok,
        ...(check.ok ? { strategy: check.plan.strategy } : { problems: check.problems }),
      });
      if (check.ok) {
        return {
          strategy: check.plan.strategy,
          markdown: renderPlanMarkdown(check.plan, context.iteration),
          data: check.plan,
        };
      }
      if (attempt >= 2) {
        throw new AutoOptimizeError(
          "delegate-plan",
          `${backend.name} gave no acceptable plan after being asked again with the problems; the last ones:\n${check.problems.map((p) => `- ${p}`).join("\n")}`,
        );
      }
      prompt = replanPrompt(brief, check.problems, reply.text);
    }
  };

  return {
    name: backend.name,

    async plan(context: IterationContext): Promise<Plan> {
      log.reset();
      try {
        return await planChecked(context);
      } catch (error) {
        // No iteration folder exists for a plan that failed: its calls go to the experiment's log.
        log.write({ agent: backend.name, step: "plan-failed", error: (error as Error).message });
        log.flush(join(context.experimentDir, AGENT_LOG));
        throw error;
      }
    },

    async apply(context: IterationContext, plan: Plan, feedback: string | null): Promise<Applied> {
      attachLog(log, iterationFolder(context, plan));
      const { experiment } = context;
      const head = await git(["rev-parse", "HEAD"], context.worktree);
      const structured = PlanSchema.safeParse(plan.data);
      const reply = await call(
        "apply",
        applyPrompt(
          plan,
          {
            scope: experiment.scope,
            protect: experiment.protect,
            test: experiment.commands.test,
            build: experiment.commands.build,
            check: experiment.commands.check,
          },
          feedback,
        ),
        context.worktree,
        {
          commands: [
            experiment.commands.build,
            experiment.commands.test,
            experiment.commands.check,
          ].filter((c): c is string => Boolean(c)),
          files: structured.success ? structured.data.files : [],
        },
      );
      const after = await git(["rev-parse", "HEAD"], context.worktree);
      if (after !== head) {
        // The loop checks and commits changes against the best's commit: undo the CLI's commits,
        // keeping their changes in the working tree.
        await git(["reset", "--soft", head], context.worktree);
        log.write({
          agent: backend.name,
          step: "commits-undone",
          note: `${backend.name} committed (${after}); the commits were undone, their changes kept for the checks`,
        });
      }
      const summary = reply.text.trim() || "(no summary)";
      return {
        summary: clip(reply.incomplete ? `${summary}\n(${reply.incomplete})` : summary, 4000),
      };
    },

    async reflect(context: IterationContext, plan: Plan, outcome: Outcome): Promise<string> {
      attachLog(log, iterationFolder(context, plan));
      try {
        const reply = await call("reflect", reflectPrompt(context.iteration, plan, outcome), null);
        if (!reply.text.trim()) throw new Error("its answer was empty");
        return reflexionMarkdown(backend.name, context.iteration, plan.strategy, reply.text);
      } catch (error) {
        // The iteration is measured and decided: a missing reflexion must not lose it.
        const message = log.redact((error as Error).message);
        log.write({ agent: backend.name, step: "reflect", error: message });
        return factsReflexion(backend.name, context.iteration, plan.strategy, outcome, message);
      }
    },

    usage(): AgentUsage {
      return { ...spent };
    },
  };
}

/** The iteration's agent-log.jsonl, once the loop has created its folder. */
function attachLog(log: AgentLog, folder: string): void {
  if (existsSync(folder)) log.attach(join(folder, AGENT_LOG));
}

function iterationFolder(context: IterationContext, plan: Plan): string {
  return join(
    context.experimentDir,
    FILES.iterationsDir,
    iterationName(context.iteration, slugify(plan.strategy)),
  );
}
