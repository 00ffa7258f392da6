import { chainIterations } from "../../experiment/chain.js";
import { formatKnobValue, initialKnobValues } from "../../experiment/knobs.js";
import { EXPERIMENTS_DIR } from "../../experiment/layout.js";
import { DECISION_LABELS } from "../../experiment/leaderboard.js";
import type { Experiment, KnobValue } from "../../experiment/schema.js";
import type { LoopState } from "../../experiment/state.js";
import { targetReached } from "../../experiment/target.js";
import { formatMeasured } from "../../measure/format-number.js";
import { memoryChange, memoryCheckLabel } from "../../measure/memory-check.js";
import { continuationLine } from "../continuation.js";
import type { FinalReportInput } from "../final-report.js";
import type { InsightKind, Reflexion } from "./reflexions.js";
import type { Headline } from "./remeasure.js";
import { timeSection } from "./time-account.js";

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
const num = (x: number | null): string => (x === null ? "—" : formatMeasured(x));
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
    ...timeSection(input.ledger, input.remeasureMs),
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

function headlineSection({ experiment, state, headline, remeasure }: RenderInput): string[] {
  const chain = chainIterations(state.finished, experiment.metric.direction);
  const one = chain.kept === 1;
  const gainLine = `The ${chain.kept} kept iteration${one ? ", measured against the best of its time, comes" : "s, each measured against the best of its time, compound"} to **${pct(chain.compounded)}** over the baseline (${one ? "its ratio" : "their ratios multiplied"}).`;
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
      "Read that figure with caution: each kept gain was selected because its own comparison looked good, so it tends to overstate the real gain (the winner's curse). Run `auto-optimize report` without `--no-remeasure` for a fresh measurement.",
      "",
    );
    return lines;
  }
  lines.push(
    `**${pct(headline.improvement)}** ${interval(headline.ci)} — the baseline (commit ${short(headline.baselineCommit)}) against the best (commit ${short(headline.bestCommit)}, iteration ${state.best.iteration}), re-measured from scratch: ${headline.rounds} interleaved rounds in fresh worktrees, verdict **${headline.verdict}**, seed ${headline.seed}. Medians of \`${experiment.metric.name}\`: baseline ${num(headline.baselineValue)} → best ${num(headline.bestValue)}.`,
    "",
    ...remeasuredChecks(headline),
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

/** Every scenario and the peak-memory guard, from the same re-measure rounds as the headline. */
function remeasuredChecks(headline: Headline): string[] {
  const rows = headline.scenarios.map(
    (sc) =>
      `| ${cell(sc.name)} (${sc.better} is better) | ${num(sc.baselineValue)} | ${num(sc.bestValue)} | ${pct(sc.improvement)} ${interval(sc.ci)} | ${sc.verdict} |`,
  );
  const m = headline.memory;
  if (m) {
    const mib = (kb: number) => `${(kb / 1024).toFixed(1)} MiB`;
    rows.push(
      `| peak memory (guard) | ${mib(m.baselineKb)} | ${mib(m.bestKb)} | ${memoryChange(m.saved)} [${memoryChange(m.ci[0])}, ${memoryChange(m.ci[1])}] | ${memoryCheckLabel(m.check, m.tolerance)} |`,
    );
  }
  return [
    `Every scenario${m ? " and the peak-memory guard" : ""}, from the same rounds (medians):`,
    "",
    "| Re-measured | Baseline | Best | Improvement (interval) | Verdict |",
    "|-------------|----------|------|------------------------|---------|",
    ...rows,
    "",
    ...(m ? [] : [`${headline.memoryNote}.`, ""]),
    ...headline.vetoes.map((v) => `- **Veto in the re-measure:** ${v}`),
    ...(headline.vetoes.length ? [""] : []),
  ];
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

function iterationsSection(experiment: Experiment, state: LoopState): string[] {
  const lines = ["## Iterations", ""];
  if (state.finished.length === 0) return [...lines, "No iteration was completed.", ""];
  lines.push(
    "Each candidate was measured against the best of its time, in the same interleaved run; its value is its median in that run (values of different rows come from different runs). The chained column carries its own ratio onto the kept iterations' before it.",
    "",
    "| Iteration | Strategy | Decision | Value | Improvement vs best of its time (interval) | vs baseline (chained) | Reason |",
    "|-----------|----------|----------|-------|--------------------------------------------|-----------------------|--------|",
  );
  const chain = chainIterations(state.finished, experiment.metric.direction);
  for (const [i, it] of state.finished.entries()) {
    const hit =
      it.decision === "keep" && it.value !== null && targetReached(experiment, it.value)
        ? " 🎯"
        : "";
    const improvement =
      it.improvement === null ? "—" : `${pct(it.improvement)} ${interval(it.ci)}`.trim();
    lines.push(
      `| ${it.folder ? `[${it.iteration}](iterations/${it.folder}/summary.md)` : it.iteration} | ${cell(it.strategy)} | ${DECISION_LABELS[it.decision]}${hit} | ${num(it.value)} | ${improvement} | ${pct(chain.links[i]?.vsBaseline ?? null, 1)} | ${cell(it.reason || "—")} |`,
    );
  }
  lines.push("", ...measuredOnSection(state));
  return lines;
}

/** Which of the queue's workers measured which iterations (`run --queue`), when any did. */
function measuredOnSection(state: LoopState): string[] {
  const byWorker = new Map<string, number[]>();
  for (const it of state.finished) {
    if (it.measuredBy)
      byWorker.set(it.measuredBy, [...(byWorker.get(it.measuredBy) ?? []), it.iteration]);
  }
  if (byWorker.size === 0) return [];
  const here = state.finished
    .filter((it) => !it.measuredBy && it.value !== null)
    .map((it) => it.iteration);
  const parts = [...byWorker].map(
    ([worker, its]) => `**${worker}**: iteration${its.length === 1 ? "" : "s"} ${its.join(", ")}`,
  );
  if (here.length > 0)
    parts.push(`this machine: iteration${here.length === 1 ? "" : "s"} ${here.join(", ")}`);
  return [
    `Measured by the queue's workers — ${parts.join("; ")} (each comparison ran whole on one machine; its result.json has that machine's environment as \`measuredOn\`).`,
    "",
  ];
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
