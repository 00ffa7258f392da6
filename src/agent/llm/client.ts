import {
  generateText,
  type JSONSchema7,
  jsonSchema,
  type LanguageModel,
  type LanguageModelUsage,
  type ModelMessage,
  NoObjectGeneratedError,
  Output,
  type ToolSet,
} from "ai";
import { AutoOptimizeError } from "../../errors.js";
import type { ModelPrice } from "../../experiment/schema.js";
import type { AgentLog } from "../agent-log.js";
import type { AgentUsage } from "../types.js";
import { createModel } from "./create-model.js";
import { classifyFailure } from "./failures.js";
import { type Endpoint, providerOptions } from "./models.js";
import { costOf, priceOf, type TokenUsage } from "./prices.js";

// Warnings (unsupported settings and the like) go to agent-log.jsonl, not the user's terminal.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

/** Which model a context uses: the planner's (planning, ranking, reflexion) or the executor's. */
export type ModelRole = "planner" | "executor";

export interface ClientOptions {
  endpoints: Record<ModelRole, Endpoint>;
  prices: Record<string, ModelPrice>;
  log: AgentLog;
  /** One model call's time limit; a call that runs out is retried like a 5xx. */
  timeoutMs: number;
  maxRetries: number;
  /** A note for the person running (a model without a known price). */
  warn: (message: string) => void;
}

export interface CallRequest {
  role: ModelRole;
  /** The context's name in the log: planner, ranking, executor, reflexion, infrastructure-test… */
  context: string;
  /** The stable part of the context (cached by Anthropic). */
  system: string;
  messages: ModelMessage[];
  /** What this call adds to the conversation, for the log (default: the last message). */
  logInput?: unknown;
  maxOutputTokens?: number;
}

export interface TextReply {
  text: string;
  toolCalls: { toolCallId: string; toolName: string; input: unknown }[];
  /** The assistant's turn, to append to the conversation. */
  responseMessages: ModelMessage[];
  finishReason: string;
}

export interface JsonReply {
  /** The parsed JSON object, or undefined when the answer was not JSON. */
  value: unknown;
  text: string;
}

/**
 * Output limits per kind of call: room for a reasoning model's thinking plus the answer, without
 * letting one call run (and bill) unbounded — providers' own defaults reach 64,000 tokens.
 */
export const OUTPUT_TOKENS = { planner: 16_384, executor: 16_384, short: 4_096 } as const;

const CACHE = { anthropic: { cacheControl: { type: "ephemeral" } } } as const;

/**
 * Every model call goes through here: a per-call timeout, retries with backoff on 429/5xx/timeouts
 * (honouring Retry-After), an immediate stop on authentication failures and unreachable servers,
 * token usage and cost per call, and one log line per call.
 */
export class ModelClient {
  private readonly models = new Map<ModelRole, LanguageModel>();
  private readonly total: AgentUsage = { usd: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0 };
  private readonly unpriced = new Set<string>();

  constructor(private readonly options: ClientOptions) {}

  usage(): AgentUsage {
    return { ...this.total };
  }

  endpoint(role: ModelRole): Endpoint {
    return this.options.endpoints[role];
  }

  /** A free-form turn, with tools the model may call (they are run by the caller). */
  async text(request: CallRequest, tools?: ToolSet): Promise<TextReply> {
    return this.call(request, async (settings) => {
      const result = await generateText({ ...settings, ...(tools && { tools }) });
      return {
        usage: result.totalUsage,
        reply: {
          text: result.text,
          toolCalls: result.toolCalls.map((c) => ({
            toolCallId: c.toolCallId,
            toolName: c.toolName,
            input: c.input,
          })),
          responseMessages: result.response.messages,
          finishReason: result.finishReason,
        },
        warnings: result.warnings,
      };
    });
  }

  /**
   * An answer in JSON following `schema`, by the provider's structured output (JSON mode where the
   * server has no schema support). The value is not validated here: the caller checks it and
   * re-asks with the problems.
   */
  async json(request: CallRequest, schema: unknown): Promise<JsonReply> {
    return this.call(request, async (settings) => {
      try {
        const result = await generateText({
          ...settings,
          output: Output.object({ schema: jsonSchema(schema as JSONSchema7) }),
        });
        return {
          usage: result.totalUsage,
          reply: { value: result.output as unknown, text: result.text },
          warnings: result.warnings,
        };
      } catch (error) {
        if (!NoObjectGeneratedError.isInstance(error)) throw error;
        return {
          usage: error.usage,
          reply: { value: undefined, text: error.text ?? "" },
          warnings: undefined,
        };
      }
    });
  }

