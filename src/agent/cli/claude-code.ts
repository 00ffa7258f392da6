import type { AgentUsage } from "../types.js";
import {
  type DelegateBackend,
  type DelegateCall,
  type DelegateOptions,
  type DelegateOutput,
  type DelegateReply,
  NO_USAGE,
} from "./types.js";

/** The result object `claude -p --output-format json` prints when it is done (the fields we read). */
export interface ClaudeResult {
  type: "result";
  subtype?: string;
  is_error?: boolean;
  result?: string;
  total_cost_usd?: number;
  num_turns?: number;
  session_id?: string;
  usage?: {
    input_tokens?: number;
    output_tokens?: number;
    cache_creation_input_tokens?: number;
    cache_read_input_tokens?: number;
  };
  permission_denials?: unknown[];
}

const READ_TOOLS = ["Read", "Glob", "Grep"];
const NEVER = ["WebFetch", "WebSearch"];
const NO_EDITS = ["Edit", "Write", "NotebookEdit", "Bash", ...NEVER];

/**
 * Claude Code in print mode: `claude -p PROMPT --output-format json`, in the worktree. Planning
 * may only read (Read, Glob, Grep); applying also edits, with edits accepted, and may run
 * exactly the experiment's build and test commands (`Bash(command)`); the reflexion may use no
 * tool. Every call has a turn limit. Cost and tokens come from the result's total_cost_usd and
 * usage.
 */
export const claudeCode: DelegateBackend = {
  name: "claude-code",
  binary: "claude",
  install:
    "Install Claude Code (npm install -g @anthropic-ai/claude-code), sign in once by running `claude`, or set ANTHROPIC_API_KEY, then run again.",
  needsEnv: ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN"],

  async args(call: DelegateCall, options: DelegateOptions): Promise<string[]> {
    const args = ["-p", call.prompt, "--output-format", "json"];
    args.push("--max-turns", String(options.maxTurns));
    if (options.model) args.push("--model", options.model.replace(/^anthropic:/, ""));
    if (call.step === "apply") {
      const commands = call.commands.map((c) => `Bash(${c})`);
      args.push("--permission-mode", "acceptEdits");
      args.push("--allowedTools", ...READ_TOOLS, "Edit", "Write", ...commands);
      args.push("--disallowedTools", ...NEVER);
    } else {
      args.push("--permission-mode", "default");
      if (call.step === "plan") args.push("--allowedTools", ...READ_TOOLS);
      args.push("--disallowedTools", ...NO_EDITS);
    }
    return args;
  },

  async parse(call: DelegateCall, output: DelegateOutput): Promise<DelegateReply> {
    const result = findResult(output.stdout);
    if (!result) {
      return {
        text: "",
        usage: NO_USAGE,
        error:
          output.exitCode !== 0
            ? `it exited with code ${output.exitCode} without a result`
            : "it printed no result object (is `claude` Claude Code with --output-format json?)",
      };
    }
    const reply: DelegateReply = {
      text: result.result ?? "",
      usage: claudeUsage(result),
      details: {
        subtype: result.subtype,
        numTurns: result.num_turns,
        sessionId: result.session_id,
        ...(result.permission_denials?.length
          ? { permissionDenials: result.permission_denials }
          : {}),
      },
    };
    if (result.subtype === "error_max_turns") {
      // Planning and reflexion need an answer; an edit stopped midway is still checked and tested.
      reply.incomplete = "it stopped at its turn limit (--max-turns)";
      if (call.step !== "apply")
        reply.error = `${reply.incomplete} before answering; raise --max-turns`;
      return reply;
    }
    if (result.is_error || (result.subtype && result.subtype !== "success")) {
      reply.error = `it reported an error (${result.subtype ?? "error"}): ${result.result ?? "no message"}`;
    } else if (output.exitCode !== 0) {
      reply.error = `it exited with code ${output.exitCode}`;
    }
    return reply;
  },
};

/** The result object in stdout: the whole output, or the last `result` line of a stream. */
export function findResult(stdout: string): ClaudeResult | null {
  const candidates = [stdout.trim(), ...stdout.trim().split("\n").reverse()];
  for (const candidate of candidates) {
    try {
      const value = JSON.parse(candidate) as unknown;
      if (typeof value === "object" && value !== null && (value as ClaudeResult).type === "result")
        return value as ClaudeResult;
    } catch {
      // not this one
    }
  }
  return null;
}

/** Input counts every input token (cache writes and reads included); cached is the cache reads. */
export function claudeUsage(result: ClaudeResult): AgentUsage {
  const u = result.usage ?? {};
  const cached = u.cache_read_input_tokens ?? 0;
  return {
    usd: result.total_cost_usd ?? 0,
    inputTokens: (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + cached,
    outputTokens: u.output_tokens ?? 0,
    cachedTokens: cached,
  };
}
