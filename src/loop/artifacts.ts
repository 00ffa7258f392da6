import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { AgentUsage, Outcome, Plan } from "../agent/types.js";
import { FILES } from "../experiment/layout.js";
import { renderLeaderboard } from "../experiment/leaderboard.js";
import type { Ledger } from "../experiment/ledger.js";
import type { Experiment } from "../experiment/schema.js";
import { deriveState, type FinishedIteration } from "../experiment/state.js";
import { formatMeasured } from "../measure/format-number.js";
import { writeRedacted } from "../redact.js";
import type { IterationRecord } from "./iteration-record-schema.js";

export type { IterationRecord };

/** A fresh iteration folder: whatever a crashed attempt left there is not part of this one. */
export async function createIterationFolder(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
}

export async function writePlan(dir: string, plan: Plan): Promise<void> {
  await writeRedacted(
    join(dir, "plan.md"),
    plan.markdown.endsWith("\n") ? plan.markdown : `${plan.markdown}\n`,
  );
  await writeRedacted(join(dir, "plan.json"), `${JSON.stringify(plan.data, null, 2)}\n`);
}

const pct = (x: number | null) =>
  x === null ? "—" : `${x >= 0 ? "+" : ""}${(100 * x).toFixed(2)}%`;
const num = (x: number | null) => (x === null ? "—" : formatMeasured(x));

function formatCost(cost: AgentUsage): string {
  const tokens = (n: number) => n.toLocaleString("en-US");
  return `$${cost.usd.toFixed(4)}: ${tokens(cost.inputTokens)} input tokens (${tokens(cost.cachedTokens)} of them cached), ${tokens(cost.outputTokens)} output tokens`;
}

/** The decision and its reason; evidence after a reason's first line (a diff head) stays verbatim. */
function decisionLines(record: IterationRecord): string[] {
  const [first, ...evidence] = record.reason.split("\n");
  const head = `**Decision: ${record.decision}** — ${first}`;
  return evidence.length ? [head, "", "```", ...evidence, "```"] : [head];
}

/**
 * summary.md, result.json, result.txt and reflexion.md of one iteration; no reflexion.md when the
 * reflexion comes later (a host writes it with `step reflect`).
 */
