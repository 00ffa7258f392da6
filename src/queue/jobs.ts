import { z } from "zod";
import { Experiment, Knob } from "../experiment/schema.js";
import { METRIC_FORMATS } from "../measure/metrics/types.js";

/** The two queues: builds and tests (many at once per worker), comparisons (one at a time). */
export const QUEUES = { build: "ao-build", measure: "ao-measure" } as const;

const Commit = z.string().regex(/^[0-9a-f]{40}$/, "a full commit id");
const Better = z.enum(["lower", "higher"]);

/** A revision to run: a commit, and the knob values it runs with. */
export const Revision = z.object({
  commit: Commit,
  knobs: z.record(z.string(), Knob.shape.initial),
});

/**
 * What every job carries: the repository (an id the worker caches it under) and the experiment's
 * settings (commands, timeouts, isolation, knobs). Never the controller's environment.
 */
const JobBase = z.object({
  repository: z.string().regex(/^[0-9a-f]{16,64}$/),
  experiment: Experiment,
});

/** Build and test one commit; `isolated`: run the tests as the loop runs a candidate's. */
export const BuildJob = JobBase.extend({
  revision: Revision,
  isolated: z.boolean(),
});
export type BuildJob = z.infer<typeof BuildJob>;

export const BuildResult = z.object({
  ok: z.boolean(),
  report: z.string(),
  wroteOutside: z.boolean().optional(),
  worker: z.string(),
});
export type BuildResult = z.infer<typeof BuildResult>;

/** Compare a candidate with the best, interleaved, on one worker. */
export const MeasureJob = JobBase.extend({
  best: Revision,
  candidate: Revision,
  bench: z.object({
    command: z.string(),
    timeoutMs: z.number().positive(),
    format: z.enum([...METRIC_FORMATS, "auto"]),
  }),
  directions: z.record(z.string(), Better),
  ratios: z.array(z.string()),
  schedule: z.object({
    minRounds: z.number().int().positive(),
    lookEvery: z.number().int().positive(),
    maxRounds: z.number().int().positive(),
    extendTo: z.number().int().positive().optional(),
    extensionAlphaShare: z.number().positive().lt(1).optional(),
  }),
  settings: z.object({
    alpha: z.number(),
    minEffect: z.number(),
    regressionTolerance: z.number(),
    memoryTolerance: z.number(),
    bootstrapResamples: z.number().int(),
    maxRounds: z.number().int(),
    futilityZ: z.number(),
    deltaRule: z.enum(["min-effect", "noise-floor"]),
  }),
  seed: z.number(),
});
export type MeasureJob = z.infer<typeof MeasureJob>;

const Observation = z.object({
  metrics: z.record(z.string(), z.number()),
  better: z.record(z.string(), Better),
  units: z.record(z.string(), z.string()),
  counters: z.array(z.string()),
  format: z.string(),
  formatNote: z.string().optional(),
  wallMs: z.number(),
  cpuMs: z.number().nullable(),
  peakRssKb: z.number().nullable(),
  resourceNote: z.string(),
  /** The head of stdout (RunOutput's lines), for the output invariants. */
  output: z.object({
    lines: z.array(
      z.object({ number: z.number(), text: z.string(), clipped: z.literal(true).optional() }),
    ),
    truncated: z.boolean(),
  }),
});
export type SentObservation = z.infer<typeof Observation>;

const Described = z.object({ name: z.string(), better: Better, unit: z.string().optional() });

/** What a worker did with a comparison: the raw rounds, never its decision. */
export const MeasureResult = z.discriminatedUnion("outcome", [
  z.object({
    outcome: z.literal("measured"),
    worker: z.string(),
    /** The worker's environment snapshot (measure/environment.ts) when measuring started. */
    environment: z.record(z.string(), z.unknown()),
    rounds: z.array(
      z.object({
        round: z.number().int(),
        order: z.enum(["AB", "BA"]),
        a: Observation,
        b: Observation,
      }),
    ),
    warmups: z.object({ a: Observation, b: Observation }),
    scenarios: z.array(Described),
    counters: z.array(Described),
    resourceNote: z.string(),
  }),
  /** A run failed, or wrote where it may not, or the best did not build: the error as thrown there. */
  z.object({
    outcome: z.literal("error"),
    worker: z.string(),
    kind: z.enum(["bench-run", "candidate-wrote-outside", "tool"]),
    code: z.string(),
    message: z.string(),
    exitCode: z.number().int(),
    bench: z
      .object({
        kind: z.enum(["crashed", "timed-out", "unreadable", "not-positive"]),
        outputTail: z.string(),
        arm: z.enum(["A", "B"]),
      })
      .optional(),
  }),
]);
export type MeasureResult = z.infer<typeof MeasureResult>;
