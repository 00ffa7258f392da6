import type { Hotspots } from "./types.js";

/** The hot spots as a fixed-width table, sorted by self time, with the notes below it. */
export function formatHotspots(profile: Hotspots, top = 20): string {
  const rows = profile.hotspots.slice(0, top);
  const header = ["self %", "total %", "samples", "function", "where"];
  const cells = rows.map((h) => [
    h.selfPct.toFixed(1),
    h.totalPct.toFixed(1),
    String(h.samples),
    h.name,
    h.file ? `${h.file}${h.line ? `:${h.line}` : ""}` : "",
  ]);
  const widths = header.map((title, i) =>
    Math.min(
      i === 3 ? 60 : 200,
      Math.max(title.length, ...cells.map((c) => (c[i] as string).length)),
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
  const out = [
    `${profile.language} profile by ${profile.profiler}: ${profile.samples} ${profile.profiler === "cProfile" || profile.profiler === "callgrind" ? "calls" : "samples"}${profile.gcPct !== undefined ? `, garbage collection ${profile.gcPct.toFixed(1)}%` : ""}`,
    line(header),
    ...cells.map(line),
  ];
  if (profile.hotspots.length > rows.length) {
    out.push(`… ${profile.hotspots.length - rows.length} more functions`);
  }
  for (const note of profile.notes) out.push(`note: ${note}`);
  return `${out.join("\n")}\n`;
}