export async function writeIterationArtifacts(
  dir: string,
  experiment: Experiment,
  record: IterationRecord,
  reflexion: string | null,
): Promise<void> {
  const { metric } = experiment;
  const vsBaseline =
    record.value !== null && record.baselineValue ? record.value / record.baselineValue - 1 : null;
  const summary = [
    `# Iteration ${record.iteration}: ${record.strategy}`,
    "",
    ...decisionLines(record),
    "",
    "| | value |",
    "|---|---|",
    `| metric | ${metric.name} (${metric.direction} is better), target ${experiment.target} |`,
    `| candidate (median, this comparison) | ${num(record.value)} |`,
    `| current best (median, same comparison) | ${num(record.bestValue)} |`,
    `| baseline (locked) | ${num(record.baselineValue)} |`,
    `| improvement vs best (interval) | ${pct(record.improvement)} ${record.ci ? `[${pct(record.ci[0])}, ${pct(record.ci[1])}]` : ""} |`,
    `| change of the median vs baseline | ${pct(vsBaseline)} (medians from different runs) |`,
    `| verdict | ${record.verdict ?? "not measured"}${record.rounds ? ` after ${record.rounds} interleaved rounds, seed ${record.seed}` : ""} |`,
    ...(record.cost
      ? [`| model cost (plan, edits, reflexion) | ${formatCost(record.cost)} |`]
      : []),
    "",
    `Changed files: ${record.changedFiles.length ? record.changedFiles.map((f) => `\`${f}\``).join(", ") : "none"}`,
    ...(Object.keys(record.knobs).length
      ? [
          "",
          `Knobs: ${Object.entries(record.knobs)
            .map(([k, v]) => `${k}=${v}`)
            .join(", ")}`,
        ]
      : []),
    ...(record.violations.length
      ? ["", "Violations:", ...record.violations.map((v) => `- ${v}`)]
      : []),
    ...(record.unsampledFunctions?.length
      ? [
          "",
          "**The benchmark does not run this code**: changed functions with no samples in the profile of the best:",
          ...record.unsampledFunctions.map((f) => `- ${f}`),
        ]
      : []),
    "",
    "Environment drift (the machine since the baseline snapshot; the best's own median against its last measurement):",
    ...(record.environmentDrift.length
      ? record.environmentDrift.map((d) => `- ${d}`)
      : ["- none seen"]),
    "",
  ];
  await writeRedacted(join(dir, "summary.md"), summary.join("\n"));
  await writeRedacted(join(dir, "result.json"), `${JSON.stringify(record, null, 2)}\n`);
  const text = [
    `iteration ${record.iteration}: ${record.strategy}`,
    `decision: ${record.decision} (${record.reason})`,
    `value: ${num(record.value)}  best: ${num(record.bestValue)}  improvement: ${pct(record.improvement)}${record.ci ? ` [${pct(record.ci[0])}, ${pct(record.ci[1])}]` : ""}`,
    ...(record.testOutput ? ["", "test output (tail):", record.testOutput] : []),
    "",
  ];
  await writeRedacted(join(dir, "result.txt"), text.join("\n"));
  const reflexionPath = join(dir, "reflexion.md");
  if (reflexion === null) await rm(reflexionPath, { force: true });
  else await writeRedacted(reflexionPath, reflexion.endsWith("\n") ? reflexion : `${reflexion}\n`);
}

/**
 * leaderboard.md with the decided iteration already in it, written before the iteration's commit
 * so that the commit carries it (its commit hashes are not known yet).
 */
export async function writePendingLeaderboard(
  experimentDir: string,
  name: string,
  experiment: Experiment,
  ledger: Ledger,
  record: IterationRecord,
  folder: string,
): Promise<void> {
  const preview = deriveState(experiment, ledger);
  preview.finished.push({
    iteration: record.iteration,
    strategy: record.strategy,
    folder,
    decision: record.decision,
    reason: record.reason,
    value: record.value,
    bestValue: record.bestValue,
    improvement: record.improvement,
    ci: record.ci,
    knobs: record.knobs,
    commits: [],
    ...(record.cost && { costUsd: record.cost.usd }),
  });
  await writeRedacted(
    join(experimentDir, FILES.leaderboard),
    renderLeaderboard(experiment, name, preview),
  );
}

/**
 * The last `count` reflexions of earlier iterations, oldest first, each headed by its iteration,
 * strategy and decision: a planner reads which attempt a lesson came from.
 */
export async function recentReflexions(
  experimentDir: string,
  finished: readonly Pick<FinishedIteration, "iteration" | "folder" | "strategy" | "decision">[],
  count = 3,
): Promise<string[]> {
  const texts: string[] = [];
  for (const f of finished.filter((f) => f.folder).slice(-count)) {
    const path = join(experimentDir, "iterations", f.folder, "reflexion.md");
    if (!existsSync(path)) continue;
    const text = (await readFile(path, "utf8")).trim();
    texts.push(`### Iteration ${f.iteration}: ${f.strategy} (${f.decision})\n\n${text}\n`);
  }
  return texts;
}

export function outcomeOf(record: IterationRecord, diff: string): Outcome {
  return {
    decision: record.decision,
    reason: record.reason,
    verdict: record.verdict,
    improvement: record.improvement,
    ci: record.ci,
    value: record.value,
    diff,
    testOutput: record.testOutput,
    violations: record.violations,
    ...(record.unsampledFunctions?.length && { unsampledFunctions: record.unsampledFunctions }),
    ...(record.guard && { guard: record.guard }),
  };
}
