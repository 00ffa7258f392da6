import { bareName } from "./changed-functions.js";
import type {
  AdapterResult,
  Frame,
  HotLine,
  Hotspot,
  Hotspots,
  Language,
  ProfileData,
} from "./types.js";

/** The line that stands for garbage collection in every profile. */
export const GC_NAME = "(garbage collector)";

const round = (x: number) => Math.round(x * 100) / 100;

/** How many hot lines each function keeps (hottest first). */
const LINES_PER_FUNCTION = 5;

/**
 * Hot spots of a profile: one line per function, sorted by self time, GC folded into one line.
 * A sampling profiler's percentages are shares of the samples (so a row's percentage and its
 * sample count always agree); a tracing profiler's are shares of its measured time.
 */
export function summarize(language: Language, result: AdapterResult, focus?: string): Hotspots {
  const { isGc } = result;
  const notes = [...result.notes];
  const focused = focus ? focusOn(result.data, focus) : null;
  if (focus && !focused) {
    notes.push(
      result.data.kind === "flat"
        ? `focus ${focus}: ${result.profiler} records no call stacks, so the percentages are of the whole run`
        : `focus ${focus}: no sample ran a function of that name, so the percentages are of all samples`,
    );
  }
  const data = focused?.data ?? result.data;
  const rows: ReturnType<typeof fromFlat> & { sampledLines?: Record<string, number[]> } =
    data.kind === "stacks" ? fromStacks(data, isGc) : fromFlat(data, isGc);
  if (rows.samples > 0 && rows.samples < 50 && data.kind === "stacks") {
    notes.push(
      `only ${rows.samples} samples: percentages are rough; a longer run gives a steadier picture`,
    );
  }
  return {
    language,
    profiler: result.profiler,
    samples: rows.samples,
    ...(result.intervalUs !== undefined && { intervalUs: result.intervalUs }),
    ...(focused && { focus: { name: focused.name, pctOfAll: focused.pctOfAll } }),
    inlinedShown: result.inlinedShown ?? true,
    hotspots: rows.hotspots,
    ...(rows.gcPct !== undefined && { gcPct: rows.gcPct }),
    ...(rows.sampledLines &&
      Object.keys(rows.sampledLines).length > 0 && { sampledLines: rows.sampledLines }),
    notes,
  };
}

/**
 * Only the samples that ran inside `name` (a frame of that name, or of that bare name, on the
 * stack): the profile of one region, setup left out. Null when none did, or the profile has no
 * stacks (a tracing profiler's totals cannot be split by caller).
 */
export function focusOn(
  data: ProfileData,
  name: string,
): { data: ProfileData; name: string; pctOfAll: number } | null {
  if (data.kind !== "stacks") return null;
  const matches = data.frames.map((f) => f.name === name || bareName(f.name) === name);
  const stacks = data.stacks.filter((s) => s.stack.some((i) => matches[i]));
  const all = data.stacks.reduce((a, s) => a + s.samples, 0);
  const kept = stacks.reduce((a, s) => a + s.samples, 0);
  if (kept === 0) return null;
  return { data: { ...data, stacks }, name, pctOfAll: round((100 * kept) / all) };
}

interface Totals {
  self: number;
  total: number;
  samples: number;
}

/** One key per function: the same function seen through different frames is merged. */
function keyOf(frame: Frame): string {
  return `${frame.name}\u0000${frame.file ?? ""}`;
}

