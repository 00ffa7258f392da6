import type { ModelMessage } from "ai";
import { z } from "zod";
import { AutoOptimizeError } from "../../errors.js";
import { briefText, buildBrief } from "../plan/brief.js";
import { checkPlan } from "../plan/check.js";
import { PlanSchema, type StructuredPlan } from "../plan/schema.js";
import type { IterationContext } from "../types.js";
import { type ModelClient, OUTPUT_TOKENS } from "./client.js";
import { plannerSystem, RANKING_SYSTEM } from "./prompts.js";
import { codeContext } from "./snippets.js";

/** What the planner itself writes: the plan without the independent ranking. */
const DraftSchema = PlanSchema.omit({ selfConsistency: true });
type Draft = z.infer<typeof DraftSchema>;
const RankingSchema = z.object({
  ranking: z.array(z.string()).describe("every candidate's exact name, best first"),
  notes: z.string().describe("what the ranking weighed"),
});

/** Re-asks after a malformed or refused answer, before the iteration fails. */
export const MAX_REPAIRS = 2;

/**
 * The four-technique plan, from two contexts: the planner writes Step-Back, Chain-of-Thought,
 * Pre-mortem and the changes; a separate call re-ranks the candidates without seeing the choice
 * (Self-Consistency). The program checks everything with checkPlan and re-asks with the problems
 * (at most MAX_REPAIRS times); when the ranking's winner is not the chosen one, the planner is
 * told and asked once more, and a candidate must win both rankings.
 */
export async function planIteration(
  client: ModelClient,
  context: IterationContext,
): Promise<StructuredPlan> {
  const brief = `${briefText(buildBrief(context))}\n${await codeContext(context)}`;
  const messages: ModelMessage[] = [
    {
      role: "user",
      content: `${brief}\nPropose the plan for iteration ${context.iteration} as one JSON object.`,
      providerOptions: { anthropic: { cacheControl: { type: "ephemeral" } } },
    },
  ];
  const system = plannerSystem(z.toJSONSchema(DraftSchema));
  const repairs = { left: MAX_REPAIRS };
  let draft = await askDraft(client, system, messages, context, repairs);
  let ranking = await rank(client, context, draft, brief);
  if (ranking.ranking[0] !== draft.chainOfThought.chosen) {
    const first = draft.chainOfThought.chosen;
    const top = ranking.ranking[0] as string;
    messages.push({
      role: "user",
      content: [
        `An independent re-ranking of your candidates, made without seeing your choice, ordered them: ${ranking.ranking.map((n, i) => `${i + 1}. ${n}`).join(", ")}.`,
        `Its notes: ${ranking.notes}`,
        `The chosen strategy must win both rankings, and you chose "${first}". Reconsider: if "${top}" is the better bet, set chainOfThought.chosen to "${top}" and rewrite strategy, summary, files, steps and preMortem for it; if you are sure of "${first}", keep it and make the case in chainOfThought.why (the candidates will be ranked independently once more).`,
        "Keep the same candidates with the same names. Answer with the complete JSON object.",
      ].join("\n"),
    });
    draft = await askDraft(client, system, messages, context, repairs);
    const names = draft.chainOfThought.candidates.map((c) => c.name);
    const sameCandidates =
      names.length === ranking.ranking.length && names.every((n) => ranking.ranking.includes(n));
    if (!sameCandidates || draft.chainOfThought.chosen !== top) {
      ranking = await rank(client, context, draft, brief, true);
    }
    if (ranking.ranking[0] !== draft.chainOfThought.chosen) {
      throw new AutoOptimizeError(
        "plan-disagreement",
        `iteration ${context.iteration}: no strategy wins both rankings — the planner chose "${draft.chainOfThought.chosen}", the independent ranking put "${ranking.ranking[0]}" first, also after asking again. Run again for a fresh plan, or use a stronger --planner-model.`,
      );
    }
  }
  const plan = { ...draft, selfConsistency: ranking };
  const checked = checkPlan(plan, context);
  if (!checked.ok) {
    throw new AutoOptimizeError(
      "plan-refused",
      `iteration ${context.iteration}: the plan was refused: ${checked.problems.join("; ")}`,
    );
  }
  return checked.plan;
}

