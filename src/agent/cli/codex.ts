import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { AgentUsage } from "../types.js";
import type {
  DelegateBackend,
  DelegateCall,
  DelegateOptions,
  DelegateOutput,
  DelegateReply,
} from "./types.js";

/**
 * One JSONL event of `codex exec --json` (codex-rs/exec/src/exec_events.rs), with the fields we
 * read: thread.started, turn.completed (usage), turn.failed (error), error (message),
 * item.completed (item: agent_message text, command_execution, file_change…).
 */
export interface CodexEvent {
  type: string;
  thread_id?: string;
  usage?: { input_tokens?: number; cached_input_tokens?: number; output_tokens?: number };
  error?: { message?: string };
  message?: string;
  item?: { type?: string; text?: string };
}

const LAST_MESSAGE = "last-message.txt";

/**
 * Codex non-interactive: `codex exec --json PROMPT` with stdin closed, in the worktree. Planning
 * and the reflexion run in the read-only sandbox, applying in the workspace-write sandbox (writes
 * only inside the worktree). The answer is the last agent message (also written with
 * --output-last-message); tokens come from the turn.completed events. Codex reports no price, so
 * its cost counts as $0.
 */
export const codex: DelegateBackend = {
  name: "codex",
  binary: "codex",
  install:
    "Install the Codex CLI (npm install -g @openai/codex), then sign in with `codex login` or set OPENAI_API_KEY, and run again.",
  needsEnv: ["OPENAI_API_KEY", "CODEX_API_KEY"],

  async args(call: DelegateCall, options: DelegateOptions): Promise<string[]> {
    return [
      "exec",
      "--json",
      "--sandbox",
      call.step === "apply" ? "workspace-write" : "read-only",
      "--skip-git-repo-check",
      "--cd",
      call.cwd,
      "--output-last-message",
      join(call.scratch, LAST_MESSAGE),
      ...(options.model ? ["--model", options.model.replace(/^openai:/, "")] : []),
      call.prompt,
    ];
  },

  async parse(call: DelegateCall, output: DelegateOutput): Promise<DelegateReply> {
    const events = parseCodexEvents(output.stdout);
    const lastFile = await readFile(join(call.scratch, LAST_MESSAGE), "utf8").catch(() => "");
    const messages = events.flatMap((e) =>
      e.type === "item.completed" && e.item?.type === "agent_message" && e.item.text
        ? [e.item.text]
        : [],
    );
    const text = messages[messages.length - 1] ?? lastFile;
    const failed = events.flatMap((e) =>
      e.type === "turn.failed" ? [e.error?.message ?? "turn failed"] : [],
    );
    const errors = events.flatMap((e) => (e.type === "error" && e.message ? [e.message] : []));
    const thread = events.find((e) => e.type === "thread.started");
    const reply: DelegateReply = {
      text,
      usage: codexUsage(events),
      details: { threadId: thread?.thread_id, events: events.length },
    };
    if (failed.length > 0) reply.error = `the turn failed: ${failed.join("; ")}`;
    else if (output.exitCode !== 0)
      reply.error = `it exited with code ${output.exitCode}${errors.length ? `: ${errors.join("; ")}` : ""}`;
    else if (!text && call.step !== "apply")
      reply.error = "it ended without an answer (no agent message)";
    return reply;
  },
};

export function parseCodexEvents(stdout: string): CodexEvent[] {
  const events: CodexEvent[] = [];
  for (const line of stdout.split("\n")) {
    const trimmed = line.trim();
    if (!trimmed.startsWith("{")) continue;
    try {
      const event = JSON.parse(trimmed) as CodexEvent;
      if (typeof event.type === "string") events.push(event);
    } catch {
      // a progress line that is not an event
    }
  }
  return events;
}

/** OpenAI's convention: input tokens include the cached ones. */
export function codexUsage(events: CodexEvent[]): AgentUsage {
  const usage = { usd: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0 };
  for (const event of events) {
    if (event.type !== "turn.completed" || !event.usage) continue;
    usage.inputTokens += event.usage.input_tokens ?? 0;
    usage.cachedTokens += event.usage.cached_input_tokens ?? 0;
    usage.outputTokens += event.usage.output_tokens ?? 0;
  }
  return usage;
}
