import { z } from "zod";

/**
 * The planner's output: the seed's four reasoning techniques as data the program can check.
 * Every planner — an LLM, a coding CLI, a host agent over MCP or `step plan` — fills this shape.
 */
export const BOTTLENECKS = ["cpu", "memory", "io", "network", "contention"] as const;

export const Candidate = z.object({
  name: z.string().min(3).max(80).describe("short name of the approach"),
  approach: z.string().min(10).describe("what would change, concretely"),
  tradeoffs: z.string().min(5).describe("what it costs or risks besides speed"),
  risk: z.enum(["low", "medium", "high"]),
  expectedGainPercent: z
    .number()
    .min(-100)
    .max(100)
    .describe("expected improvement of the metric, in percent"),
});

export const PlanSchema = z.object({
  stepBack: z
    .object({
      bottleneck: z.enum(BOTTLENECKS).describe("the kind of bottleneck"),
      evidence: z.string().min(10).describe("what in the profile, code or results shows it"),
      principles: z
        .array(z.string().min(5))
        .min(1)
        .describe("general principles that follow from it"),
    })
    .describe("Step-Back: abstract the bottleneck before looking at specifics"),
  chainOfThought: z
    .object({
      candidates: z.array(Candidate).min(3).describe("at least three candidate approaches"),
      chosen: z.string().describe("the name of the chosen candidate"),
      why: z.string().min(10).describe("why this one, against the others"),
    })
    .describe("Chain-of-Thought: candidates with trade-offs and expected gains, then a choice"),
  selfConsistency: z
    .object({
      ranking: z
        .array(z.string())
        .min(3)
        .describe(
          "every candidate's name, best first, ranked afresh as if seeing them for the first time",
        ),
      notes: z.string().describe("what the independent re-ranking weighed"),
    })
    .describe("Self-Consistency: the chosen strategy must also win this independent ranking"),
  preMortem: z
    .object({
      failureMode: z.string().min(10).describe("assume the change failed: the most likely reason"),
      earlySignal: z
        .string()
        .min(10)
        .describe("the first measurement or symptom that would confirm it"),
    })
    .describe("Pre-mortem"),
  strategy: z
    .string()
    .min(3)
    .max(80)
    .describe("short name of the change, used in commit messages and folder names"),
  summary: z.string().min(10).describe("what will change and why it should be faster"),
  files: z
    .array(z.string().min(1))
    .min(1)
    .describe("files to change, relative to the repository root"),
  steps: z.array(z.string().min(5)).min(1).describe("the edits, in order"),
  beyondTried: z
    .string()
    .min(10)
    .optional()
    .describe(
      "required when the strategy contains one already tried (e.g. 'lean loop + direct comparator' after 'direct comparator'): what is new besides it and why it should fare differently",
    ),
  needsDisassembly: z
    .boolean()
    .optional()
    .describe("true when the source-level view is not enough"),
});

export type StructuredPlan = z.infer<typeof PlanSchema>;

/** The plan's JSON Schema, for models and hosts that fill it. */
export function planJsonSchema(): unknown {
  return z.toJSONSchema(PlanSchema);
}
