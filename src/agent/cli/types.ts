import type { AgentUsage } from "../types.js";

export const DELEGATE_NAMES = ["claude-code", "codex", "aider"] as const;
export type DelegateName = (typeof DELEGATE_NAMES)[number];

/** The three steps a coding CLI is asked to do, each in a context (a process) of its own. */
export type DelegateStep = "plan" | "apply" | "reflect";

/** How a delegate is run; every field has a default in `createDelegateAgent`. */
export interface DelegateOptions {
  /** Passed to the CLI's own --model flag (its own naming: `sonnet`, `gpt-5-codex`, `openai/gpt-4o`). */
  model?: string;
  /** Turn limit of one call (claude-code's --max-turns; the others have no such flag). */
  maxTurns: number;
  /** Wall-clock limit of one call; its whole process group is killed past it. */
  timeoutMs: number;
  /** More environment variables to pass although their names look secret. */
  passEnv: string[];
}

/** One call of a CLI, as the agent asks for it. */
export interface DelegateCall {
  step: DelegateStep;
  prompt: string;
  /** Where the CLI runs: the candidate worktree (plan, apply) or an empty scratch folder (reflect). */
  cwd: string;
  /** A private folder outside the worktree for the files a CLI reads or writes besides its edits. */
  scratch: string;
  /** The experiment's own commands the CLI may run while applying (tests, build). */
  commands: string[];
  /** Files the plan names: aider adds them to its chat. */
  files: string[];
}

/** What came back from one call, parsed. */
export interface DelegateReply {
  /** The CLI's final answer (plan JSON, summary, reflexion). */
  text: string;
  usage: AgentUsage;
  /** Set when the CLI reported a failure: authentication, API error, crash. */
  error?: string;
  /** Set when the CLI stopped before finishing (turn limit): not an error while applying. */
  incomplete?: string;
  /** Extra facts for agent-log.jsonl (session id, turns, permission denials). */
  details?: Record<string, unknown>;
}

/** What a coding CLI's process produced. */
export interface DelegateOutput {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

/** One coding CLI: how to call it and how to read what it printed. */
export interface DelegateBackend {
  readonly name: DelegateName;
  /** The executable looked up on PATH. */
  readonly binary: string;
  /** How to install and sign in, for the missing-binary message. */
  readonly install: string;
  /** Variables whose names look secret but which the CLI itself needs to authenticate. */
  readonly needsEnv: readonly string[];
  /** The arguments of one call; the prompt argument, if any, is elided from the log. */
  args(call: DelegateCall, options: DelegateOptions): Promise<string[]>;
  parse(call: DelegateCall, output: DelegateOutput): Promise<DelegateReply>;
}

export const NO_USAGE = {
  usd: 0,
  inputTokens: 0,
  outputTokens: 0,
  cachedTokens: 0,
} as const satisfies AgentUsage;
