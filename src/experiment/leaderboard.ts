import { formatMeasured } from "../measure/format-number.js";
import { chainIterations } from "./chain.js";
import type { Experiment } from "./schema.js";
import type { FinishedIteration, LoopState } from "./state.js";
import { targetReached } from "./target.js";

/** How each decision reads in the leaderboard and the report. */
export const DECISION_LABELS: Record<FinishedIteration["decision"], string> = {
  keep: "✅ kept",
  drop: "❌ dropped",
  "runner-up": "🥈 runner-up",
  "test-failed": "🧪 test-failed",
  rejected: "⛔ rejected",
  "bench-failed": "💥 bench-failed",
};

function formatValue(value: number | null): string {
  return value === null ? "—" : formatMeasured(value);
}

function signed(fraction: number | null): string {
  if (fraction === null || !Number.isFinite(fraction)) return "—";
  return `${fraction >= 0 ? "+" : ""}${(100 * fraction).toFixed(1)}%`;
}

interface Row {
  label: string;
  /** Improvement over the baseline on the chain of kept comparisons; null: not measured. */
  vsBaseline: number | null;
  /** What it is ranked by: never above the best of its time unless it was kept. */
  rank: number | null;
  kept: boolean;
  order: number;
  vsBest: string;
  medians: string;
  strategy: string;
  status: string;
  cost: string;
}

/**
 * leaderboard.md: every iteration ranked by what its own comparison measured, chained through the
 * kept iterations (see chain.ts), the baseline among them, 🎯 on rows that reached the target. An
 * iteration that was not kept ranks no higher than the best it failed to beat. The medians are
 * each comparison's own and are not compared across rows.
 */
export function renderLeaderboard(
  experiment: Experiment,
  name: string,
  state: LoopState,
  date = new Date(),
): string {
  const unit = experiment.metric.name;
  const better = experiment.metric.direction;
  const chain = chainIterations(state.finished, better);
  const rows: Row[] = [];
  if (state.baseline)
    rows.push({
      label: "baseline",
      vsBaseline: 0,
      rank: 0,
      kept: true,
      order: 0,
      vsBest: "—",
      medians: `${formatValue(state.baseline.value)} (locked)`,
      strategy: "—",
      status: "Baseline",
      cost: "—",
    });
  state.finished.forEach((it, i) => {
    const link = chain.links[i];
    const vsBaseline = link?.vsBaseline ?? null;
    const kept = it.decision === "keep";
    const hit = kept && it.value !== null && targetReached(experiment, it.value) ? " 🎯" : "";
    rows.push({
      label: it.folder || `iter-${it.iteration}`,
      vsBaseline,
      rank:
        vsBaseline === null || !link
          ? null
          : kept
            ? vsBaseline
            : Math.min(vsBaseline, link.bestBefore),
      kept,
      order: i + 1,
      vsBest:
        it.improvement === null
          ? "—"
          : `${signed(it.improvement)}${it.ci ? ` [${signed(it.ci[0])}, ${signed(it.ci[1])}]` : ""}`,
      medians: it.value === null ? "—" : `${formatValue(it.value)} vs ${formatValue(it.bestValue)}`,
      strategy: it.strategy,
      status: `${DECISION_LABELS[it.decision]}${hit}`,
      cost: `$${(it.costUsd ?? 0).toFixed(2)}`,
    });
  });
  const ranked = [...rows].sort((x, y) => {
    if (x.rank === null || y.rank === null) {
      if (x.rank !== y.rank) return x.rank === null ? 1 : -1;
      return x.order - y.order;
    }
    return y.rank - x.rank || Number(y.kept) - Number(x.kept) || y.order - x.order;
  });
  // Model-driven runs show what each iteration cost; runs without a model keep the seed's columns.
  const costly = state.finished.some((it) => (it.costUsd ?? 0) > 0);
  const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
  const gain =
    better === "lower" ? "share of the baseline's value saved" : "gain over the baseline";
  return [
    `# Experiment Leaderboard: ${name}`,
    "",
    `Last updated: ${date.toISOString().slice(0, 10)} · metric ${unit} (${better} is better) · target ${experiment.target}`,
    "",
    `| Rank | Iteration | vs baseline (chained) | vs best of its time (interval) | Median of ${unit}: it vs best, same run | Strategy | Status |${costly ? " Cost |" : ""}`,
    `|------|-----------|-----------------------|--------------------------------|${"-".repeat(32 + unit.length)}|----------|--------|${costly ? "------|" : ""}`,
    ...ranked.map(
      (r, i) =>
        `| ${i + 1} | ${cell(r.label)} | ${signed(r.vsBaseline)} | ${r.vsBest} | ${r.medians} | ${cell(r.strategy)} | ${r.status} |${costly ? ` ${r.cost} |` : ""}`,
    ),
    "",
    `Each iteration was measured against the best of its time, in one interleaved run. "vs baseline" chains those runs: its own ratio times the ratios of the kept iterations before it (${gain}); the best stands at ${signed(chain.compounded)}. The medians come from different runs, under each run's own load: compare them within a row, not across rows. An iteration that was not kept ranks no higher than the best it was measured against.`,
    "",
  ].join("\n");
}