function fromStacks(
  data: Extract<ProfileData, { kind: "stacks" }>,
  isGc: AdapterResult["isGc"],
): {
  hotspots: Hotspot[];
  samples: number;
  gcPct?: number;
  sampledLines: Record<string, number[]>;
} {
  const byKey = new Map<string, { frame: Frame; totals: Totals; lines: Map<number, number> }>();
  let samples = 0;
  let gc = 0;
  let gcSeen = false;
  const gcFrame: Frame = { name: GC_NAME, file: null, line: null };
  for (const { stack, samples: count, leafLines } of data.stacks) {
    if (stack.length === 0) continue;
    samples += count;
    const frames = stack.map((i) => data.frames[i] as Frame);
    const inGc = isGc ? frames.some(isGc) : false;
    if (inGc) {
      gc += count;
      gcSeen = true;
    }
    // A GC sample counts for the GC line alone (self) and for its callers (total).
    const counted = inGc ? [...frames.filter((f) => !isGc?.(f)), gcFrame] : frames;
    const seen = new Set<string>();
    counted.forEach((frame, index) => {
      const key = keyOf(frame);
      let entry = byKey.get(key);
      if (!entry) {
        entry = { frame, totals: { self: 0, total: 0, samples: 0 }, lines: new Map() };
        byKey.set(key, entry);
      }
      if (!seen.has(key)) {
        entry.totals.total += count;
        seen.add(key);
      }
      if (index === counted.length - 1) {
        entry.totals.self += count;
        entry.totals.samples += count;
        if (!inGc) for (const [line, n] of leafLines ?? []) addTo(entry.lines, line, n);
      }
    });
  }
  const hotspots = [...byKey.values()].map(({ frame, totals, lines }) => {
    const hotspot = toHotspot(frame, totals, samples);
    return lines.size > 0 ? { ...hotspot, lines: hotLines(lines, samples) } : hotspot;
  });
  return {
    hotspots: sortHotspots(hotspots),
    samples,
    sampledLines: linesByFile(byKey.values()),
    ...(gcSeen && samples > 0 && { gcPct: round((100 * gc) / samples) }),
  };
}

/** Every line with samples, by the file of the function they were counted under. */
function linesByFile(
  entries: Iterable<{ frame: Frame; lines: Map<number, number> }>,
): Record<string, number[]> {
  const byFile = new Map<string, Set<number>>();
  for (const { frame, lines } of entries) {
    if (!frame.file || lines.size === 0) continue;
    const set = byFile.get(frame.file) ?? new Set<number>();
    for (const line of lines.keys()) set.add(line);
    byFile.set(frame.file, set);
  }
  return Object.fromEntries(
    [...byFile.entries()].map(([file, set]) => [file, [...set].sort((a, b) => a - b)]),
  );
}

function addTo(map: Map<number, number>, key: number, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

/** The hottest lines of one function, as shares of all `samples`. */
function hotLines(lines: Map<number, number>, samples: number): HotLine[] {
  return [...lines.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, LINES_PER_FUNCTION)
    .map(([line, n]) => ({ line, selfPct: round((100 * n) / samples) }));
}

function fromFlat(
  data: Extract<ProfileData, { kind: "flat" }>,
  isGc: AdapterResult["isGc"],
): { hotspots: Hotspot[]; samples: number; gcPct?: number } {
  const byKey = new Map<string, { frame: Frame; totals: Totals }>();
  let samples = 0;
  let gc = 0;
  let gcSeen = false;
  for (const entry of data.entries) {
    const original = data.frames[entry.frame] as Frame;
    const inGc = isGc?.(original) ?? false;
    const frame = inGc ? { name: GC_NAME, file: null, line: null } : original;
    if (inGc) {
      gc += entry.self;
      gcSeen = true;
    }
    samples += entry.count;
    const key = keyOf(frame);
    const existing = byKey.get(key);
    if (existing) {
      existing.totals.self += entry.self;
      existing.totals.total = Math.max(existing.totals.total, entry.total);
      existing.totals.samples += entry.count;
    } else {
      byKey.set(key, {
        frame,
        totals: { self: entry.self, total: entry.total, samples: entry.count },
      });
    }
  }
  const all = data.totalWeight;
  const hotspots = [...byKey.values()].map(({ frame, totals }) => toHotspot(frame, totals, all));
  return {
    hotspots: sortHotspots(hotspots),
    samples,
    ...(gcSeen && all > 0 && { gcPct: round((100 * gc) / all) }),
  };
}

function toHotspot(frame: Frame, totals: Totals, all: number): Hotspot {
  return {
    name: frame.name,
    file: frame.file,
    line: frame.line,
    selfPct: all > 0 ? round((100 * totals.self) / all) : 0,
    totalPct: all > 0 ? round((100 * Math.min(totals.total, all)) / all) : 0,
    samples: totals.samples,
  };
}

/** Self time first, then total time, then name: the same profile always prints the same way. */
export function sortHotspots(hotspots: Hotspot[]): Hotspot[] {
  return hotspots.sort(
    (a, b) => b.selfPct - a.selfPct || b.totalPct - a.totalPct || a.name.localeCompare(b.name),
  );
}
