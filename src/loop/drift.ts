import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { FILES } from "../experiment/layout.js";
import { formatEnvironment, snapshotEnvironment } from "../measure/environment.js";

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
  if (load(after) > 0.7 * cpus && !(load(before) > 0.7 * cpus)) {
    drift.push(
      `load average rose to ${load(after).toFixed(2)} (baseline ${load(before).toFixed(2)}) on ${cpus} CPUs`,
    );
  }
  return drift;
}

/** What changed in the machine since the baseline was locked (nothing when no snapshot was kept). */
export async function driftSinceBaseline(experimentDir: string, root: string): Promise<string[]> {
  const path = join(experimentDir, FILES.baselineEnv);
  if (!existsSync(path)) return [];
  const now = formatEnvironment(await snapshotEnvironment(root));
  return environmentDrift(await readFile(path, "utf8"), now);
}
