import { UsageError } from "../../errors.js";
import type { AgentSettings, ModelPrice } from "../../experiment/schema.js";
import { parseInteger, parseSeconds } from "../../flag-numbers.js";
import type { LlmAgentOptions } from "./agent.js";
import { DEFAULT_MODELS, type ModelRef, parseModelId, resolveEndpoint } from "./models.js";
import { parsePrice } from "./prices.js";

/** The llm agent's command-line flags (run and init). */
export interface LlmFlags {
  model?: string;
  plannerModel?: string;
  executorModel?: string;
  baseUrl?: string;
  /** provider:model=INPUT,OUTPUT[,CACHED[,WRITE]] */
  price?: string[];
  allowCommand?: string[];
  callTimeout?: string;
  maxRetries?: string;
}

export const DEFAULTS = {
  callTimeoutSeconds: 300,
  maxRetries: 4,
  executorMaxSteps: 40,
  executorMaxMinutes: 20,
};

/**
 * The llm agent's options: flags over the experiment's `agent` settings over defaults. Without a
 * model anywhere, the provider whose key is set gives its default planner and executor models.
 * A missing key stops here, before anything runs, naming the variable.
 */
export function llmOptions(
  flags: LlmFlags,
  settings: AgentSettings | undefined,
  env: NodeJS.ProcessEnv,
  warn: (message: string) => void,
): LlmAgentOptions {
  const pick = (role: "planner" | "executor"): ModelRef => {
    const given =
      (role === "planner" ? flags.plannerModel : flags.executorModel) ??
      flags.model ??
      (role === "planner" ? settings?.plannerModel : settings?.executorModel) ??
      settings?.model;
    if (given) return parseModelId(given);
    const provider = env.ANTHROPIC_API_KEY ? "anthropic" : env.OPENAI_API_KEY ? "openai" : null;
    if (!provider) {
      throw new UsageError(
        "no-model",
        "--agent llm needs a model: --model anthropic:claude-sonnet-4-5, --model openai:gpt-5, or --model openai-compatible:llama3.1 for a local server such as Ollama (neither ANTHROPIC_API_KEY nor OPENAI_API_KEY is set).",
      );
    }
    return parseModelId(`${provider}:${DEFAULT_MODELS[provider][role]}`);
  };
  const baseUrl = flags.baseUrl ?? settings?.baseUrl;
  const prices: Record<string, ModelPrice> = { ...settings?.prices };
  for (const spec of flags.price ?? []) {
    const [id, price] = parsePrice(spec);
    prices[id] = price;
  }
  const callTimeoutSeconds = flags.callTimeout
    ? parseSeconds("--call-timeout", flags.callTimeout)
    : (settings?.callTimeoutSeconds ?? DEFAULTS.callTimeoutSeconds);
  const maxRetries = flags.maxRetries
    ? parseInteger("--max-retries", flags.maxRetries, 0)
    : (settings?.maxRetries ?? DEFAULTS.maxRetries);
  return {
    planner: resolveEndpoint(pick("planner"), env, baseUrl),
    executor: resolveEndpoint(pick("executor"), env, baseUrl),
    prices,
    allowCommands: [...(settings?.allowCommands ?? []), ...(flags.allowCommand ?? [])],
    callTimeoutMs: callTimeoutSeconds * 1000,
    maxRetries,
    executorMaxSteps: settings?.executorMaxSteps ?? DEFAULTS.executorMaxSteps,
    executorMaxMinutes: settings?.executorMaxMinutes ?? DEFAULTS.executorMaxMinutes,
    env,
    warn,
  };
}
