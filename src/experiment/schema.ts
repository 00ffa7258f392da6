import { z } from "zod";
import { METRIC_FORMATS } from "../measure/metrics/types.js";

/** A knob the tuner may turn: where the value goes, and which values it may take. */
export const KnobDomain = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("int"),
    min: z.number().int(),
    max: z.number().int(),
    step: z.number().int().positive().optional(),
  }),
  z.object({ type: z.literal("float"), min: z.number(), max: z.number() }),
  z.object({ type: z.literal("enum"), values: z.array(z.string()).min(2) }),
  z.object({ type: z.literal("bool") }),
]);

export const Knob = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, "letters, digits, '_', '.', '-'"),
  /**
   * env: an environment variable of the benchmark and tests; arg: appended to the bench and test
   * commands as `flag value` (or `flag=value` when `flag` ends with '='); file: the first capture
   * group of `pattern` in `file` is replaced by the value (the change is committed as code).
   */
  kind: z.enum(["env", "arg", "file"]),
  env: z.string().optional(),
  flag: z.string().optional(),
  file: z.string().optional(),
  pattern: z.string().optional(),
  domain: KnobDomain,
  /** The value at the baseline. */
  initial: z.union([z.string(), z.number(), z.boolean()]),
});
export type Knob = z.infer<typeof Knob>;
export type KnobValue = Knob["initial"];

export const Measurement = z.object({
  minRounds: z.number().int().min(2).default(10),
  maxRounds: z.number().int().min(2).default(40),
  alpha: z.number().gt(0).lt(0.5).default(0.05),
  timeoutSeconds: z.number().positive().default(600),
  baselineRuns: z.number().int().min(5).default(10),
  format: z.enum(["auto", ...METRIC_FORMATS]).default("auto"),
});

/** US dollars per million tokens. */
export const ModelPrice = z.object({
  input: z.number().min(0),
  output: z.number().min(0),
  /** Input tokens read from the provider's prompt cache. */
  cachedInput: z.number().min(0).optional(),
  /** Input tokens written to the provider's prompt cache (Anthropic). */
  cacheWrite: z.number().min(0).optional(),
});
export type ModelPrice = z.infer<typeof ModelPrice>;

/**
 * Settings of the model agents, used by `run` when no flag overrides them. Models are
 * `provider:model` (anthropic:claude-sonnet-4-5, openai:gpt-5, openai-compatible:llama3.1).
 */
export const AgentSettings = z.object({
  /** The agent `run` uses without --agent. */
  name: z.string().min(1).optional(),
  /** Planner and executor alike, unless one of the two below is set. */
  model: z.string().min(1).optional(),
  plannerModel: z.string().min(1).optional(),
  executorModel: z.string().min(1).optional(),
  /** The server's base URL (openai-compatible servers; proxies of the others). */
  baseUrl: z.string().min(1).optional(),
  /** Price per model id (`provider:model`), over the built-in table. */
  prices: z.record(z.string(), ModelPrice).optional(),
  /** Commands the executor may run besides the experiment's build, test and bench commands. */
  allowCommands: z.array(z.string().min(1)).optional(),
  /** One model call's time limit (it is retried when it runs out). */
  callTimeoutSeconds: z.number().positive().optional(),
  /** Retries of a model call after a 429, a 5xx, a dropped connection or a timeout. */
  maxRetries: z.number().int().min(0).optional(),
  /** The executor's bounds: model calls and minutes per attempt. */
  executorMaxSteps: z.number().int().positive().optional(),
  executorMaxMinutes: z.number().positive().optional(),
});
export type AgentSettings = z.infer<typeof AgentSettings>;

export const Experiment = z.object({
  schemaVersion: z.literal(1),
  /** exp-001 */
  id: z.string().regex(/^exp-\d{3,}$/),
  slug: z.string().regex(/^[a-z0-9-]+$/),
  createdAt: z.string(),
  goal: z.string().min(1),
  /** Globs (relative to the repository root) of the files the optimizer may change. */
  scope: z.array(z.string().min(1)).min(1),
  /** Globs of files nobody may change: tests, benchmarks, the experiment folder. */
  protect: z.array(z.string().min(1)),
  /** The metric the goal is about: one scenario name of the benchmark's output. */
  metric: z.object({ name: z.string().min(1), direction: z.enum(["lower", "higher"]) }),
  /** The value of the metric that ends the experiment. */
  target: z.number().positive(),
  /** The minimum improvement (fraction) an iteration must show to be kept. */
  threshold: z.number().min(0).lt(1),
  iterations: z.number().int().positive(),
  commands: z.object({
    test: z.string().min(1),
    bench: z.string().min(1),
    build: z.string().min(1).optional(),
    /**
     * The behaviour check: run in the best's and the candidate's checkout, its stdout must be
     * byte-identical (a differential test); a candidate printing something else is rejected.
     */
    check: z.string().min(1).optional(),
  }),
  knobs: z.array(Knob).default([]),
  measurement: Measurement.default(Measurement.parse({})),
  /** Stop after this many iterations in a row without a keep. */
  patience: z.number().int().positive().default(5),
  /** How often a failing build/test is handed back to the agent before the iteration is dropped. */
  testRetries: z.number().int().min(0).default(2),
  /**
   * Profiling of the best before each iteration (on unless `enabled` is false); `rejectUnsampled`
   * rejects an edit whose changed functions have no samples (the benchmark does not run them);
   * `focus` names the function whose samples the percentages are shares of (the measured region).
   */
  profiling: z
    .object({
      enabled: z.boolean().optional(),
      rejectUnsampled: z.boolean().optional(),
      focus: z.string().min(1).optional(),
    })
    .optional(),
  /**
   * Patterns (regular expressions) of the benchmark's output that vary between runs of the same
   * code although the runs do not show it: never compared by the output invariants.
   */
  volatile: z.array(z.string().min(1)).optional(),
  /**
   * How test and benchmark runs are isolated: `confine` (bubblewrap where it works; false runs
   * unconfined), `network` (true keeps the host's network, for a benchmark against a local server).
   * Fresh temporary folders and the check of the checkouts after every run apply either way.
   */
  isolation: z
    .object({ confine: z.boolean().default(true), network: z.boolean().default(false) })
    .default({ confine: true, network: false }),
  /** Set by `baseline --accept-noise`: the noise was above the limit and the user proceeded. */
  acceptedNoise: z.object({ robustCv: z.number(), causes: z.array(z.string()) }).optional(),
  branch: z.string(),
  /** The commit the experiment branch started from. */
  baseCommit: z.string(),
  /** The model agents' settings (optional: flags of `run` give the same). */
  agent: AgentSettings.optional(),
});
export type Experiment = z.infer<typeof Experiment>;
