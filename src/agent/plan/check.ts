import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { globMatcher } from "../../workspace/files.js";
import { settledStrategies } from "../tried.js";
import type { IterationContext } from "../types.js";
import { PlanSchema, type StructuredPlan } from "./schema.js";

export type PlanCheck = { ok: true; plan: StructuredPlan } | { ok: false; problems: string[] };

/**
 * The program's check of a plan, whoever wrote it: the shape (every field), the four techniques'
 * rules (the chosen candidate exists and also wins the independent ranking, which ranks every
 * candidate), files inside the scope, and no repeat of a strategy already tried — by name or by
 * substantially the same plan — and no strategy containing a tried one unless `beyondTried` says
 * what is new. Problems are phrased for the model or person who must fix them.
 */
export function checkPlan(input: unknown, context: IterationContext): PlanCheck {
  const parsed = PlanSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => `${i.path.join(".") || "(plan)"}: ${i.message}`),
    };
  }
  const plan = parsed.data;
  const problems: string[] = [];
  const names = plan.chainOfThought.candidates.map((c) => c.name);
  if (new Set(names).size !== names.length)
    problems.push("chainOfThought.candidates: two candidates share a name");
  if (!names.includes(plan.chainOfThought.chosen)) {
    problems.push(
      `chainOfThought.chosen: "${plan.chainOfThought.chosen}" is not one of the candidates (${names.join(", ")})`,
    );
  }
  const ranking = plan.selfConsistency.ranking;
  const missing = names.filter((n) => !ranking.includes(n));
  const unknown = ranking.filter((n) => !names.includes(n));
  if (missing.length || unknown.length || ranking.length !== names.length) {
    problems.push(
      `selfConsistency.ranking: must list every candidate exactly once${missing.length ? `; missing ${missing.join(", ")}` : ""}${unknown.length ? `; not candidates: ${unknown.join(", ")}` : ""}`,
    );
  } else if (ranking[0] !== plan.chainOfThought.chosen) {
    problems.push(
      `selfConsistency.ranking: the independent ranking puts "${ranking[0]}" first but chainOfThought.chosen is "${plan.chainOfThought.chosen}"; the chosen strategy must win both — choose the one that wins both or re-rank honestly`,
    );
  }
  const inScope = globMatcher(context.experiment.scope);
  const outside = plan.files.filter((f) => !inScope(f));
  if (outside.length) {
    problems.push(
      `files: outside the scope (${context.experiment.scope.join(", ")}): ${outside.join(", ")}`,
    );
  }
  const repeat = repeatOf(plan, context);
  if (repeat) problems.push(`strategy: ${repeat}; propose a different approach`);
  else {
    const part = triedPartOf(plan, context);
    if (part && !plan.beyondTried) {
      problems.push(
        `strategy: "${plan.strategy}" contains "${part.strategy}", already tried in iteration ${part.iteration} (${part.decision}); say in beyondTried what this plan adds to it and why it should fare differently, or propose a different approach`,
      );
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, plan };
}

/** Names the earlier iteration this plan repeats, or null. */
function repeatOf(plan: StructuredPlan, context: IterationContext): string | null {
  const slug = normalize(plan.strategy);
  const settled = settledStrategies(context);
  for (const sibling of settled.siblings) {
    if (normalize(sibling) === slug) {
      return `"${plan.strategy}" is being tried now by a sibling in this generation`;
    }
  }
  for (const tried of settled.tried) {
    if (normalize(tried.strategy) === slug) {
      return `"${plan.strategy}" was already tried in iteration ${tried.iteration} (${tried.decision})`;
    }
  }
  const mine = words(`${plan.strategy} ${plan.summary} ${plan.steps.join(" ")}`);
  for (const earlier of earlierPlans({ ...context, tried: settled.tried })) {
    const theirs = words(
      `${earlier.plan.strategy} ${earlier.plan.summary} ${earlier.plan.steps.join(" ")}`,
    );
    if (jaccard(mine, theirs) >= 0.7) {
      return `substantially the same plan as iteration ${earlier.iteration} ("${earlier.plan.strategy}")`;
    }
  }
  return null;
}

/** An earlier strategy that this plan's strategy contains as one of its parts, or null. */
function triedPartOf(
  plan: StructuredPlan,
  context: IterationContext,
): IterationContext["tried"][number] | null {
  const mine = ` ${normalize(plan.strategy)} `;
  return (
    settledStrategies(context).tried.find((tried) => {
      const theirs = normalize(tried.strategy);
      return theirs !== "" && mine.includes(` ${theirs} `);
    }) ?? null
  );
}

function earlierPlans(
  context: Pick<IterationContext, "experimentDir" | "tried">,
): { iteration: number; plan: StructuredPlan }[] {
  const dir = join(context.experimentDir, "iterations");
  if (!existsSync(dir)) return [];
  const plans: { iteration: number; plan: StructuredPlan }[] = [];
  for (const tried of context.tried) {
    const folder = tried.folder;
    if (!folder) continue;
    const path = join(dir, folder, "plan.json");
    if (!existsSync(path)) continue;
    const parsed = PlanSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
    if (parsed.success) plans.push({ iteration: tried.iteration, plan: parsed.data });
  }
  return plans;
}

function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

function words(text: string): Set<string> {
  return new Set(
    normalize(text)
      .split(" ")
      .filter((w) => w.length >= 3),
  );
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}
