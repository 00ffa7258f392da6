import type { Agent } from "../types.js";
import { createDelegateAgent } from "./agent.js";
import { aider } from "./aider.js";
import { claudeCode } from "./claude-code.js";
import { codex } from "./codex.js";
import { findOnPath } from "./env.js";
import { missingBinary } from "./invoke.js";
import {
  DELEGATE_NAMES,
  type DelegateBackend,
  type DelegateName,
  type DelegateOptions,
} from "./types.js";

export { DEFAULT_MAX_TURNS, DEFAULT_TIMEOUT_MS } from "./agent.js";
export { findOnPath } from "./env.js";
export { DELEGATE_NAMES, type DelegateName, type DelegateOptions } from "./types.js";

export const DELEGATES: Record<DelegateName, DelegateBackend> = {
  "claude-code": claudeCode,
  codex,
  aider,
};

export function isDelegateName(name: string): name is DelegateName {
  return (DELEGATE_NAMES as readonly string[]).includes(name);
}

/** Names of further variables a CLI may see although they look secret (Bedrock, Vertex, proxies). */
export const PASS_ENV_VARIABLE = "AUTO_OPTIMIZE_DELEGATE_ENV";

/**
 * The agent that delegates planning, editing and reflexion to a coding CLI. Its binary must be on
 * PATH now: a missing one is a UsageError saying how to install it, before any iteration starts.
 * AUTO_OPTIMIZE_DELEGATE_ENV (comma-separated names) adds to the variables passed to the CLI.
 */
export function createDelegate(name: DelegateName, options: Partial<DelegateOptions> = {}): Agent {
  const backend = DELEGATES[name];
  if (!findOnPath(backend.binary)) throw missingBinary(backend);
  const passEnv = (process.env[PASS_ENV_VARIABLE] ?? "")
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  return createDelegateAgent(backend, { passEnv, ...options });
}
