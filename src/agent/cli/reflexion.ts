import { REFLEXION_HEADINGS } from "../reflexion-input.js";
import type { Outcome } from "../types.js";

/**
 * reflexion.md from a delegate's answer: a title, then its three sections. A section it left out
 * is added, saying so, so the next planner always finds the same structure.
 */
export function reflexionMarkdown(
  agent: string,
  iteration: number,
  strategy: string,
  answer: string,
): string {
  const body = answer
    .trim()
    .replace(/^```(?:markdown|md)?\n([\s\S]*)\n```$/, "$1")
    .replace(/^# .*\n+/, "")
    .trim();
  const missing = REFLEXION_HEADINGS.filter(
    (h) => !new RegExp(`^#{1,4}\\s*${h}\\b`, "im").test(body),
  );
  return [
    `# Reflexion — iteration ${iteration}: ${strategy}`,
    "",
    body,
    ...missing.flatMap((h) => ["", `## ${h}`, "", `- (${agent} wrote nothing under this heading)`]),
    "",
  ].join("\n");
}

/** The reflexion when the delegate could not write one: the facts, and why it is missing. */
export function factsReflexion(
  agent: string,
  iteration: number,
  strategy: string,
  outcome: Outcome,
  failure: string,
): string {
  return [
    `# Reflexion — iteration ${iteration}: ${strategy}`,
    "",
    `${agent} could not write this reflexion: ${failure}`,
    "",
    "## What surprised",
    "",
    `- Decision: ${outcome.decision} — ${outcome.reason}`,
    ...outcome.violations.map((v) => `- Violation: ${v}`),
    "",
    "## Lessons",
    "",
    "- (none recorded)",
    "",
    "## Unexplored directions",
    "",
    "- (none recorded)",
    "",
  ].join("\n");
}
