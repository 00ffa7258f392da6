import { relative } from "node:path";
import type { IterationDecision } from "../../experiment/events.js";
import { formatMeasured } from "../../measure/format-number.js";
import { openRunnerUps } from "../tried.js";
import type { IterationContext, KeepBar, ScenarioMedians } from "../types.js";
import { candidateRules } from "./rules.js";
import { planJsonSchema } from "./schema.js";

/** What a planner is told, as data (for JSON consumers) and as text (for a model or a person). */
export interface Brief {
  iteration: number;
  goal: string;
  metric: { name: string; direction: "lower" | "higher" };
  baseline: number;
  best: { value: number; commit: string };
  target: number;
  threshold: number;
  /** The keep rule in numbers: the δ that applies and the vetoes besides the score. */
  bar: KeepBar | null;
  /** With several scenarios, each one's median for the baseline and the current best. */
  scenarios: ScenarioMedians[];
  scope: string[];
  protect: string[];
  /** The experiment folder, repository-relative: the tool's, written between its commits. */
  experimentFolder: string;
  commands: { test: string; bench: string; build?: string; check?: string };
  hotspots: string | null;
  leaderboard: string;
  tried: { iteration: number; strategy: string; decision: IterationDecision }[];
  /** `run --parallel`: what the siblings of this generation are trying now. */
  siblings: string[];
  /** Runner-ups offered again, to re-apply on top of the new best. */
  runnerUps: string[];
  reflexions: string[];
  planSchema: unknown;
}

export function buildBrief(context: IterationContext): Brief {
  const { experiment } = context;
  return {
    iteration: context.iteration,
    goal: experiment.goal,
    metric: experiment.metric,
    baseline: context.baseline.value,
    best: { value: context.best.value, commit: context.best.commit },
    target: experiment.target,
    threshold: experiment.threshold,
    bar: context.bar ?? null,
    scenarios: context.scenarios ?? [],
    scope: experiment.scope,
    protect: experiment.protect,
    experimentFolder: relative(context.root, context.experimentDir),
    commands: experiment.commands,
    hotspots: context.hotspots,
    leaderboard: context.leaderboard,
    tried: context.tried.map(({ iteration, strategy, decision }) => ({
      iteration,
      strategy,
      decision,
    })),
    siblings: context.siblings ?? [],
    runnerUps: openRunnerUps(context).map((t) => t.strategy),
    reflexions: context.reflexions,
    planSchema: planJsonSchema(),
  };
}

export function briefText(brief: Brief): string {
  const { metric } = brief;
  return [
    `# Iteration ${brief.iteration}`,
    "",
    `Goal: ${brief.goal}`,
    `Metric: ${metric.name} (${metric.direction} is better). Baseline ${formatMeasured(brief.baseline)}; current best ${formatMeasured(brief.best.value)}; target ${brief.target}.`,
    ...scenarioLines(brief.scenarios),
    ...keepRuleLines(brief),
    `Scope — the only files you may change: ${brief.scope.join(", ")}`,
    `Protected — an edit to any of these rejects the iteration: ${brief.protect.join(", ")}`,
    experimentFolderNote(brief.experimentFolder),
    `Commands: tests \`${brief.commands.test}\`; benchmark \`${brief.commands.bench}\`${brief.commands.build ? `; build \`${brief.commands.build}\`` : ""}`,
    ...(brief.commands.check
      ? [
          `Behaviour check: \`${brief.commands.check}\` must print exactly what it prints on the current best; a change whose output differs is rejected, whatever it gains.`,
        ]
      : []),
    "",
    "## Rules",
    "",
    ...candidateRules(),
    "",
    "## Hot spots of the current best",
    "",
    brief.hotspots ?? "(no profile for this iteration)",
    "",
    "## Leaderboard",
    "",
    brief.leaderboard || "(no iteration yet)",
    "",
    "## Strategies already tried (do not repeat them)",
    "",
    ...(brief.tried.length
      ? brief.tried.map((t) => `- iteration ${t.iteration}: ${t.strategy} → ${t.decision}`)
      : ["(none)"]),
    "",
    ...generationLines(brief),
    "## Reflexions of the last iterations",
    "",
    ...(brief.reflexions.length ? brief.reflexions : ["(none yet)"]),
    "",
  ].join("\n");
}

