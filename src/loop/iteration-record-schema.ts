import { z } from "zod";
import type { AgentUsage } from "../agent/types.js";
import { UsageError } from "../errors.js";
import { ITERATION_DECISIONS } from "../experiment/events.js";
import { GUARDS } from "../experiment/guard-kinds.js";
import { Knob } from "../experiment/schema.js";
import { VERDICTS } from "../measure/decision.js";
import { parseJson, readJsonFile } from "../parse-json.js";

const AgentUsageSchema = z.object({
  usd: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cachedTokens: z.number(),
}) satisfies z.ZodType<AgentUsage>;

const nullableNumber = z.number().nullable();

/** An iteration's result.json: what was applied, measured and decided. */
export const IterationRecordSchema = z.object({
  iteration: z.number().int(),
  strategy: z.string(),
  decision: z.enum(ITERATION_DECISIONS),
  reason: z.string(),
  baselineValue: nullableNumber,
  bestValue: nullableNumber,
  value: nullableNumber,
  improvement: nullableNumber,
  ci: z.tuple([z.number(), z.number()]).nullable(),
  verdict: z.enum(VERDICTS).nullable(),
  rounds: z.number().int().nullable(),
  seed: z.number(),
  knobs: z.record(z.string(), Knob.shape.initial),
  changedFiles: z.array(z.string()),
  violations: z.array(z.string()),
  testOutput: z.string().nullable(),
  environmentDrift: z.array(z.string()),
  /** The decision's details and the samples, for people reading the file. */
  comparison: z.unknown(),
  /** Changed functions without samples in the best's profile: the benchmark does not run them. */
  unsampledFunctions: z.array(z.string()).optional(),
  /** The check besides speed that rejected the candidate, when one did (its reason is `reason`). */
  guard: z.enum(GUARDS).optional(),
  /** The commit of the candidate that was built, tested and measured (none when the checks rejected it). */
  snapshot: z.string().optional(),
  /** The queue's worker that ran the comparison (`run --queue`), and its environment snapshot then. */
  measuredBy: z.string().optional(),
  measuredOn: z.record(z.string(), z.unknown()).optional(),
  /** What the agent's model calls cost during this iteration (agents that pay for a model). */
  cost: AgentUsageSchema.optional(),
});
export type IterationRecord = z.infer<typeof IterationRecordSchema>;

/** result.json's text validated; `fileName` names it in the error. */
export function parseIterationRecord(text: string, fileName: string): IterationRecord {
  return parseJson(text, IterationRecordSchema, (problem) => badRecord(fileName, problem));
}

export function readIterationRecord(path: string): IterationRecord {
  return readJsonFile(path, IterationRecordSchema, (problem) => badRecord(path, problem));
}

function badRecord(fileName: string, problem: string): UsageError {
  return new UsageError(
    "bad-iteration-record",
    `${fileName} ${problem}: it is the iteration's result as auto-optimize wrote it; restore it from git.`,
  );
}
