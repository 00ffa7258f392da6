import { join } from "node:path";

/** Where everything of an experiment lives, relative to the repository root (see DESIGN.md). */
export const EXPERIMENTS_DIR = "experiments";

export function experimentDir(name: string): string {
  return join(EXPERIMENTS_DIR, name);
}

export const FILES = {
  experiment: "experiment.json",
  plan: "experiment-plan.md",
  protected: "protected.json",
  ledger: "ledger.jsonl",
  leaderboard: "leaderboard.md",
  finalReport: "final-report.md",
  reportHtml: "report.html",
  baselineDir: "baseline",
  baselineResult: "baseline/result.json",
  baselineText: "baseline/result.txt",
  baselineEnv: "baseline/env-snapshot.txt",
  baselineInvariants: "baseline/invariants.json",
  iterationsDir: "iterations",
} as const;

/** iter-003-loop-unrolling */
export function iterationName(number: number, strategySlug: string): string {
  return `iter-${String(number).padStart(3, "0")}-${strategySlug}`;
}

/** exp-001-api-latency */
export function experimentName(number: number, slug: string): string {
  return `exp-${String(number).padStart(3, "0")}-${slug}`;
}

/**
 * A file-name-safe, lower-case slug of at most `max` characters, cut at a word boundary when one
 * is near ("untitled" when nothing is left).
 */
export function slugify(text: string, max = 40): string {
  const full = text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  let slug = full.slice(0, max);
  if (full.length > max) {
    const lastBreak = slug.lastIndexOf("-");
    if (lastBreak >= max / 2) slug = slug.slice(0, lastBreak);
  }
  return slug.replace(/-+$/g, "") || "untitled";
}
