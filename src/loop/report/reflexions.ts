import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { FILES } from "../../experiment/layout.js";
import type { FinishedIteration } from "../../experiment/state.js";

/** Lessons, surprises and unexplored directions, read back from the iterations' reflexion.md. */
export type InsightKind = "lessons" | "surprises" | "unexplored";

export interface Reflexion {
  iteration: number;
  strategy: string;
  sections: Record<InsightKind, string[]>;
  /** The opening lines, for reflexions without lessons or surprises. */
  opening: string[];
}

/** Judged on the first words only: a title like "Reflexion — iteration 3: …" is not a section. */
function insightKind(label: string): InsightKind | null {
  const text = label.toLowerCase().split(/\s+/).slice(0, 3).join(" ");
  if (/lesson|learn|takeaway/.test(text)) return "lessons";
  if (/surpris|unexpected/.test(text)) return "surprises";
  if (/unexplored|untried|next|idea|direction|future|open question|to try/.test(text))
    return "unexplored";
  return null;
}

/** Sections under headings (## Lessons) and bold-labelled items (- **Lessons:** text). */
export function parseReflexion(text: string): {
  sections: Record<InsightKind, string[]>;
  opening: string[];
} {
  const sections: Record<InsightKind, string[]> = { lessons: [], surprises: [], unexplored: [] };
  const opening: string[] = [];
  let current: InsightKind | null = null;
  let inFence = false;
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      current = insightKind(heading[1] as string);
      continue;
    }
    const labelled = /^\s*(?:[-*]\s+)?\*\*([^*]+?)\*\*:?\s*(.*)$/.exec(line);
    const kind = labelled ? insightKind((labelled[1] as string).replace(/:$/, "")) : null;
    if (labelled && kind) {
      const rest = (labelled[2] as string).trim();
      if (rest) sections[kind].push(rest);
      current = rest ? null : kind;
      continue;
    }
    if (line.trim() === "") continue;
    if (current) sections[current].push(line.replace(/^\s*(?:[-*+]|\d+[.)])\s+/, "").trim());
    else opening.push(line.trim());
  }
  return { sections, opening };
}

export async function readReflexions(
  dir: string,
  finished: FinishedIteration[],
): Promise<Reflexion[]> {
  const result: Reflexion[] = [];
  for (const it of finished) {
    if (!it.folder) continue;
    const path = join(dir, FILES.iterationsDir, it.folder, "reflexion.md");
    if (!existsSync(path)) continue;
    const parsed = parseReflexion(await readFile(path, "utf8"));
    result.push({ iteration: it.iteration, strategy: it.strategy, ...parsed });
  }
  // Lines every reflexion repeats ("Written by the tuner …") say nothing about any one of them.
  if (result.length > 1) {
    const common = new Set((result[0] as Reflexion).opening);
    for (const r of result.slice(1)) {
      const lines = new Set(r.opening);
      for (const line of common) if (!lines.has(line)) common.delete(line);
    }
    for (const r of result) r.opening = r.opening.filter((line) => !common.has(line));
  }
  return result;
}
