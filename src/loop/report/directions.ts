import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { FILES } from "../../experiment/layout.js";
import type { FinishedIteration } from "../../experiment/state.js";
import type { Reflexion } from "./reflexions.js";

/** What an iteration set out to do: its strategy, and its plan's summary and steps when saved. */
export interface PlanText {
  iteration: number;
  text: string;
}

const STOP_WORDS = new Set(
  "the and for with from into onto out off over under per via its their this that these those than then use using instead of once more less all any each every not but are was were been be".split(
    " ",
  ),
);

/** Lowercased words of three letters or more, stop words dropped, plural and -ing/-ed cut. */
function contentWords(text: string): Set<string> {
  const words = text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 3 && !STOP_WORDS.has(w))
    .map((w) => w.replace(/(?:ing|ed|es|s)$/, ""))
    .filter((w) => w.length >= 3);
  return new Set(words);
}

/**
 * Whether a plan carried out a direction: most of the direction's words (at least 60%, and two
 * when it has two or more) appear in the plan's strategy, summary or steps.
 */
export function carriesOut(plan: string, direction: string): boolean {
  const wanted = contentWords(direction);
  if (wanted.size === 0) return false;
  const done = contentWords(plan);
  let shared = 0;
  for (const w of wanted) if (done.has(w)) shared++;
  return shared >= Math.min(2, wanted.size) && shared / wanted.size >= 0.6;
}

/** The first later plan that carried out a direction named in iteration `namedIn`'s reflexion. */
export function implementedLater(
  direction: string,
  namedIn: number,
  plans: readonly PlanText[],
): PlanText | null {
  return plans.find((p) => p.iteration > namedIn && carriesOut(p.text, direction)) ?? null;
}

const strings = (value: unknown): string[] =>
  typeof value === "string"
    ? [value]
    : Array.isArray(value)
      ? value.filter((v): v is string => typeof v === "string")
      : [];

/** Every finished iteration's plan as text (plan.json's strategy, summary and steps, if any). */
export async function readPlanTexts(
  dir: string,
  finished: readonly FinishedIteration[],
): Promise<PlanText[]> {
  const plans: PlanText[] = [];
  for (const it of finished) {
    const parts = [it.strategy];
    const path = it.folder ? join(dir, FILES.iterationsDir, it.folder, "plan.json") : "";
    if (path && existsSync(path)) {
      try {
        const data = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
        parts.push(...strings(data.summary), ...strings(data.steps));
      } catch {
        // A plan.json that is not JSON says nothing more than the strategy's name.
      }
    }
    plans.push({ iteration: it.iteration, text: parts.join("\n") });
  }
  return plans;
}

/** The reflexions without the unexplored directions a later plan carried out: not next steps. */
export function withoutCarriedOut(
  reflexions: readonly Reflexion[],
  plans: readonly PlanText[],
): Reflexion[] {
  return reflexions.map((r) => ({
    ...r,
    sections: {
      ...r.sections,
      unexplored: r.sections.unexplored.filter((d) => !implementedLater(d, r.iteration, plans)),
    },
  }));
}
