import { existsSync } from "node:fs";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { git } from "../../workspace/git.js";
import type { AgentUsage } from "../types.js";
import type {
  DelegateBackend,
  DelegateCall,
  DelegateOptions,
  DelegateOutput,
  DelegateReply,
} from "./types.js";

const MESSAGE = "message.md";
const CHAT_HISTORY = "chat.history.md";
const INPUT_HISTORY = "input.history";

/** API failures aider prints (through litellm) while still exiting 0. */
const API_ERROR = /^.*(?:litellm\.\w*Error|AuthenticationError|API key).*$/im;

/**
 * aider, one message per call: `aider --message-file FILE --yes-always --no-auto-commits`, in the
 * worktree. It must leave git and the worktree alone besides its edits: no commits (also of a
 * dirty tree, as a retry finds it), no .gitignore entry, its history files in the call's private
 * folder, and the repo-map cache it leaves at the worktree's root removed. Planning and the
 * reflexion use the `ask` chat mode (no edits); the reflexion runs outside any repository. The
 * answer is read from the chat history, tokens and cost from aider's "Tokens: … Cost: …" lines.
 */
export const aider: DelegateBackend = {
  name: "aider",
  binary: "aider",
  install:
    "Install aider (python -m pip install aider-install && aider-install, or pipx install aider-chat), set the API key of your model's provider (ANTHROPIC_API_KEY, OPENAI_API_KEY, …), and run again.",
  needsEnv: [
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "GEMINI_API_KEY",
    "DEEPSEEK_API_KEY",
    "OPENROUTER_API_KEY",
    "GROQ_API_KEY",
    "MISTRAL_API_KEY",
    "XAI_API_KEY",
    "AIDER_API_KEY",
    "AIDER_ANTHROPIC_API_KEY",
    "AIDER_OPENAI_API_KEY",
  ],

  async args(call: DelegateCall, options: DelegateOptions): Promise<string[]> {
    const message = join(call.scratch, MESSAGE);
    await writeFile(message, call.prompt);
    return [
      "--message-file",
      message,
      "--yes-always",
      "--no-auto-commits",
      "--no-dirty-commits",
      "--no-gitignore",
      "--no-pretty",
      "--no-stream",
      "--no-check-update",
      "--no-analytics",
      "--no-show-release-notes",
      "--no-suggest-shell-commands",
      "--input-history-file",
      join(call.scratch, INPUT_HISTORY),
      "--chat-history-file",
      join(call.scratch, CHAT_HISTORY),
      ...(options.model ? ["--model", aiderModel(options.model)] : []),
      ...(call.step === "apply" ? [] : ["--chat-mode", "ask"]),
      ...(call.step === "reflect" ? ["--no-git"] : []),
      ...(call.step === "apply" ? call.files.filter((f) => !f.startsWith("-")) : []),
    ];
  },

  async parse(call: DelegateCall, output: DelegateOutput): Promise<DelegateReply> {
    if (call.step !== "reflect") await removeAiderLeftovers(call.cwd);
    const history = await readFile(join(call.scratch, CHAT_HISTORY), "utf8").catch(() => "");
    const text = aiderReply(history) || output.stdout.trim();
    const usage = aiderUsage(output.stdout) ?? aiderUsage(history) ?? NONE;
    const reply: DelegateReply = { text, usage };
    const apiError = `${output.stdout}\n${output.stderr}`.match(API_ERROR)?.[0]?.trim();
    if (output.exitCode !== 0)
      reply.error = `it exited with code ${output.exitCode}${apiError ? `: ${apiError}` : ""}`;
    else if (apiError && !aiderReply(history)) reply.error = apiError;
    return reply;
  },
};

const NONE: AgentUsage = { usd: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0 };

/** `provider:model` (auto-optimize's naming) becomes `provider/model` (aider's, via litellm). */
export function aiderModel(model: string): string {
  return model.replace(/^(anthropic|openai|gemini|deepseek|openrouter|ollama):/, "$1/");
}

/**
 * The assistant's last answer in aider's chat history: the lines after the last user message
 * (each of its lines starts with "#### "), without aider's own notes (lines starting with ">").
 */
export function aiderReply(history: string): string {
  const lines = history.split("\n");
  let last = -1;
  lines.forEach((line, i) => {
    if (line.startsWith("#### ") || line === "####") last = i;
  });
  if (last < 0) return "";
  return lines
    .slice(last + 1)
    .filter((line) => !line.startsWith(">"))
    .join("\n")
    .trim();
}

const TOKENS =
  /Tokens: ([\d.,]+k?) sent(?:, ([\d.,]+k?) cache write)?(?:, ([\d.,]+k?) cache hit)?, ([\d.,]+k?) received\.(?:\s*Cost: \$([\d.]+) message)?/g;

/** The sum of aider's per-message usage lines, or null when it printed none. */
export function aiderUsage(text: string): AgentUsage | null {
  const matches = [...text.matchAll(TOKENS)];
  if (matches.length === 0) return null;
  const usage = { ...NONE };
  for (const m of matches) {
    const hit = count(m[3]);
    usage.inputTokens += count(m[1]) + hit;
    usage.cachedTokens += hit;
    usage.outputTokens += count(m[4]);
    usage.usd += m[5] ? Number(m[5]) : 0;
  }
  return usage;
}

/** aider's token counts: 950, 2.3k, 12k. */
function count(text: string | undefined): number {
  if (!text) return 0;
  const clean = text.replace(/,/g, "");
  return clean.endsWith("k") ? Math.round(Number(clean.slice(0, -1)) * 1000) : Number(clean);
}

/** Untracked `.aider*` files and folders at the worktree's root (its repo-map cache). */
async function removeAiderLeftovers(worktree: string): Promise<void> {
  if (!existsSync(worktree)) return;
  for (const name of await readdir(worktree)) {
    if (!name.startsWith(".aider")) continue;
    const tracked = await git(["ls-files", "--", name], worktree).catch(() => "");
    if (!tracked) await rm(join(worktree, name), { recursive: true, force: true });
  }
}
