import { UsageError } from "../../errors.js";
import type { ModelPrice } from "../../experiment/schema.js";
import type { ModelRef } from "./models.js";

/** Tokens of one call: input not served from a cache, input read from / written to it, output. */
export interface TokenUsage {
  input: number;
  cachedInput: number;
  cacheWrite: number;
  output: number;
}

/**
 * List prices in US dollars per million tokens of the models this table knows, by exact name (a
 * date or -latest suffix is ignored: claude-sonnet-4-5-20250929 is claude-sonnet-4-5). A model
 * not listed costs $0 with a warning: give its price with --price or the experiment's
 * agent.prices — which also override the table when a price changes.
 */
const TABLE: Record<"anthropic" | "openai", Record<string, ModelPrice>> = {
  anthropic: {
    "claude-opus-4-5": { input: 5, output: 25, cachedInput: 0.5, cacheWrite: 6.25 },
    "claude-opus-4-1": { input: 15, output: 75, cachedInput: 1.5, cacheWrite: 18.75 },
    "claude-opus-4-0": { input: 15, output: 75, cachedInput: 1.5, cacheWrite: 18.75 },
    "claude-opus-4": { input: 15, output: 75, cachedInput: 1.5, cacheWrite: 18.75 },
    "claude-sonnet-4-5": { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 },
    "claude-sonnet-4-0": { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 },
    "claude-sonnet-4": { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 },
    "claude-3-7-sonnet": { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 },
    "claude-haiku-4-5": { input: 1, output: 5, cachedInput: 0.1, cacheWrite: 1.25 },
    "claude-3-5-haiku": { input: 0.8, output: 4, cachedInput: 0.08, cacheWrite: 1 },
    "claude-3-haiku": { input: 0.25, output: 1.25, cachedInput: 0.03, cacheWrite: 0.3 },
  },
  openai: {
    "gpt-5": { input: 1.25, output: 10, cachedInput: 0.125 },
    "gpt-5-chat": { input: 1.25, output: 10, cachedInput: 0.125 },
    "gpt-5-mini": { input: 0.25, output: 2, cachedInput: 0.025 },
    "gpt-5-nano": { input: 0.05, output: 0.4, cachedInput: 0.005 },
    "gpt-4.1": { input: 2, output: 8, cachedInput: 0.5 },
    "gpt-4.1-mini": { input: 0.4, output: 1.6, cachedInput: 0.1 },
    "gpt-4.1-nano": { input: 0.1, output: 0.4, cachedInput: 0.025 },
    "gpt-4o": { input: 2.5, output: 10, cachedInput: 1.25 },
    "gpt-4o-mini": { input: 0.15, output: 0.6, cachedInput: 0.075 },
    o1: { input: 15, output: 60, cachedInput: 7.5 },
    o3: { input: 2, output: 8, cachedInput: 0.5 },
    "o3-mini": { input: 1.1, output: 4.4, cachedInput: 0.55 },
    "o4-mini": { input: 1.1, output: 4.4, cachedInput: 0.275 },
  },
};

/** The price of a model: an override, else the table; local OpenAI-compatible servers are free. */
export function priceOf(
  ref: ModelRef,
  overrides: Record<string, ModelPrice> = {},
): ModelPrice | null {
  const override = overrides[ref.id] ?? overrides[ref.model];
  if (override) return override;
  if (ref.provider === "openai-compatible") return { input: 0, output: 0 };
  const name = ref.model.replace(/-(latest|\d{8}|\d{4}-\d{2}-\d{2})$/, "");
  return TABLE[ref.provider][name] ?? null;
}

export function costOf(price: ModelPrice, usage: TokenUsage): number {
  return (
    (usage.input * price.input +
      usage.cachedInput * (price.cachedInput ?? price.input) +
      usage.cacheWrite * (price.cacheWrite ?? price.input) +
      usage.output * price.output) /
    1e6
  );
}

/** `provider:model=INPUT,OUTPUT[,CACHED_INPUT[,CACHE_WRITE]]`, US dollars per million tokens. */
export function parsePrice(spec: string): [string, ModelPrice] {
  const match = /^([^=]+)=([^=]+)$/.exec(spec.trim());
  const numbers = match?.[2]?.split(",").map((n) => Number(n.trim())) ?? [];
  if (
    !match ||
    numbers.length < 2 ||
    numbers.length > 4 ||
    numbers.some((n) => !Number.isFinite(n) || n < 0)
  ) {
    throw new UsageError(
      "bad-price",
      `--price '${spec}' is not provider:model=INPUT,OUTPUT[,CACHED_INPUT[,CACHE_WRITE]] in US dollars per million tokens, e.g. anthropic:claude-sonnet-4-5=3,15,0.3,3.75`,
    );
  }
  const [input, output, cachedInput, cacheWrite] = numbers as [number, number, number?, number?];
  return [
    (match[1] as string).trim(),
    {
      input,
      output,
      ...(cachedInput !== undefined && { cachedInput }),
      ...(cacheWrite !== undefined && { cacheWrite }),
    },
  ];
}
