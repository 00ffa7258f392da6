import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ModelMessage } from "ai";
import type { Experiment } from "../../experiment/schema.js";
import type { Redactor } from "../../secrets.js";
import { globMatcher } from "../../workspace/files.js";
import { git } from "../../workspace/git.js";
import type { AgentLog } from "../agent-log.js";
import { clip } from "../clip.js";
import type { IterationContext, Plan } from "../types.js";
import { type ModelClient, OUTPUT_TOKENS } from "./client.js";
import { EXECUTOR_SYSTEM } from "./prompts.js";
import { runToolLoop } from "./tool-loop.js";
import { ToolBox } from "./tools/toolbox.js";

export interface ExecutorLimits {
  maxSteps: number;
  maxMinutes: number;
  /** Commands besides the experiment's build, test and bench commands. */
  allowCommands: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * Applies the plan in the candidate worktree with confined tools. On a retry it is shown its
 * edits so far and the failing build/test output. What it says it did is returned as is; the
 * loop's own checks decide.
 */
export async function executePlan(
  client: ModelClient,
  context: IterationContext,
  plan: Plan,
  feedback: string | null,
  limits: ExecutorLimits,
  log: AgentLog,
  redactor: Redactor,
): Promise<string> {
  const { experiment } = context;
  const commands = allowedCommands(experiment, limits.allowCommands);
  const toolbox = new ToolBox({
    root: context.worktree,
    canWrite: writeRule(experiment),
    commands,
    commandTimeoutMs: experiment.measurement.timeoutSeconds * 1000,
    env: limits.env,
    redactor,
    log,
    context: "executor",
  });
  const parts = [
    `# Apply this plan (iteration ${context.iteration})`,
    "",
    `Scope — the only files you may change: ${experiment.scope.join(", ")}`,
    `Protected: ${experiment.protect.join(", ")}`,
    "",
    plan.markdown,
    ...(context.hotspots
      ? ["", "## Hot spots of the current best", "", clip(context.hotspots, 6000)]
      : []),
  ];
  if (feedback !== null) {
    const status = await git(["status", "--short"], context.worktree);
    const diff = await git(["diff", "HEAD"], context.worktree);
    const added = await newFiles(context.worktree);
    parts.push(
      "",
      "## This is a retry",
      "",
      "Your edits so far are still in the worktree:",
      "",
      "```",
      clip([status, diff, added].filter(Boolean).join("\n\n"), 8000),
      "```",
      "",
      "The program's build and tests failed with:",
      "",
      "```",
      clip(redactor.text(feedback), 6000),
      "```",
      "",
      "Fix the cause, keeping to the plan.",
    );
  }
  const messages: ModelMessage[] = [
    {
      role: "user",
      content: parts.join("\n"),
      providerOptions: { anthropic: { cacheControl: { type: "ephemeral" } } },
    },
  ];
  const result = await runToolLoop(
    client,
    {
      role: "executor",
      context: "executor",
      system: EXECUTOR_SYSTEM,
      maxOutputTokens: OUTPUT_TOKENS.executor,
    },
    messages,
    toolbox,
    { maxSteps: limits.maxSteps, deadline: Date.now() + limits.maxMinutes * 60_000 },
  );
  const changed = [...toolbox.written];
  const summary = [
    result.text.trim() || "(the executor gave no summary)",
    ...(result.cutShort ? [`(stopped by ${result.cutShort})`] : []),
    `Files written: ${changed.length ? changed.join(", ") : "none"}`,
  ].join("\n");
  return redactor.text(summary);
}

/** The files the executor created (untracked), shown whole as `git diff` does not show them. */
async function newFiles(worktree: string): Promise<string> {
  const out = await git(["ls-files", "--others", "--exclude-standard", "-z"], worktree);
  const blocks: string[] = [];
  for (const rel of out.split("\0").filter(Boolean).slice(0, 20)) {
    const text = await readFile(join(worktree, rel), "utf8").catch(() => "(unreadable)");
    blocks.push(`new file ${rel}:\n${text.slice(0, 2000).replace(/^/gm, "+")}`);
  }
  return blocks.join("\n\n");
}

/** The experiment's own commands (the behaviour check too: the edit can be checked before it is handed in) and the user's allowed ones. */
export function allowedCommands(experiment: Experiment, extra: string[]): string[] {
  const { build, test, bench, check } = experiment.commands;
  return [
    ...new Set([...(build ? [build] : []), test, bench, ...(check ? [check] : []), ...extra]),
  ];
}

/** Writes outside the scope or to protected files are refused before the loop's check. */
function writeRule(experiment: Experiment): (rel: string) => string | null {
  const inScope = globMatcher(experiment.scope);
  const isProtected = globMatcher(experiment.protect);
  return (rel) => {
    if (isProtected(rel)) return `protected (${experiment.protect.join(", ")}); it may not change`;
    if (!inScope(rel)) return `outside the scope (${experiment.scope.join(", ")})`;
    return null;
  };
}
