import type { LedgerEntry } from "../../experiment/events.js";
import { formatKnobValue, initialKnobValues } from "../../experiment/knobs.js";
import { EXPERIMENTS_DIR } from "../../experiment/layout.js";
import type { Experiment, KnobValue } from "../../experiment/schema.js";
import type { FinishedIteration, LoopState } from "../../experiment/state.js";
import { targetReached } from "../../experiment/target.js";
import { fractionToGain, gainToFraction } from "../../measure/gain.js";
import { continuationLine } from "../continuation.js";
import type { FinalReportInput } from "../final-report.js";
import type { InsightKind, Reflexion } from "./reflexions.js";
import type { Headline } from "./remeasure.js";

export interface RenderInput extends FinalReportInput {
  state: LoopState;
  headline: Headline | null;
  diff: string;
  reflexions: Reflexion[];
  remeasureMs: number | null;
}

const pct = (x: number | null, digits = 2): string =>
  x === null || !Number.isFinite(x) ? "—" : `${x >= 0 ? "+" : ""}${(100 * x).toFixed(digits)}%`;
const interval = (ci: [number, number] | null): string =>
  ci ? `[${pct(ci[0])}, ${pct(ci[1])}]` : "";
const num = (x: number | null): string => {
  if (x === null || !Number.isFinite(x)) return "—";
  return Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(4);
};
const cell = (text: string): string => text.replaceAll("|", "\\|").replaceAll("\n", " ");
const short = (commit: string): string => commit.slice(0, 10);

