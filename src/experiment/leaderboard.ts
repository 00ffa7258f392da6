import type { Experiment } from "./schema.js";
import type { FinishedIteration, LoopState } from "./state.js";
import { targetReached } from "./target.js";

const STATUS: Record<FinishedIteration["decision"], string> = {
  keep: "✅ kept",
  drop: "❌ dropped",
  "test-failed": "🧪 test-failed",
  rejected: "⛔ rejected",
  "bench-failed": "💥 bench-failed",
};

function formatValue(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return "—";
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toPrecision(4);
}

function signed(fraction: number): string {
  return `${fraction >= 0 ? "+" : ""}${(100 * fraction).toFixed(1)}%`;
}

/**
 * leaderboard.md: every iteration ranked by its measured value (better first), the baseline
 * among them, 🎯 on rows that reached the target. "Delta vs baseline" compares medians from
 * different comparisons; the interval is the iteration's own comparison against the best of its
 * time, the one the decision used.
 */
export function renderLeaderboard(
  experiment: Experiment,
  name: string,
  state: LoopState,
  date = new Date(),
): string {
  const unit = experiment.metric.name;
  const baseline = state.baseline?.value ?? null;
  const better = experiment.metric.direction === "lower" ? 1 : -1;
  type Row = {
    label: string;
    value: number | null;
    delta: string;
    strategy: string;
    status: string;
    cost: string;
  };
  const rows: Row[] = [];
  if (baseline !== null)
    rows.push({
      label: "baseline",
      value: baseline,
      delta: "—",
      strategy: "—",
      status: "Baseline",
      cost: "—",
    });
  for (const it of state.finished) {
    const delta =
      it.value !== null && baseline
        ? `${signed(it.value / baseline - 1)}${it.ci ? ` (vs best: ${signed(it.ci[0])}…${signed(it.ci[1])})` : ""}`
        : "—";
    const hit =
      it.decision === "keep" && it.value !== null && targetReached(experiment, it.value)
        ? " 🎯"
        : "";
    rows.push({
      label: it.folder || `iter-${it.iteration}`,
      value: it.value,
      delta,
      strategy: it.strategy,
      status: `${STATUS[it.decision]}${hit}`,
      cost: `$${(it.costUsd ?? 0).toFixed(2)}`,
    });
  }
  const ranked = [...rows].sort((x, y) => {
    if (x.value === null) return 1;
    if (y.value === null) return -1;
    return better * (x.value - y.value);
  });
  // Model-driven runs show what each iteration cost; runs without a model keep the seed's columns.
  const costly = state.finished.some((it) => (it.costUsd ?? 0) > 0);
  const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
  return [
    `# Experiment Leaderboard: ${name}`,
    "",
    `Last updated: ${date.toISOString().slice(0, 10)} · metric ${unit} (${experiment.metric.direction} is better) · target ${experiment.target}`,
    "",
    `| Rank | Iteration | Result | Delta vs baseline (CI vs best) | Strategy | Status |${costly ? " Cost |" : ""}`,
    `|------|-----------|--------|--------------------------------|----------|--------|${costly ? "------|" : ""}`,
    ...ranked.map(
      (r, i) =>
        `| ${i + 1} | ${cell(r.label)} | ${formatValue(r.value)} | ${r.delta} | ${cell(r.strategy)} | ${r.status} |${costly ? ` ${r.cost} |` : ""}`,
    ),
    "",
  ].join("\n");
}
