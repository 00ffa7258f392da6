import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { FILES } from "../experiment/layout.js";
import { formatEnvironment, snapshotEnvironment } from "../measure/environment.js";
import { formatMeasured } from "../measure/format-number.js";

/** Keys of the environment snapshot that change on every run and say nothing about drift. */
const VOLATILE = new Set(["timestamp", "load average", "top processes", "git", "memory"]);

function parse(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split("\n")) {
    const at = line.indexOf(": ");
    if (at > 0) entries.set(line.slice(0, at).trim(), line.slice(at + 2).trim());
  }
  return entries;
}

/** What changed in the machine since the baseline's snapshot (both as formatEnvironment text). */
export function environmentDrift(baseline: string, current: string): string[] {
  const before = parse(baseline);
  const after = parse(current);
  const drift: string[] = [];
  for (const [key, value] of after) {
    if (VOLATILE.has(key)) continue;
    const old = before.get(key);
    if (old !== undefined && old !== value) drift.push(`${key}: ${old} → ${value}`);
  }
  const load = (m: Map<string, string>) => Number((m.get("load average") ?? "").split(" ")[0]);
  const cpus = Number(after.get("cpus") ?? "1");
  const [was, now] = [load(before), load(after)];
  const busy = now > 0.7 * cpus && !(was > 0.7 * cpus);
  // Load that grew by half and by half a CPU or more slows a benchmark even below saturation.
  const grew = now >= 1.5 * was && now - was >= 0.5;
  if (busy || grew) {
    drift.push(
      `load average rose to ${now.toFixed(2)} (baseline ${was.toFixed(2)}) on ${cpus} CPUs`,
    );
  }
  return drift;
}

/** How far the best's own median may move between two runs before it is called drift. */
export const BEST_DRIFT = 0.1;

/**
 * Drift seen in what was measured: the best's median in this comparison against its median when
 * it was last measured (the locked baseline, or the comparison that kept it). The same code ran
 * both times, so a difference past 10% is the machine, not the code — and medians of different
 * runs (the candidate's against the locked baseline) are not comparable.
 */
export function measuredDrift(
  best: { label: string; before: number; now: number | null },
  metric: { name: string; direction: "lower" | "higher" },
): string[] {
  if (best.now === null || !(best.before > 0) || !Number.isFinite(best.now)) return [];
  const change = best.now / best.before - 1;
  if (Math.abs(change) <= BEST_DRIFT) return [];
  const signed = `${change >= 0 ? "+" : ""}${(100 * change).toFixed(1)}%`;
  return [
    `the best (${best.label}) measured ${formatMeasured(best.now)} ${metric.name} in this comparison against ${formatMeasured(best.before)} when it was last measured (${signed}): the same code did ${(change > 0) === (metric.direction === "lower") ? "worse" : "better"}, so the machine changed (load, other work, clock); compare medians within one comparison only`,
  ];
}

/**
 * An iteration's environment drift: the machine since the baseline's snapshot, and the best's
 * own median in the iteration's comparison against its last measurement.
 */
export async function iterationDrift(
  experimentDir: string,
  root: string,
  metric: { name: string; direction: "lower" | "higher" },
  best: { iteration: number | null; value: number },
  bestNow: number | null,
): Promise<string[]> {
  const label = best.iteration === null ? "the baseline" : `iteration ${best.iteration}`;
  const measured = measuredDrift({ label, before: best.value, now: bestNow }, metric);
  return [...(await driftSinceBaseline(experimentDir, root)), ...measured];
}

/** What changed in the machine since the baseline was locked (nothing when no snapshot was kept). */
export async function driftSinceBaseline(experimentDir: string, root: string): Promise<string[]> {
  const path = join(experimentDir, FILES.baselineEnv);
  if (!existsSync(path)) return [];
  const now = formatEnvironment(await snapshotEnvironment(root));
  return environmentDrift(await readFile(path, "utf8"), now);
}