  private async call<T extends TextReply | JsonReply>(
    request: CallRequest,
    run: (settings: {
      model: LanguageModel;
      system: { role: "system"; content: string; providerOptions: typeof CACHE };
      messages: ModelMessage[];
      maxRetries: 0;
      abortSignal: AbortSignal;
      providerOptions: Record<string, Record<string, boolean>>;
      maxOutputTokens?: number;
    }) => Promise<{ usage: LanguageModelUsage | undefined; reply: T; warnings: unknown }>,
  ): Promise<T> {
    const endpoint = this.endpoint(request.role);
    const model = this.model(request.role);
    const { log, timeoutMs, maxRetries } = this.options;
    const input = request.logInput ?? request.messages.at(-1);
    for (let attempt = 1; ; attempt++) {
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeoutMs);
      const started = Date.now();
      try {
        const { usage, reply, warnings } = await run({
          model,
          system: { role: "system", content: request.system, providerOptions: CACHE },
          messages: request.messages,
          maxRetries: 0,
          abortSignal: controller.signal,
          providerOptions: providerOptions(endpoint),
          ...(request.maxOutputTokens && { maxOutputTokens: request.maxOutputTokens }),
        });
        const tokens = tokensOf(usage);
        const usd = this.account(endpoint, tokens);
        log.write({
          kind: "model-call",
          context: request.context,
          model: endpoint.id,
          attempt,
          ms: Date.now() - started,
          tokens,
          usd,
          ...(attempt === 1 && { input }),
          output: "value" in reply && reply.value !== undefined ? { json: reply.value } : reply,
          ...(Array.isArray(warnings) && warnings.length > 0 && { warnings }),
        });
        return reply;
      } catch (error) {
        const failure = classifyFailure(error, endpoint, timedOut ? timeoutMs : null);
        const message = failure.retry ? failure.message : failure.error.message;
        const retry = failure.retry && attempt <= maxRetries;
        log.write({
          kind: "model-error",
          context: request.context,
          model: endpoint.id,
          attempt,
          ms: Date.now() - started,
          error: message,
          retry,
        });
        if (!failure.retry) throw failure.error;
        if (!retry) {
          throw new AutoOptimizeError(
            "llm-unavailable",
            `the ${request.context} call to ${endpoint.id} failed ${attempt} time${attempt === 1 ? "" : "s"}; last: ${message}`,
          );
        }
        await sleep(failure.retryAfterMs ?? backoffMs(attempt));
      } finally {
        clearTimeout(timer);
      }
    }
  }

  private model(role: ModelRole): LanguageModel {
    let model = this.models.get(role);
    if (!model) {
      model = createModel(this.endpoint(role));
      this.models.set(role, model);
    }
    return model;
  }

  private account(endpoint: Endpoint, tokens: TokenUsage): number {
    const price = priceOf(endpoint, this.options.prices);
    if (!price && !this.unpriced.has(endpoint.id)) {
      this.unpriced.add(endpoint.id);
      this.options.warn(
        `no price is known for ${endpoint.id}: its calls count as $0 against --max-cost. Give one with --price ${endpoint.id}=INPUT,OUTPUT (US dollars per million tokens).`,
      );
    }
    const usd = price ? costOf(price, tokens) : 0;
    this.total.usd += usd;
    this.total.inputTokens += tokens.input + tokens.cachedInput + tokens.cacheWrite;
    this.total.outputTokens += tokens.output;
    this.total.cachedTokens += tokens.cachedInput;
    return usd;
  }
}

export function tokensOf(usage: LanguageModelUsage | undefined): TokenUsage {
  if (!usage) return { input: 0, cachedInput: 0, cacheWrite: 0, output: 0 };
  const details = usage.inputTokenDetails;
  const cachedInput = details?.cacheReadTokens ?? usage.cachedInputTokens ?? 0;
  const cacheWrite = details?.cacheWriteTokens ?? 0;
  const input =
    details?.noCacheTokens ?? Math.max(0, (usage.inputTokens ?? 0) - cachedInput - cacheWrite);
  return { input, cachedInput, cacheWrite, output: usage.outputTokens ?? 0 };
}

/** 1 s, 2 s, 4 s … up to 30 s, with jitter so parallel runs do not retry in step. */
function backoffMs(attempt: number): number {
  const base = Math.min(30_000, 1000 * 2 ** (attempt - 1));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
