import { APICallError } from "ai";
import { AutoOptimizeError } from "../../errors.js";
import type { Endpoint } from "./models.js";

export type Failure =
  | { retry: true; message: string; retryAfterMs: number | null }
  | { retry: false; error: AutoOptimizeError };

/** Connection failures that retrying will not fix: nothing listens there, or no such host. */
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/**
 * What a failed model call means: worth a retry (429, 408, 409, 5xx, a dropped connection, our
 * own per-call timeout) or a stop with a message saying what to do — an authentication failure
 * names the key's variable, an unreachable server names its URL.
 */
export function classifyFailure(
  error: unknown,
  endpoint: Endpoint,
  timedOutAfterMs: number | null,
): Failure {
  if (timedOutAfterMs !== null) {
    return {
      retry: true,
      message: `no answer from ${endpoint.baseUrl} within ${timedOutAfterMs / 1000} s`,
      retryAfterMs: null,
    };
  }
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    const detail = providerMessage(error);
    if (status === 401 || status === 403) {
      const variable =
        endpoint.keyVariable ??
        (endpoint.provider === "openai-compatible" ? "OPENAI_COMPATIBLE_API_KEY" : null);
      return {
        retry: false,
        error: new AutoOptimizeError(
          "llm-auth",
          `${endpoint.baseUrl} refused the credentials for ${endpoint.id} (HTTP ${status}${detail ? `: ${detail}` : ""}). Check ${variable ?? "the API key"}${endpoint.keyVariable ? "" : " (it is not set)"}.`,
        ),
      };
    }
    if (status === undefined) {
      const code = networkCode(error) ?? (/bad port/i.test(error.message) ? "bad port" : null);
      if (code && (UNREACHABLE.has(code) || code === "bad port")) {
        return {
          retry: false,
          error: new AutoOptimizeError(
            "llm-unreachable",
            `cannot reach the model server at ${endpoint.baseUrl} (${code}) for ${endpoint.id}. Is it running? The address comes from --base-url, ${endpoint.provider === "anthropic" ? "ANTHROPIC_BASE_URL" : "OPENAI_BASE_URL"} or the default.`,
          ),
        };
      }
      return {
        retry: true,
        message: `connection to ${endpoint.baseUrl} failed: ${code ?? error.message}`,
        retryAfterMs: null,
      };
    }
    if (status === 429 || status === 408 || status === 409 || status >= 500) {
      return {
        retry: true,
        message: `${endpoint.baseUrl} answered HTTP ${status}${detail ? `: ${detail}` : ""}`,
        retryAfterMs: retryAfter(error.responseHeaders),
      };
    }
    return {
      retry: false,
      error: new AutoOptimizeError(
        "llm-request",
        `${endpoint.baseUrl} refused the call to ${endpoint.id} with HTTP ${status}${detail ? `: ${detail}` : ""}.`,
      ),
    };
  }
  return {
    retry: false,
    error:
      error instanceof AutoOptimizeError
        ? error
        : new AutoOptimizeError(
            "llm-call",
            `the call to ${endpoint.id} at ${endpoint.baseUrl} failed: ${error instanceof Error ? error.message : String(error)}`,
          ),
  };
}

function providerMessage(error: APICallError): string {
  const body = error.responseBody;
  if (body) {
    try {
      const parsed = JSON.parse(body) as {
        error?: { message?: string } | string;
        message?: string;
      };
      const message =
        typeof parsed.error === "string" ? parsed.error : (parsed.error?.message ?? parsed.message);
      if (message) return message.slice(0, 300);
    } catch {
      return body.slice(0, 300);
    }
  }
  return error.message.slice(0, 300);
}

function networkCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z]+$|^UND_ERR/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

function retryAfter(headers: Record<string, string> | undefined): number | null {
  if (!headers) return null;
  const ms = Number(headers["retry-after-ms"]);
  if (headers["retry-after-ms"] !== undefined && Number.isFinite(ms)) return Math.min(ms, 60_000);
  const value = headers["retry-after"];
  if (value === undefined) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.min(seconds * 1000, 60_000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.min(Math.max(0, date - Date.now()), 60_000) : null;
}
