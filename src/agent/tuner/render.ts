import { formatKnobValue } from "../../experiment/knobs.js";
import type { Knob } from "../../experiment/schema.js";
import type { Outcome } from "../types.js";
import { type Assignment, describeAssignment, formatStrategy } from "./assignment.js";
import { convergedKnobs, type Move, type SearchState } from "./search.js";

/** Where a knob's value goes, in words. */
export function knobWhere(knob: Knob): string {
  if (knob.kind === "env") return `environment variable \`${knob.env ?? knob.name}\``;
  if (knob.kind === "arg") {
    return knob.flag
      ? `command-line argument \`${knob.flag}\``
      : "positional command-line argument";
  }
  return `value in \`${knob.file}\` matched by \`/${knob.pattern}/\``;
}

export function describeDomain(domain: Knob["domain"]): string {
  switch (domain.type) {
    case "int":
      return `integer in [${domain.min}, ${domain.max}]${domain.step ? ` by ${domain.step}` : ""}`;
    case "float":
      return `number in [${domain.min}, ${domain.max}]`;
    case "enum":
      return `one of ${domain.values.map((v) => `\`${v}\``).join(", ")}`;
    case "bool":
      return "true or false";
  }
}

export function describeMove(move: Move): string {
  const from = formatKnobValue(move.from);
  const to = formatKnobValue(move.to);
  if (move.kind === "switch") return `switch \`${move.knob}\` from \`${from}\` to \`${to}\``;
  const step = move.step as number;
  const ladder = move.ladder.map(formatKnobValue).join(" → ");
  const clamped =
    Math.abs((move.to as number) - (move.from as number)) < step * (1 - 1e-9)
      ? ", clamped to the domain"
      : "";
  return `step ${move.kind} by ${formatKnobValue(step)} from \`${from}\` to \`${to}\` (step ${(move.level as number) + 1} of ${move.ladder.length} on the ladder ${ladder}${clamped})`;
}

function why(state: SearchState, move: Move): string[] {
  const lines: string[] = [];
  const last = [...state.trials].reverse().find((t) => t.decision === "keep");
  lines.push(
    last
      ? `The last keep changed \`${last.change.knob}\` (iteration ${last.iteration}), so the turn passed to the next knob.`
      : "No trial has been kept yet: the search starts from the initial values, first knob first.",
  );
  const n = state.knobs.length;
  const skipped: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = state.knobs[(state.turn + i) % n]?.name;
    if (name === move.knob || name === undefined) break;
    skipped.push(`\`${name}\``);
  }
  if (skipped.length > 0) {
    lines.push(
      `Skipped in turn order, nothing untried at the current best: ${skipped.join(", ")}.`,
    );
  }
  if (move.level !== null && move.level > (state.level[move.knob] ?? 0)) {
    lines.push(
      "Both directions at the larger steps were tried at this best without a keep, so the step was halved.",
    );
  } else if (move.level !== null) {
    lines.push(
      `\`${move.knob}\` starts at the step where it last moved; ${
        state.direction[move.knob] === -1
          ? "down first, the direction of its last keep"
          : "up first"
      }.`,
    );
  }
  const converged = convergedKnobs(state);
  lines.push(
    converged.length > 0
      ? `Converged at the current best (nothing untried): ${converged.map((k) => `\`${k}\``).join(", ")}.`
      : "No knob has converged at the current best yet.",
  );
  return lines;
}

function triedTable(state: SearchState, knobName: string): string[] {
  const trials = state.trials.filter((t) => t.change.knob === knobName);
  if (trials.length === 0) return ["Nothing tried for this knob yet."];
  return [
    "| Iteration | Value | From best | Decision |",
    "|---|---|---|---|",
    ...trials.map(
      (t) =>
        `| ${t.iteration} | \`${formatKnobValue(t.change.value)}\` | ${describeAssignment(state.knobs, t.base)} | ${t.decision} |`,
    ),
  ];
}

export function renderPlan(state: SearchState, move: Move): string {
  const knob = state.knobs.find((k) => k.name === move.knob) as Knob;
  return [
    `# ${formatStrategy({ knob: move.knob, value: move.to })}`,
    "",
    "Tuner (no model): coordinate descent with step refinement over the declared knobs.",
    "",
    `- **Knob:** \`${knob.name}\`, ${knobWhere(knob)}; ${describeDomain(knob.domain)}.`,
    `- **Move:** ${describeMove(move)}.`,
    `- **Current best:** ${describeAssignment(state.knobs, state.current)}.`,
    `- **Candidate:** ${describeAssignment(state.knobs, move.assignment)}.`,
    "",
    "## Why",
    "",
    ...why(state, move).map((line) => `- ${line}`),
    "",
    `## Tried before for \`${knob.name}\``,
    "",
    ...triedTable(state, knob.name),
    "",
  ].join("\n");
}

function percent(fraction: number): string {
  return `${fraction >= 0 ? "+" : ""}${(fraction * 100).toFixed(2)}%`;
}

function excerpt(text: string, lines = 20): string[] {
  const all = text.trimEnd().split("\n");
  const tail = all.slice(-lines);
  return ["```", ...(all.length > lines ? ["…", ...tail] : tail), "```"];
}

/** The facts of a finished trial and the next move, for reflexion.md. */
export function renderReflexion(facts: {
  iteration: number;
  knobs: readonly Knob[];
  strategy: string;
  /** The trial's full assignment; null when the strategy was not a tuner move. */
  assignment: Assignment | null;
  outcome: Outcome;
  next: Move | null;
}): string {
  const { iteration, knobs, strategy, assignment, outcome, next } = facts;
  const lines = [
    `# Reflexion — iteration ${iteration}: ${strategy}`,
    "",
    "Written by the tuner (no model): the facts, not an interpretation.",
    "",
    `- **Assignment:** ${assignment ? describeAssignment(knobs, assignment) : "(not a tuner strategy)"}.`,
    `- **Decision:** ${outcome.decision} — ${outcome.reason}`,
  ];
  if (outcome.improvement !== null) {
    const ci = outcome.ci ? ` (CI ${percent(outcome.ci[0])} to ${percent(outcome.ci[1])})` : "";
    lines.push(`- **Improvement over the current best:** ${percent(outcome.improvement)}${ci}.`);
  } else {
    lines.push("- **Improvement over the current best:** not measured.");
  }
  if (outcome.value !== null) lines.push(`- **Measured value:** ${outcome.value}.`);
  if (outcome.verdict) lines.push(`- **Verdict:** ${outcome.verdict}.`);
  if (outcome.violations.length > 0) {
    lines.push(`- **Violations:** ${outcome.violations.join("; ")}.`);
  }
  lines.push(
    next
      ? `- **Next move:** \`${formatStrategy({ knob: next.knob, value: next.to })}\` — ${describeMove(next)}.`
      : "- **Next move:** none — every knob has converged at the current best; the tuner stops.",
  );
  if (outcome.testOutput)
    lines.push("", "## Test output (last lines)", "", ...excerpt(outcome.testOutput));
  return `${lines.join("\n")}\n`;
}
