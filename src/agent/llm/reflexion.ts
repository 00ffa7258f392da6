import { z } from "zod";
import { AutoOptimizeError } from "../../errors.js";
import { outcomeFacts, reflexionMaterial } from "../reflexion-input.js";
import type { IterationContext, Outcome, Plan } from "../types.js";
import { type ModelClient, OUTPUT_TOKENS } from "./client.js";
import { reflexionSystem } from "./prompts.js";

const ReflexionSchema = z.object({
  whatSurprised: z.array(z.string()).describe("where the result departed from the expectation"),
  lessons: z.array(z.string()).describe("concrete, reusable lessons about this code and metric"),
  unexploredDirections: z.array(z.string()).describe("directions worth trying next"),
});

/**
 * reflexion.md from a third context: the plan, the diff, the test output and what the program
 * measured and decided. Its headings (What surprised, Lessons, Unexplored directions) are the ones
 * the final report gathers. A failed call (other than a refused key) leaves the facts alone.
 */
export async function writeReflexion(
  client: ModelClient,
  context: IterationContext,
  plan: Plan,
  outcome: Outcome,
): Promise<string> {
  const input = [
    `# Iteration ${context.iteration}: ${plan.strategy}`,
    "",
    `Goal: ${context.experiment.goal}`,
    `Metric: ${context.experiment.metric.name} (${context.experiment.metric.direction} is better); best before this iteration ${context.best.value}; baseline ${context.baseline.value}; target ${context.experiment.target}.`,
    "",
    ...reflexionMaterial(plan, outcome, { plan: 8000, diff: 8000, output: 4000 }),
  ].join("\n");
  let sections: z.infer<typeof ReflexionSchema> | null = null;
  let failure: string | null = null;
  try {
    const reply = await client.json(
      {
        role: "planner",
        context: "reflexion",
        maxOutputTokens: OUTPUT_TOKENS.short,
        system: reflexionSystem(z.toJSONSchema(ReflexionSchema)),
        messages: [{ role: "user", content: input }],
      },
      z.toJSONSchema(ReflexionSchema),
    );
    const parsed = ReflexionSchema.safeParse(reply.value);
    if (parsed.success) sections = parsed.data;
    else failure = "the reflexion model's answer did not follow the schema";
  } catch (error) {
    if (error instanceof AutoOptimizeError && error.code === "llm-auth") throw error;
    failure = error instanceof Error ? error.message : String(error);
  }
  const list = (items: string[] | undefined) =>
    items?.length ? items.map((i) => `- ${i}`) : ["- none noted"];
  return [
    `# Reflexion — iteration ${context.iteration}: ${plan.strategy}`,
    "",
    ...outcomeFacts(outcome),
    "",
    ...(failure ? [`(No model reflexion: ${failure}.)`, ""] : []),
    "## What surprised",
    "",
    ...list(sections?.whatSurprised),
    "",
    "## Lessons",
    "",
    ...list(sections?.lessons),
    "",
    "## Unexplored directions",
    "",
    ...list(sections?.unexploredDirections),
    "",
  ].join("\n");
}