/** Siblings to differ from and runner-ups worth re-applying (`run --parallel`), when any. */
function generationLines(brief: Brief): string[] {
  const lines: string[] = [];
  if (brief.siblings.length > 0) {
    lines.push(
      "## Siblings in this generation",
      "",
      "Other candidates are being tried right now against the same best; propose something different from each:",
      ...brief.siblings.map((s) => `- ${s}`),
      "",
    );
  }
  if (brief.runnerUps.length > 0) {
    lines.push(
      "## Runner-ups (may be proposed again)",
      "",
      "These improved credibly, but a sibling improved more and was kept. Re-applying one on top of the new best is a candidate of its own (its gain may or may not add up):",
      ...brief.runnerUps.map((s) => `- ${s}`),
      "",
    );
  }
  return lines;
}

const pct = (fraction: number) => `${Number((100 * fraction).toFixed(2))}%`;

function scenarioLines(scenarios: readonly ScenarioMedians[]): string[] {
  if (scenarios.length === 0) return [];
  return [
    "Scenarios (medians; the best's come from the comparison that kept it, a different run than the baseline's):",
    ...scenarios.map(
      (s) =>
        `- ${s.name}: baseline ${formatMeasured(s.baseline)}, current best ${s.best === null ? "not measured" : formatMeasured(s.best)}`,
    ),
  ];
}

/**
 * The bar as the comparison applies it: δ = max(threshold, noise floor), the floor measured anew
 * in each comparison, so the latest one measured is the best guess of the next δ.
 */
function keepRuleLines(brief: Brief): string[] {
  const { bar, threshold } = brief;
  if (!bar) {
    return [
      `A change is kept only if the measured improvement's confidence interval clears δ = max(${pct(threshold)}, the comparison's noise floor) against the current best.`,
    ];
  }
  const floor = bar.noiseFloor;
  const delta = Math.max(threshold, floor?.value ?? 0);
  const why = !floor
    ? ""
    : floor.value > threshold
      ? ` — expect δ ≈ ${pct(delta)}: the noise floor of ${floor.from} (${pct(floor.value)}) is above the threshold, and a gain smaller than the noise cannot be told from it`
      : ` — expect δ = ${pct(threshold)}: the noise floor of ${floor.from} (${pct(floor.value)}) is below the threshold`;
  return [
    `A change is kept only if the measured improvement's confidence interval clears δ = max(threshold ${pct(threshold)}, noise floor) against the current best. The noise floor (the noisier arm's robust CV / √rounds) is measured anew in each comparison${why}.`,
    ...(bar.regressionTolerance !== null
      ? [
          `No scenario may get slower: a scenario whose improvement is credibly below −${pct(bar.regressionTolerance)} vetoes the change, whatever the overall gain.`,
        ]
      : []),
    ...(bar.memoryTolerance !== null
      ? [
          `Peak memory is measured: a change whose peak memory is credibly more than ${pct(bar.memoryTolerance)} above the best's is vetoed, whatever it gains.`,
        ]
      : []),
  ];
}

/**
 * Between steps `git status` shows the ledger modified and new iteration files untracked: the tool
 * writes them and commits them with the evaluation and the reflexion. Said once, for brief and status.
 */
export function experimentFolderNote(folder: string): string {
  return `The experiment folder ${folder}/ is auto-optimize's: it is written between the tool's commits (git status shows its ledger.jsonl modified and new iterations/ files untracked between steps) and committed with each evaluation and reflexion. Leave it alone: never edit, stage, commit, stash or clean it (git stash -u and git clean would take the experiment's records with them).`;
}