function fence(text: string, language: string): string[] {
  let longest = 2;
  for (const match of text.matchAll(/`{3,}/g)) longest = Math.max(longest, match[0].length);
  const ticks = "`".repeat(longest + 1);
  return [`${ticks}${language}`, text, ticks];
}

/** final-report.md from everything gathered. */
export function renderFinalReport(input: RenderInput): string {
  const { experiment, state } = input;
  return [
    `# Final report: ${input.name}`,
    "",
    `Generated ${new Date().toISOString()} on branch \`${experiment.branch}\`.`,
    "",
    ...goalSection(input),
    ...headlineSection(input),
    ...bestSection(input),
    ...iterationsSection(experiment, state),
    ...insightsSection(input.reflexions),
    ...nextStepsSection(input),
    ...timeSection(input),
  ].join("\n");
}

function goalSection({ experiment, state, headline }: RenderInput): string[] {
  const { metric } = experiment;
  const baseline = state.baseline as { commit: string; value: number };
  const kept = state.best.iteration !== null;
  const hit = kept && targetReached(experiment, state.best.value);
  const lines = [
    "## Goal",
    "",
    `- **Goal:** ${experiment.goal}`,
    `- **Metric:** \`${metric.name}\` (${metric.direction} is better)`,
    `- **Baseline:** ${num(baseline.value)} (commit ${short(baseline.commit)})`,
    `- **Target:** ${experiment.target} — ${hit ? "🎯 **reached**" : "**not reached**"} (best measured value ${kept ? `${num(state.best.value)}, iteration ${state.best.iteration}` : "is the baseline's: no iteration was kept"})`,
  ];
  if (headline) {
    const again = targetReached(experiment, headline.bestValue);
    lines.push(
      `- **Target in the re-measure:** the best's median was ${num(headline.bestValue)} — ${again ? "reached" : "not reached"}`,
    );
  }
  lines.push(
    `- **Per-iteration threshold:** ${(100 * experiment.threshold).toFixed(2)}% minimum gain to keep a change`,
    `- **Stopped:** ${state.stopped ?? (state.unfinished ? `interrupted in iteration ${state.unfinished.iteration}` : "not recorded")}`,
    "",
  );
  return lines;
}

/** Kept iterations' gains added up on the log scale: what the loop believes it gained. */
function perIterationGains(
  experiment: Experiment,
  state: LoopState,
): {
  sum: number;
  compounded: number;
  count: number;
} {
  const better = experiment.metric.direction;
  const gains = state.finished
    .filter((f) => f.decision === "keep" && f.improvement !== null)
    .map((f) => f.improvement as number);
  const sum = gains.reduce((a, b) => a + b, 0);
  const compounded = gainToFraction(
    gains.reduce((a, g) => a + fractionToGain(g, better), 0),
    better,
  );
  return { sum, compounded, count: gains.length };
}

function headlineSection({ experiment, state, headline, remeasure }: RenderInput): string[] {
  const gains = perIterationGains(experiment, state);
  const gainLine = `The per-iteration gains of the ${gains.count} kept iteration${gains.count === 1 ? "" : "s"} (each against the best of its time) sum to **${pct(gains.sum)}** (compounded ${pct(gains.compounded)}).`;
  const lines = ["## Headline", ""];
  if (state.best.iteration === null) {
    lines.push(
      "No iteration was kept: the best configuration is the baseline, so there is nothing to re-measure and no gain to report.",
      "",
    );
    return lines;
  }
  if (!headline) {
    lines.push(
      `Not re-measured${remeasure === null ? " (the re-measure was skipped on request)" : ""}: there is no headline number. ${gainLine}`,
      "",
      "Read that sum with caution: each kept gain was selected because its own comparison looked good, so it tends to overstate the real gain (the winner's curse). Run `auto-optimize report` without `--no-remeasure` for a fresh measurement.",
      "",
    );
    return lines;
  }
  lines.push(
    `**${pct(headline.improvement)}** ${interval(headline.ci)} — the baseline (commit ${short(headline.baselineCommit)}) against the best (commit ${short(headline.bestCommit)}, iteration ${state.best.iteration}), re-measured from scratch: ${headline.rounds} interleaved rounds in fresh worktrees, verdict **${headline.verdict}**, seed ${headline.seed}. Medians of \`${experiment.metric.name}\`: baseline ${num(headline.baselineValue)} → best ${num(headline.bestValue)}.`,
    "",
    "This re-measured number is the headline because it corrects the winner's curse: every kept iteration was chosen because its own comparison looked good, so the gains recorded by those comparisons tend to overstate the real one. A fresh measurement of the final result, with more rounds and no selection, does not.",
    "",
    `For comparison: ${gainLine[0]?.toLowerCase()}${gainLine.slice(1)}`,
    "",
  );
  if (headline.verdict !== "improved")
    lines.push(
      `The re-measure does **not** confirm a gain (verdict ${headline.verdict}): the improvement the iterations recorded may have been noise or luck. Check the environment and re-run \`auto-optimize report\` with more rounds before relying on it.`,
      "",
    );
  return lines;
}

function bestSection({ experiment, state, diff }: RenderInput): string[] {
  const best = state.best;
  const lines = ["## Best configuration", ""];
  if (best.iteration === null) {
    lines.push("The baseline (no iteration was kept).", "");
  } else {
    const it = state.finished.find((f) => f.iteration === best.iteration);
    lines.push(
      `Iteration ${best.iteration}: **${it?.strategy ?? "(unknown strategy)"}** — commit ${short(best.commit)}, measured ${num(best.value)} ${experiment.metric.name}${it?.folder ? ` ([iterations/${it.folder}](iterations/${it.folder}/summary.md))` : ""}.`,
      "",
    );
  }
  const runtime = experiment.knobs.filter((k) => k.kind !== "file");
  if (runtime.length > 0) {
    const initial = initialKnobValues(experiment.knobs);
    lines.push(
      "Environment and argument knobs (not in the code: run the benchmark with these to reproduce the best):",
      "",
      "| Knob | Where | Baseline | Best |",
      "|------|-------|----------|------|",
      ...runtime.map((k) => {
        const where =
          k.kind === "env" ? `env \`${k.env ?? k.name}\`` : `arg \`${k.flag ?? "(positional)"}\``;
        const before = formatKnobValue(initial[k.name] as KnobValue);
        const after = formatKnobValue(best.knobs[k.name] ?? k.initial);
        return `| ${cell(k.name)} | ${where} | ${cell(before)} | ${cell(after)}${before === after ? "" : " ◀"} |`;
      }),
      "",
    );
  }
  if (experiment.knobs.some((k) => k.kind === "file"))
    lines.push("File knobs are code: their values are part of the diff below.", "");
  if (best.iteration !== null) {
    lines.push(
      `Full diff from the baseline to the best (outside \`${EXPERIMENTS_DIR}/\`):`,
      "",
      ...(diff
        ? fence(diff, "diff")
        : ["(no code change: the gain comes from the knob values above)"]),
      "",
    );
  }
  return lines;
}

const DECISIONS: Record<FinishedIteration["decision"], string> = {
  keep: "✅ kept",
  drop: "❌ dropped",
  "test-failed": "🧪 test-failed",
  rejected: "⛔ rejected",
  "bench-failed": "💥 bench-failed",
};

function iterationsSection(experiment: Experiment, state: LoopState): string[] {
  const lines = ["## Iterations", ""];
  if (state.finished.length === 0) return [...lines, "No iteration was completed.", ""];
  lines.push(
    "Each candidate was measured against the best of its time, in the same interleaved run.",
    "",
    "| Iteration | Strategy | Decision | Value | Improvement vs best of its time (interval) | Reason |",
    "|-----------|----------|----------|-------|--------------------------------------------|--------|",
  );
  for (const it of state.finished) {
    const hit =
      it.decision === "keep" && it.value !== null && targetReached(experiment, it.value)
        ? " 🎯"
        : "";
    const improvement =
      it.improvement === null ? "—" : `${pct(it.improvement)} ${interval(it.ci)}`.trim();
    lines.push(
      `| ${it.folder ? `[${it.iteration}](iterations/${it.folder}/summary.md)` : it.iteration} | ${cell(it.strategy)} | ${DECISIONS[it.decision]}${hit} | ${num(it.value)} | ${improvement} | ${cell(it.reason || "—")} |`,
    );
  }
  lines.push("");
  return lines;
}

function insightsSection(reflexions: Reflexion[]): string[] {
  const lines = ["## Insights from the reflexions", ""];
  if (reflexions.length === 0) return [...lines, "No reflexion was written.", ""];
  const gather = (kind: InsightKind) =>
    reflexions.flatMap((r) =>
      r.sections[kind].map((text) => `- ${text} (iteration ${r.iteration})`),
    );
  const lessons = gather("lessons");
  const surprises = gather("surprises");
  if (lessons.length) lines.push("### Lessons", "", ...lessons, "");
  if (surprises.length) lines.push("### Surprises", "", ...surprises, "");
  const plain = reflexions.filter(
    (r) => r.sections.lessons.length === 0 && r.sections.surprises.length === 0 && r.opening.length,
  );
  if (plain.length) {
    lines.push(
      lessons.length || surprises.length ? "### Other reflexions" : "### What each reflexion says",
      "",
    );
    for (const r of plain) {
      lines.push(`- **Iteration ${r.iteration} (${r.strategy}):**`);
      for (const line of r.opening.slice(0, 3))
        lines.push(`  ${line.startsWith("-") ? line : `- ${line}`}`);
    }
    lines.push("");
  }
  return lines;
}

function nextStepsSection({ experiment, state, reflexions, ledger }: RenderInput): string[] {
  const lines = ["## Next steps", ""];
  const tried = state.finished.map((f) => f.strategy.toLowerCase());
  const seen = new Set<string>();
  const unexplored: string[] = [];
  for (const r of reflexions) {
    for (const text of r.sections.unexplored) {
      const key = text.toLowerCase();
      if (/^none\b/.test(key)) continue;
      // A direction that a later iteration took is no longer unexplored.
      if (seen.has(key) || tried.some((s) => s.length > 2 && key.includes(s))) continue;
      seen.add(key);
      unexplored.push(`- ${text} (iteration ${r.iteration})`);
    }
  }
  if (unexplored.length)
    lines.push("Unexplored directions named in the reflexions:", "", ...unexplored, "");
  const untried = experiment.knobs.filter(
    (k) =>
      !state.finished.some(
        (f) =>
          new RegExp(`(^|[^A-Za-z0-9_.-])${escapeRegExp(k.name)}([^A-Za-z0-9_.-]|$)`).test(
            f.strategy,
          ) ||
          (k.name in f.knobs &&
            formatKnobValue(f.knobs[k.name] as KnobValue) !== formatKnobValue(k.initial)),
      ),
  );
  if (untried.length)
    lines.push(`Knobs never tried: ${untried.map((k) => `\`${k.name}\``).join(", ")}.`, "");
  const suggestions: string[] = [];
  const best = state.best.iteration === null ? (state.baseline?.value ?? null) : state.best.value;
  if (best !== null && !targetReached(experiment, best)) {
    const needed =
      experiment.metric.direction === "lower"
        ? 1 - experiment.target / best
        : experiment.target / best - 1;
    suggestions.push(
      `- The target is ${(100 * needed).toFixed(1)}% away from the best (${num(best)} → ${experiment.target}).`,
    );
  }
  const goOn = continuationLine(experiment, state, ledger.entries);
  if (goOn) suggestions.push(goOn);
  if (state.sinceLastKeep >= experiment.patience)
    suggestions.push(
      `- The last ${state.sinceLastKeep} iterations kept nothing: a different kind of change (or a profile of the best) is more promising than more of the same.`,
    );
  if (suggestions.length) lines.push(...suggestions, "");
  if (lines.length === 2)
    lines.push("Nothing left: the target was reached and no direction was left open.", "");
  return lines;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** What each ledger event ends: the time since the previous event of the same iteration. */
const STEP_OF: Partial<Record<LedgerEntry["type"], string>> = {
  planned: "planning",
  applied: "applying",
  checked: "checking scope and protected files",
  tested: "building and testing",
  measured: "measuring",
  decided: "deciding",
  committed: "reflecting and committing",
  "iteration-abandoned": "abandoned",
};

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, "0")} min`;
  if (m > 0) return `${m} min ${String(s).padStart(2, "0")} s`;
  return `${s} s`;
}

function timeSection({ ledger, remeasureMs }: RenderInput): string[] {
  const entries = ledger.entries;
  const lines = ["## Time and cost", ""];
  const time = (e: LedgerEntry) => Date.parse(e.at);
  const first = entries[0];
  const last = entries.at(-1);
  if (first && last) {
    lines.push(
      `- **Elapsed:** ${formatDuration(time(last) - time(first))}, from ${first.at} (first ledger event) to ${last.at} (last).`,
    );
  }
  const steps = new Map<string, number>();
  let runTime = 0;
  let runStart: number | null = null;
  let previous: LedgerEntry | null = null;
  for (const entry of entries) {
    if (entry.type === "run-started") runStart = time(entry);
    if (entry.type === "stopped" && runStart !== null) {
      runTime += time(entry) - runStart;
      runStart = null;
    }
    if (entry.type === "baseline-locked") {
      const created = entries.find((e) => e.type === "experiment-created");
      if (created) add(steps, "baseline", time(entry) - time(created));
    }
    const step = STEP_OF[entry.type];
    if (
      step &&
      previous &&
      "iteration" in previous &&
      "iteration" in entry &&
      previous.iteration === entry.iteration
    )
      add(steps, step, time(entry) - time(previous));
    if (entry.type !== "cost") previous = entry;
  }
  if (runTime > 0) lines.push(`- **Running the loop:** ${formatDuration(runTime)}`);
  if (remeasureMs !== null) lines.push(`- **Final re-measure:** ${formatDuration(remeasureMs)}`);
  const costs = ledger.ofType("cost");
  const usd = costs.reduce((a, c) => a + c.usd, 0);
  const tokens = costs.reduce((a, c) => a + c.tokens, 0);
  lines.push(
    costs.length
      ? `- **Cost:** $${usd.toFixed(2)} (${tokens.toLocaleString("en-US")} tokens, recorded over ${costs.length} iteration${costs.length === 1 ? "" : "s"})`
      : "- **Cost:** $0.00 (no model cost was recorded)",
    "",
  );
  if (steps.size > 0) {
    lines.push(
      "Time per step, summed over the iterations (between consecutive ledger events):",
      "",
      "| Step | Time |",
      "|------|------|",
      ...[...steps].map(([step, ms]) => `| ${step} | ${formatDuration(ms)} |`),
      "",
    );
  }
  return lines;
}

function add(map: Map<string, number>, key: string, ms: number): void {
  if (Number.isFinite(ms) && ms >= 0) map.set(key, (map.get(key) ?? 0) + ms);
}
