import { UsageError } from "../errors.js";
import type { Experiment } from "../experiment/schema.js";
import { createDelegate, DELEGATE_NAMES, findOnPath, isDelegateName } from "./cli/index.js";
import { type LlmFlags, llmOptions } from "./llm/config.js";
import { isModelId } from "./llm/models.js";
import { createPatchesAgent } from "./patches/index.js";
import { createTunerAgent } from "./tuner/index.js";
import type { Agent } from "./types.js";

export interface AgentChoice {
  /** tuner | patches | claude-code | codex | aider; default: the first one available. */
  name?: string;
  patchesDir?: string;
  revisions?: string[];
  /** llm: models (provider:model), base URL, prices, allowed commands — the flags of run. */
  llm?: LlmFlags;
  /** The model: for claude-code, codex and aider the CLI's own name for it (passed to its --model). */
  model?: string;
  /** claude-code: the turn limit of one call (--max-turns). */
  maxTurns?: number;
  /** claude-code, codex, aider: the time limit of one call, in milliseconds. */
  agentTimeoutMs?: number;
}

export const AGENT_NAMES = ["tuner", "patches", "llm", ...DELEGATE_NAMES] as const;

/**
 * The agent of a run: the one named, else the first available — the patch source when one is
 * given, Claude Code when a `claude` binary is on PATH, the knob tuner when the experiment
 * declares knobs — else a message listing the choices.
 */
export async function selectAgent(
  choice: AgentChoice,
  experiment: Experiment,
  root: string,
): Promise<Agent> {
  const patches = choice.patchesDir !== undefined || (choice.revisions?.length ?? 0) > 0;
  const llm = patches ? undefined : defaultLlm(choice, experiment);
  const name = choice.name ?? llm ?? defaultAgent(patches, experiment);
  if (name !== undefined && isDelegateName(name)) {
    return createDelegate(name, {
      model: choice.model,
      maxTurns: choice.maxTurns,
      timeoutMs: choice.agentTimeoutMs,
    });
  }
  if (name === "llm") {
    const options = llmOptions(choice.llm ?? {}, experiment.agent, process.env, warn);
    // The AI SDK is loaded only when a model agent runs: every other run starts without it.
    const { createLlmAgent } = await import("./llm/agent.js");
    return createLlmAgent(options);
  }
  if (name === "tuner") {
    if (experiment.knobs.length === 0) {
      throw new UsageError(
        "no-knobs",
        "the tuner needs knobs, and this experiment declares none: declare them at init (--knob), or choose another agent.",
      );
    }
    return createTunerAgent();
  }
  if (name === "patches") {
    if (!patches) {
      throw new UsageError(
        "no-patches",
        "--agent patches needs --patches DIR (a folder of *.patch files) or --revisions REV,REV.",
      );
    }
    return createPatchesAgent({ dir: choice.patchesDir, revisions: choice.revisions }, root);
  }
  if (name === undefined) {
    throw new UsageError(
      "no-agent",
      [
        "no agent is available for this experiment. Configure one of:",
        "  --agent tuner      declare knobs at init (--knob NAME:env:int:1..8=1, …) and let the tuner search them",
        "  --agent patches    --patches DIR (a folder of *.patch files) or --revisions REV,REV: candidates you already have",
        "  --agent llm        set ANTHROPIC_API_KEY or OPENAI_API_KEY, or give --model openai-compatible:MODEL for a local server such as Ollama",
        "  --agent claude-code, codex or aider   install that coding CLI (the `claude`, `codex` or `aider` command) and sign it in",
      ].join("\n"),
    );
  }
  throw new UsageError(
    "unknown-agent",
    `unknown agent '${name}': choose one of ${AGENT_NAMES.join(", ")}.`,
  );
}

/** Without --agent: the patch source when one is given, else the first available, in order. */
function defaultAgent(patches: boolean, experiment: Experiment): string | undefined {
  if (patches) return "patches";
  if (findOnPath("claude")) return "claude-code";
  if (experiment.knobs.length > 0) return "tuner";
  return undefined;
}

/**
 * The model agent without --agent (after a patch source): the agent the experiment names, else
 * llm when a model is given as provider:model or an Anthropic or OpenAI key is set.
 */
function defaultLlm(choice: AgentChoice, experiment: Experiment): string | undefined {
  if (experiment.agent?.name) return experiment.agent.name;
  const flags = choice.llm ?? {};
  const settings = experiment.agent ?? {};
  const models = [flags.model, flags.plannerModel, flags.executorModel, settings.model];
  if ([...models, settings.plannerModel, settings.executorModel].some(isModelId)) return "llm";
  if (process.env.ANTHROPIC_API_KEY || process.env.OPENAI_API_KEY) return "llm";
  return undefined;
}

function warn(message: string): void {
  process.stderr.write(`auto-optimize: warning: ${message}\n`);
}
