import { join } from "node:path";
import type {
  InfrastructureRequest,
  InfrastructureResult,
  InfrastructureWriter,
} from "../../experiment/infrastructure-writer.js";
import { FILES, iterationName, slugify } from "../../experiment/layout.js";
import type { ModelPrice } from "../../experiment/schema.js";
import { Redactor, withoutSecrets } from "../../secrets.js";
import { openRepository } from "../../workspace/git.js";
import { AGENT_LOG, AgentLog } from "../agent-log.js";
import { renderPlanMarkdown } from "../plan/render.js";
import type { Agent, AgentUsage, IterationContext, Outcome, Plan } from "../types.js";
import { ModelClient } from "./client.js";
import { executePlan } from "./executor.js";
import { writeInfrastructure } from "./infrastructure.js";
import type { Endpoint } from "./models.js";
import { planIteration } from "./planner.js";
import { writeReflexion } from "./reflexion.js";

export interface LlmAgentOptions {
  planner: Endpoint;
  executor: Endpoint;
  prices: Record<string, ModelPrice>;
  /** Commands the executor may run besides the experiment's build, test and bench commands. */
  allowCommands: string[];
  callTimeoutMs: number;
  maxRetries: number;
  executorMaxSteps: number;
  executorMaxMinutes: number;
  /** The environment the agent was started in (credentials are removed for commands). */
  env: NodeJS.ProcessEnv;
  warn: (message: string) => void;
}

export type LlmAgent = Agent & InfrastructureWriter;

/**
 * The model agent: planner, executor and reflexion in three separate contexts, through the AI SDK
 * (Anthropic, OpenAI, any OpenAI-compatible server). Every model and tool call is logged to the
 * iteration's agent-log.jsonl, secrets redacted; a plan that fails before its folder exists logs
 * to the experiment folder's agent-log.jsonl.
 */
export function createLlmAgent(options: LlmAgentOptions): LlmAgent {
  const redactor = new Redactor(options.env, [options.planner.apiKey, options.executor.apiKey]);
  const log = new AgentLog(redactor);
  const client = new ModelClient({
    endpoints: { planner: options.planner, executor: options.executor },
    prices: options.prices,
    log,
    timeoutMs: options.callTimeoutMs,
    maxRetries: options.maxRetries,
    warn: options.warn,
  });
  const commandEnv = withoutSecrets(options.env);
  const attach = (context: IterationContext, plan: Plan) => {
    const folder = iterationName(context.iteration, slugify(plan.strategy));
    log.attach(join(context.experimentDir, FILES.iterationsDir, folder, AGENT_LOG));
  };
  return {
    name: "llm",
    async plan(context: IterationContext): Promise<Plan | null> {
      log.detach();
      log.write({
        kind: "iteration",
        iteration: context.iteration,
        planner: options.planner.id,
        executor: options.executor.id,
      });
      try {
        const plan = await planIteration(client, context);
        return redactor.value({
          strategy: plan.strategy,
          markdown: renderPlanMarkdown(plan, context.iteration),
          data: plan,
        });
      } catch (error) {
        log.write({ kind: "plan-failed", error: (error as Error).message });
        log.flush(join(context.experimentDir, AGENT_LOG));
        throw error;
      }
    },
    async apply(context, plan, feedback) {
      attach(context, plan);
      const summary = await executePlan(
        client,
        context,
        plan,
        feedback,
        {
          maxSteps: options.executorMaxSteps,
          maxMinutes: options.executorMaxMinutes,
          allowCommands: options.allowCommands,
          env: commandEnv,
        },
        log,
        redactor,
      );
      return { summary };
    },
    async reflect(context: IterationContext, plan: Plan, outcome: Outcome): Promise<string> {
      attach(context, plan);
      return redactor.text(await writeReflexion(client, context, plan, outcome));
    },
    usage(): AgentUsage {
      return client.usage();
    },
    async writeInfrastructure(request: InfrastructureRequest): Promise<InfrastructureResult> {
      const { gitDir } = await openRepository(request.root);
      log.attach(join(gitDir, "auto-optimize", `init-${AGENT_LOG}`));
      try {
        return await writeInfrastructure(
          client,
          request,
          { maxSteps: options.executorMaxSteps, maxMinutes: options.executorMaxMinutes },
          log,
          redactor,
        );
      } finally {
        log.detach();
      }
    },
  };
}
