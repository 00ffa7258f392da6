import type { FileGroup, Hotspot, Hotspots } from "./types.js";

/** How many functions get their hot lines shown, and how many lines each. */
const LINE_FUNCTIONS = 3;
const LINES_SHOWN = 3;

const GROUP_TITLES: Record<FileGroup, string> = {
  scope: "in the scope (the files you may change)",
  benchmark: "in the benchmark's own files (protected: setup and measurement, not optimizable)",
  other: "elsewhere (runtime, libraries, the system)",
};

/**
 * The hot spots as a fixed-width table sorted by self time — in groups, the scope's files first,
 * when the hot spots are grouped — then the self time by file, the hottest lines of the top
 * functions with their source, and the notes.
 */
export function formatHotspots(profile: Hotspots, top = 20): string {
  const grouped = profile.hotspots.some((h) => h.group !== undefined);
  // The scope's group gets `top` rows; the others, which the planner cannot change, a quarter.
  const groups: { title: string | null; rows: Hotspot[]; limit: number }[] = grouped
    ? (["scope", "benchmark", "other"] as const).map((group) => ({
        title: GROUP_TITLES[group],
        rows: profile.hotspots.filter((h) => (h.group ?? "other") === group),
        limit: group === "scope" ? top : Math.max(3, Math.ceil(top / 4)),
      }))
    : [{ title: null, rows: profile.hotspots, limit: top }];
  const shownRows = groups.flatMap((g) => g.rows.slice(0, g.limit));
  const header = ["self %", "total %", "samples", "function", "where"];
  const cellsOf = (h: Hotspot) => [
    h.selfPct.toFixed(1),
    h.totalPct.toFixed(1),
    String(h.samples),
    h.name,
    where(h),
  ];
  const all = shownRows.map(cellsOf);
  const widths = header.map((title, i) =>
    Math.min(
      i === 3 ? 60 : 200,
      Math.max(title.length, ...all.map((c) => (c[i] as string).length)),
    ),
  );
  const clip = (text: string, width: number) =>
    text.length > width ? `${text.slice(0, width - 1)}…` : text;
  const line = (c: string[]) =>
    c
      .map((text, i) => {
        const width = widths[i] as number;
        return i < 3 ? text.padStart(width) : clip(text, width).padEnd(width);
      })
      .join("  ")
      .trimEnd();
  const out = [headline(profile), line(header)];
  for (const group of groups) {
    if (group.title !== null) {
      if (group.rows.length === 0) continue;
      const self = group.rows.reduce((a, h) => a + h.selfPct, 0);
      out.push(`— ${group.title}: ${self.toFixed(1)}% self`);
    }
    out.push(...group.rows.slice(0, group.limit).map((h) => line(cellsOf(h))));
    if (group.rows.length > group.limit) {
      out.push(`… ${group.rows.length - group.limit} more functions`);
    }
  }
  const files = byFile(profile.hotspots);
  if (files.length > 1) {
    out.push(
      `self time by file: ${files
        .slice(0, 6)
        .map(([file, pct]) => `${file} ${pct.toFixed(1)}%`)
        .join(", ")}`,
    );
  }
  out.push(...hotLines(shownRows));
  for (const note of profile.notes) out.push(`note: ${note}`);
  return `${out.join("\n")}\n`;
}

function headline(profile: Hotspots): string {
  const tracing = profile.profiler === "cProfile" || profile.profiler === "callgrind";
  const every = profile.intervalUs !== undefined ? ` every ${interval(profile.intervalUs)}` : "";
  const focus = profile.focus
    ? `, within ${profile.focus.name} (${profile.focus.pctOfAll.toFixed(1)}% of all samples; percentages are shares of its samples)`
    : "";
  const gc = profile.gcPct !== undefined ? `, garbage collection ${profile.gcPct.toFixed(1)}%` : "";
  return `${profile.language} profile by ${profile.profiler}: ${profile.samples} ${tracing ? "calls" : "samples"}${every}${focus}${gc}`;
}

function interval(us: number): string {
  return us >= 1000 ? `${Number((us / 1000).toFixed(2))} ms` : `${Math.round(us)} µs`;
}

function where(h: Hotspot): string {
  return h.file ? `${h.file}${h.line ? `:${h.line}` : ""}` : "";
}

/** Self time per file, highest first (functions without a file left out). */
function byFile(hotspots: Hotspot[]): [string, number][] {
  const totals = new Map<string, number>();
  for (const h of hotspots) {
    if (!h.file || h.selfPct <= 0) continue;
    totals.set(h.file, (totals.get(h.file) ?? 0) + h.selfPct);
  }
  return [...totals.entries()].sort((a, b) => b[1] - a[1]);
}

/** The hottest lines of the first functions (in the order shown) that have lines. */
function hotLines(rows: Hotspot[]): string[] {
  const withLines = rows.filter((h) => h.lines?.length && h.file).slice(0, LINE_FUNCTIONS);
  if (withLines.length === 0) return [];
  const out = ["hot lines (share of all samples):"];
  for (const h of withLines) {
    out.push(`  ${h.name} (${where(h)})`);
    for (const l of (h.lines ?? []).slice(0, LINES_SHOWN)) {
      const at = `${h.file}:${l.line}`;
      out.push(`    ${l.selfPct.toFixed(1).padStart(5)}%  ${at}${l.source ? `  ${l.source}` : ""}`);
    }
  }
  return out;
}