/** The planner's answer, checked (everything but the independent ranking) and repaired. */
async function askDraft(
  client: ModelClient,
  system: string,
  messages: ModelMessage[],
  context: IterationContext,
  repairs: { left: number },
): Promise<Draft> {
  for (;;) {
    const reply = await client.json(
      {
        role: "planner",
        context: "planner",
        system,
        messages,
        maxOutputTokens: OUTPUT_TOKENS.planner,
      },
      z.toJSONSchema(DraftSchema),
    );
    const problems = draftProblems(reply.value, context);
    const answer =
      reply.value !== undefined ? JSON.stringify(reply.value) : reply.text || "(empty answer)";
    messages.push({ role: "assistant", content: answer });
    if (problems.length === 0) return reply.value as Draft;
    if (repairs.left === 0) {
      throw new AutoOptimizeError(
        "invalid-plan",
        `iteration ${context.iteration}: the planner's answer was still refused after ${MAX_REPAIRS} repairs: ${problems.join("; ")}`,
      );
    }
    repairs.left--;
    messages.push({
      role: "user",
      content: [
        "The program refused your plan:",
        ...problems.map((p) => `- ${p}`),
        "Fix these and answer again with the complete JSON object (all fields), nothing else.",
      ].join("\n"),
    });
  }
}

/** checkPlan's problems with the draft, the ranking (not the planner's to give) left out. */
function draftProblems(value: unknown, context: IterationContext): string[] {
  if (value === undefined || value === null || typeof value !== "object" || Array.isArray(value)) {
    return [
      "your answer was not a JSON object: answer with only the JSON object the schema describes, no prose and no code fence",
    ];
  }
  const draft = value as Partial<Draft>;
  const names = Array.isArray(draft.chainOfThought?.candidates)
    ? draft.chainOfThought.candidates.map((c) => c?.name).filter((n) => typeof n === "string")
    : [];
  const chosen = draft.chainOfThought?.chosen;
  const placeholder = [
    ...(typeof chosen === "string" ? [chosen] : []),
    ...names.filter((n) => n !== chosen),
  ];
  while (placeholder.length < 3) placeholder.push(`(candidate ${placeholder.length + 1})`);
  const check = checkPlan(
    { ...draft, selfConsistency: { ranking: placeholder, notes: "" } },
    context,
  );
  return check.ok ? [] : check.problems.filter((p) => !p.startsWith("selfConsistency"));
}

/** The independent ranking: the candidates only (by name order, no choice, no reasons). */
async function rank(
  client: ModelClient,
  context: IterationContext,
  draft: Draft,
  brief: string,
  again = false,
): Promise<z.infer<typeof RankingSchema>> {
  const candidates = [...draft.chainOfThought.candidates].sort((a, b) =>
    again ? b.name.localeCompare(a.name) : a.name.localeCompare(b.name),
  );
  const names = candidates.map((c) => c.name);
  const messages: ModelMessage[] = [
    {
      role: "user",
      content: [
        brief,
        "## Bottleneck",
        "",
        `${draft.stepBack.bottleneck}: ${draft.stepBack.evidence}`,
        "",
        "## Candidates",
        "",
        ...candidates.map(
          (c) =>
            `- ${c.name}: ${c.approach} Trade-offs: ${c.tradeoffs} Risk: ${c.risk}. Expected gain: ${c.expectedGainPercent}%.`,
        ),
        "",
        "Rank every candidate, best first, by its exact name.",
      ].join("\n"),
    },
  ];
  for (let attempt = 0; ; attempt++) {
    const reply = await client.json(
      {
        role: "planner",
        context: "ranking",
        system: RANKING_SYSTEM,
        messages,
        maxOutputTokens: OUTPUT_TOKENS.short,
      },
      z.toJSONSchema(RankingSchema),
    );
    const parsed = RankingSchema.safeParse(reply.value);
    const problem = !parsed.success
      ? 'the answer must be {"ranking": [names], "notes": "…"}'
      : parsed.data.ranking.length !== names.length ||
          !names.every((n) => parsed.data.ranking.includes(n))
        ? `the ranking must list each of these names exactly once: ${names.map((n) => `"${n}"`).join(", ")}`
        : null;
    if (parsed.success && problem === null) return parsed.data;
    if (attempt >= 1) {
      throw new AutoOptimizeError(
        "ranking-invalid",
        `iteration ${context.iteration}: the independent ranking was malformed twice: ${problem}`,
      );
    }
    messages.push(
      {
        role: "assistant",
        content: reply.value !== undefined ? JSON.stringify(reply.value) : reply.text,
      },
      { role: "user", content: `The program refused your ranking: ${problem}. Answer again.` },
    );
  }
}
