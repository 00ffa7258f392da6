import type { LedgerEntry } from "../../experiment/events.js";
import type { Ledger } from "../../experiment/ledger.js";

/** Where the time of an experiment went, in milliseconds; the parts add up to `total`. */
export interface TimeAccount {
  /** From the first ledger event to the end of the final re-measure. */
  total: number;
  /** Benchmarks: locking the baseline and every iteration's comparison (the best built first). */
  measuring: number;
  /** Whoever proposes: planning, making the edits, writing the reflexion. */
  agent: number;
  /** Checking protected files and scope, building and testing, deciding, committing. */
  checks: number;
  remeasure: number;
  /** The rest: profiling the best, time between iterations and between a host's steps. */
  other: number;
}

type Part = "measuring" | "agent" | "checks";

/** Each iteration event ends a step that began at the iteration's previous event. */
const PART_OF: Partial<Record<LedgerEntry["type"], Part>> = {
  planned: "agent",
  applied: "agent",
  checked: "checks",
  tested: "checks",
  measured: "measuring",
  decided: "checks",
  reflected: "agent",
};

/**
 * The time account of an experiment from its ledger (events carry their time) and the final
 * re-measure, which runs after the last event. Between `decided` and `committed` the loop's agent
 * writes its reflexion; a host writes it after the commit (`reflected`), so there that span is
 * the commit's alone.
 */
export function timeAccount(
  entries: readonly LedgerEntry[],
  remeasureMs: number | null,
): TimeAccount {
  const time = (e: LedgerEntry) => Date.parse(e.at);
  const parts: Record<Part, number> = { measuring: 0, agent: 0, checks: 0 };
  const add = (part: Part, ms: number) => {
    if (Number.isFinite(ms) && ms > 0) parts[part] += ms;
  };
  const hostReflected = new Set(
    entries
      .filter((e) => e.type === "reflected")
      .map((e) => (e as { iteration: number }).iteration),
  );
  const created = entries.find((e) => e.type === "experiment-created");
  let previous: LedgerEntry | null = null;
  for (const entry of entries) {
    if (entry.type === "baseline-locked" && created) add("measuring", time(entry) - time(created));
    const sameIteration =
      previous !== null &&
      "iteration" in previous &&
      "iteration" in entry &&
      previous.iteration === entry.iteration;
    if (sameIteration && previous) {
      const part =
        entry.type === "committed"
          ? hostReflected.has(entry.iteration)
            ? "checks"
            : "agent"
          : PART_OF[entry.type];
      if (part) add(part, time(entry) - time(previous));
    }
    if (entry.type !== "cost") previous = entry;
  }
  const first = entries[0];
  const last = entries.at(-1);
  const span = first && last ? Math.max(0, time(last) - time(first)) : 0;
  const remeasure = remeasureMs ?? 0;
  const total = span + remeasure;
  const counted = parts.measuring + parts.agent + parts.checks + remeasure;
  return { total, ...parts, remeasure, other: Math.max(0, total - counted) };
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, "0")} min`;
  if (m > 0) return `${m} min ${String(s).padStart(2, "0")} s`;
  return `${s} s`;
}

/** "Time and cost" of the final report: one account whose parts add up to the total. */
export function timeSection(ledger: Ledger, remeasureMs: number | null): string[] {
  const entries = ledger.entries;
  const account = timeAccount(entries, remeasureMs);
  const share = (ms: number) =>
    account.total > 0 ? `${Math.round((100 * ms) / account.total)}%` : "—";
  const row = (part: string, ms: number) => `| ${part} | ${formatDuration(ms)} | ${share(ms)} |`;
  const first = entries[0];
  const lines = ["## Time and cost", ""];
  if (first) {
    lines.push(
      `- **Total:** ${formatDuration(account.total)}, from ${first.at} (the first ledger event) to the end of ${remeasureMs === null ? "the last ledger event (no final re-measure)" : "the final re-measure"}.`,
      "",
      "| Part | Time | Share |",
      "|------|------|-------|",
      row("measuring: the baseline and every iteration's comparison", account.measuring),
      row("agent: planning, editing, reflecting", account.agent),
      row(
        "checks: protected files and scope, build and tests, deciding, committing",
        account.checks,
      ),
      ...(remeasureMs === null ? [] : [row("final re-measure", account.remeasure)]),
      row("the rest: profiling the best, between iterations and steps", account.other),
      "",
    );
  }
  const costs = ledger.ofType("cost");
  const usd = costs.reduce((a, c) => a + c.usd, 0);
  const tokens = costs.reduce((a, c) => a + c.tokens, 0);
  lines.push(
    costs.length
      ? `- **Cost:** $${usd.toFixed(2)} (${tokens.toLocaleString("en-US")} tokens, recorded over ${costs.length} iteration${costs.length === 1 ? "" : "s"})`
      : "- **Cost:** $0.00 (no model cost was recorded)",
    "",
  );
  return lines;
}
