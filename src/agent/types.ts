import type { IterationDecision } from "../experiment/events.js";
import type { GuardKind } from "../experiment/guard-kinds.js";
import type { Experiment, KnobValue } from "../experiment/schema.js";
import type { Verdict } from "../measure/decision.js";

/** What every agent is told at the start of an iteration. */
export interface IterationContext {
  experiment: Experiment;
  /** Absolute path of the repository's main working tree (experiment branch checked out). */
  root: string;
  /** Absolute path of the experiment folder. */
  experimentDir: string;
  iteration: number;
  /** Absolute path of the candidate worktree: the only place an agent may change files. */
  worktree: string;
  baseline: { value: number };
  best: { commit: string; value: number; knobs: Record<string, KnobValue> };
  leaderboard: string;
  /** The most recent reflexions, oldest first. */
  reflexions: string[];
  /** Strategies of earlier iterations, how each ended, and its folder (plan.json, reflexion.md). */
  tried: { iteration: number; strategy: string; decision: IterationDecision; folder?: string }[];
  /**
   * `run --parallel`: the strategies its siblings in this generation are trying now, against the
   * same best (a plan must differ from them).
   */
  siblings?: string[];
  /** Profile of the current best, when a profiler ran (text table), else null. */
  hotspots: string | null;
  /** What a candidate must clear to be kept, as the comparison will apply it. */
  bar?: KeepBar;
  /** Every scenario's median for the baseline and the current best (several scenarios only). */
  scenarios?: ScenarioMedians[];
}

/** The keep rule in numbers: δ = max(threshold, noise floor) and the vetoes besides the score. */
export interface KeepBar {
  /** The experiment's threshold: the smallest improvement kept. */
  threshold: number;
  /** The latest noise floor measured (the last comparison's, else the baseline's), or null. */
  noiseFloor: { value: number; from: string } | null;
  /** A scenario credibly slower than this fraction vetoes a candidate (several scenarios only). */
  regressionTolerance: number | null;
  /** Peak memory credibly higher than this fraction vetoes a candidate; null when not measured. */
  memoryTolerance: number | null;
}

export interface ScenarioMedians {
  name: string;
  baseline: number;
  /** The current best's median, from the comparison that kept it (a different run). */
  best: number | null;
}

export interface Plan {
  /** Short name of the strategy; its slug names the iteration folder. */
  strategy: string;
  /** plan.md */
  markdown: string;
  /** plan.json: the structured plan as the agent produced it. */
  data: unknown;
}

export interface Applied {
  /** What the agent says it did; never taken as a result. */
  summary: string;
  /** Values of env/arg knobs for this candidate (file knobs are edits in the worktree). */
  knobs?: Record<string, KnobValue>;
}

/** What the program measured and decided, handed to the agent for its reflexion. */
export interface Outcome {
  decision: IterationDecision;
  reason: string;
  verdict: Verdict | null;
  improvement: number | null;
  ci: [number, number] | null;
  value: number | null;
  diff: string;
  testOutput: string | null;
  violations: string[];
  /** Changed functions without samples in the best's profile: the benchmark does not run them. */
  unsampledFunctions?: string[];
  /** The check besides speed that rejected the candidate (its evidence is in `reason`). */
  guard?: GuardKind;
}

/**
 * The small interface every backend implements (LLM, coding CLI, host, tuner, patches). The loop
 * holds all state, checks and measurements; an agent only proposes, edits and reflects.
 */
export interface Agent {
  readonly name: string;
  /** The next plan, or null when the agent has nothing left to try (the loop stops). */
  plan(context: IterationContext): Promise<Plan | null>;
  /** Apply the plan in `context.worktree`; `feedback` is the failing build/test output on a retry. */
  apply(context: IterationContext, plan: Plan, feedback: string | null): Promise<Applied>;
  /** reflexion.md; agents without a model write the facts. */
  reflect(context: IterationContext, plan: Plan, outcome: Outcome): Promise<string>;
  /**
   * What the agent has spent since it was created (models: tokens and US dollars). The loop
   * records the growth per iteration as `cost` events and stops on --max-cost between steps.
   */
  usage?(): AgentUsage;
}

export interface AgentUsage {
  usd: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
}
