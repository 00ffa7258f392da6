import { UsageError } from "../../errors.js";

export const PROVIDERS = ["anthropic", "openai", "openai-compatible"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** Without --model: the planner gets the stronger model, the executor the cheaper one. */
export const DEFAULT_MODELS: Record<"anthropic" | "openai", { planner: string; executor: string }> =
  {
    anthropic: { planner: "claude-sonnet-4-5", executor: "claude-haiku-4-5" },
    openai: { planner: "gpt-5", executor: "gpt-5-mini" },
  };

export const DEFAULT_BASE_URLS: Record<ProviderName, string> = {
  anthropic: "https://api.anthropic.com/v1",
  openai: "https://api.openai.com/v1",
  "openai-compatible": "http://localhost:11434/v1",
};

/** Where each provider's key and base URL come from. */
export const KEY_VARIABLES: Record<ProviderName, string> = {
  anthropic: "ANTHROPIC_API_KEY",
  openai: "OPENAI_API_KEY",
  "openai-compatible": "OPENAI_COMPATIBLE_API_KEY",
};
const BASE_URL_VARIABLES: Record<ProviderName, string> = {
  anthropic: "ANTHROPIC_BASE_URL",
  openai: "OPENAI_BASE_URL",
  "openai-compatible": "OPENAI_BASE_URL",
};

export interface ModelRef {
  provider: ProviderName;
  model: string;
  /** provider:model */
  id: string;
}

/** A model and everything needed to call it. The key itself is never logged or written. */
export interface Endpoint extends ModelRef {
  baseUrl: string;
  /** The variable the key came from (named in errors), or null when none is needed or set. */
  keyVariable: string | null;
  apiKey: string | undefined;
  model: string;
}

export function parseModelId(text: string): ModelRef {
  const at = text.indexOf(":");
  const provider = text.slice(0, at) as ProviderName;
  const model = text.slice(at + 1).trim();
  if (at <= 0 || !PROVIDERS.includes(provider) || model === "") {
    throw new UsageError(
      "bad-model",
      `model '${text}' is not provider:model — use anthropic:claude-sonnet-4-5, openai:gpt-5 or openai-compatible:llama3.1 (any model of an OpenAI-compatible server such as Ollama, vLLM or llama.cpp).`,
    );
  }
  return { provider, model, id: `${provider}:${model}` };
}

/**
 * The base URL and key of a model. A missing key of Anthropic or OpenAI stops at once naming the
 * variable; OpenAI-compatible servers (Ollama…) usually need none, OPENAI_COMPATIBLE_API_KEY is
 * sent when set. The base URL: --base-url, else the provider's variable, else the default.
 */
export function resolveEndpoint(
  ref: ModelRef,
  env: NodeJS.ProcessEnv,
  baseUrlFlag?: string,
): Endpoint {
  const keyVariable = KEY_VARIABLES[ref.provider];
  const apiKey = env[keyVariable]?.trim() || undefined;
  if (!apiKey && ref.provider !== "openai-compatible") {
    throw new UsageError(
      "missing-key",
      `${keyVariable} is not set, and the model ${ref.id} needs it: export ${keyVariable}=… (or choose another --model or --agent).`,
    );
  }
  const raw =
    baseUrlFlag?.trim() ||
    env[BASE_URL_VARIABLES[ref.provider]]?.trim() ||
    DEFAULT_BASE_URLS[ref.provider];
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(
      "bad-base-url",
      `base URL '${raw}' is not a URL (from --base-url or ${BASE_URL_VARIABLES[ref.provider]}); give one like http://localhost:11434/v1.`,
    );
  }
  let baseUrl = url.toString().replace(/\/+$/, "");
  // Anthropic's own clients take the URL without /v1 (ANTHROPIC_BASE_URL=https://host); the AI SDK wants it.
  if (ref.provider === "anthropic" && !/\/v1$/.test(baseUrl)) baseUrl = `${baseUrl}/v1`;
  return { ...ref, baseUrl, keyVariable: apiKey ? keyVariable : null, apiKey };
}

/** Provider options every call to this endpoint carries. */
export function providerOptions(endpoint: Endpoint): Record<string, Record<string, boolean>> {
  // Strict JSON schema mode refuses optional fields and length limits, which the plan has.
  return endpoint.provider === "openai" ? { openai: { strictJsonSchema: false } } : {};
}

/** Looks like provider:model with a known provider (as opposed to a coding CLI's model name). */
export function isModelId(text: string | undefined): boolean {
  return text !== undefined && /^(anthropic|openai|openai-compatible):\S/.test(text);
}
