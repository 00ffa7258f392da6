import { z } from "zod";
import { VERDICTS } from "../measure/decision.js";
import { GUARDS } from "./guard-kinds.js";

/**
 * Decisions an iteration can end with; only `keep` moves the best forward. `bench-failed`: the
 * candidate's benchmark crashed, timed out or printed no usable (positive) metric. `runner-up`
 * (`run --parallel`): credibly improved, but a sibling of its generation improved more and was
 * kept; it is offered to the next generation to re-apply on top of the new best.
 */
export const ITERATION_DECISIONS = [
  "keep",
  "drop",
  "runner-up",
  "rejected",
  "test-failed",
  "bench-failed",
] as const;
export type IterationDecision = (typeof ITERATION_DECISIONS)[number];

const iteration = z.number().int();
const decision = z.enum(ITERATION_DECISIONS);
const interval = z.tuple([z.number(), z.number()]);

/** Everything the loop does is one of these, appended to ledger.jsonl; state is derived from them. */
export const LedgerEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("experiment-created"),
    experiment: z.string(),
    branch: z.string(),
    baseCommit: z.string(),
  }),
  z.object({
    type: z.literal("baseline-locked"),
    commit: z.string(),
    value: z.number(),
    medians: z.record(z.string(), z.number()),
    robustCv: z.number(),
    acceptedNoise: z.boolean(),
  }),
  z.object({ type: z.literal("run-started"), agent: z.string() }),
  z.object({ type: z.literal("cost"), iteration, usd: z.number(), tokens: z.number() }),
  z.object({
    type: z.literal("iteration-started"),
    iteration,
    best: z.string(),
    /**
     * `run --parallel`: the iteration is sibling `slot` (0-based, its candidate worktree) of a
     * generation of `size` compared with the same best.
     */
    generation: z.object({ slot: z.number().int(), size: z.number().int() }).optional(),
  }),
  z.object({ type: z.literal("planned"), iteration, strategy: z.string(), folder: z.string() }),
  z.object({
    type: z.literal("applied"),
    iteration,
    attempt: z.number().int(),
    changedFiles: z.array(z.string()),
    /** Values of env/arg knobs the candidate runs with. */
    knobs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  }),
  z.object({ type: z.literal("checked"), iteration, violations: z.array(z.string()) }),
  z.object({
    type: z.literal("tested"),
    iteration,
    attempt: z.number().int(),
    ok: z.boolean(),
    failure: z.string().optional(),
  }),
  z.object({
    type: z.literal("measured"),
    iteration,
    verdict: z.enum(VERDICTS),
    improvement: z.number(),
    ci: interval,
    rounds: z.number().int(),
    /** The candidate's median of the experiment's metric in this comparison. */
    value: z.number(),
    /** The current best's median of the metric in the same comparison. */
    bestValue: z.number(),
    /** The queue's worker that ran the comparison (`run --queue`); none: measured here. */
    measuredBy: z.string().optional(),
  }),
  z.object({
    type: z.literal("decided"),
    iteration,
    decision,
    reason: z.string(),
    /** The check besides speed that rejected the candidate, when one did. */
    guard: z.enum(GUARDS).optional(),
    /** The candidate's snapshot commit that was tested and measured (none: the checks rejected it). */
    snapshot: z.string().optional(),
  }),
  z.object({
    type: z.literal("committed"),
    iteration,
    decision,
    commits: z.array(z.string()),
    /** The tree of each commit, in the same order (absent in ledgers written before the chain). */
    trees: z.array(z.string()).optional(),
    best: z.string(),
  }),
  z.object({ type: z.literal("iteration-abandoned"), iteration, reason: z.string() }),
  /**
   * Host mode: an evaluation killed before its commit was rolled back; the host's edits stay in
   * the working tree and the iteration waits for `step evaluate` again.
   */
  z.object({ type: z.literal("evaluation-interrupted"), iteration, reason: z.string() }),
  /** Host mode: the host's reflexion of a committed iteration was recorded (the next may start). */
  z.object({ type: z.literal("reflected"), iteration }),
  z.object({ type: z.literal("stopped"), reason: z.string() }),
  z.object({ type: z.literal("report-written"), headline: z.number().nullable() }),
]);
export type LedgerEvent = z.infer<typeof LedgerEventSchema>;

/**
 * An event as the ledger stores it: numbered from 1, timestamped and chained to the line before
 * (`prev`, see ledger-chain.ts; absent only in ledgers written before the chain) when appended.
 */
export const LedgerEntrySchema = z.intersection(
  LedgerEventSchema,
  z.object({
    seq: z.number().int().positive(),
    at: z.string(),
    prev: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
  }),
);
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;
