import { copyFile, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { AutoOptimizeError } from "../errors.js";
import { writeRedacted } from "../redact.js";
import type { BestProfile } from "./best-profile.js";
import { bareName, type ChangedFunction, changedFunctions } from "./changed-functions.js";
import { disassemble, formatDisassembly } from "./disasm/index.js";
import { type FileGroups, groupHotspots } from "./file-groups.js";
import { profileCommand } from "./profile.js";
import { GC_NAME } from "./summarize.js";
import { formatHotspots } from "./table.js";
import type { Hotspot, Hotspots, Language } from "./types.js";

export type { BestProfile };

export const SNAPSHOT_FILES = {
  table: "profile-snapshot.txt",
  speedscope: "profile.speedscope.json",
  disasm: "disasm-snapshot.txt",
} as const;

export interface SnapshotInput {
  cwd: string;
  command: string;
  env?: Record<string, string>;
  outDir: string;
  top?: number;
  timeoutMs: number;
  /** Where the reason goes when no profile could be made (default: stderr). */
  log?: (message: string) => void;
  /** The scope's and the protected files: the table shows them apart, the scope's first. */
  groups?: FileGroups;
  /** Percentages as shares of the samples inside this function (`profiling.focus`). */
  focus?: string;
}

export interface ProfileSnapshot {
  table: string;
  hotspots: Hotspot[];
  profile: Hotspots;
}

/**
 * Profiles the benchmark command once in `cwd` and writes profile-snapshot.txt (the table) and
 * profile.speedscope.json into `outDir`. Null, with the reason logged (and written in
 * profile-snapshot.txt), when no profiler applies or the run failed: the loop goes on without it.
 */
export async function profileSnapshot(input: SnapshotInput): Promise<ProfileSnapshot | null> {
  await mkdir(input.outDir, { recursive: true });
  try {
    const outcome = await profileCommand({
      command: input.command,
      cwd: input.cwd,
      env: input.env,
      timeoutMs: input.timeoutMs,
      focus: input.focus,
    });
    if (input.groups) {
      outcome.hotspots.hotspots = groupHotspots(outcome.hotspots.hotspots, input.groups);
    }
    const table = formatHotspots(outcome.hotspots, input.top ?? 20);
    await writeRedacted(join(input.outDir, SNAPSHOT_FILES.table), table);
    await writeRedacted(
      join(input.outDir, SNAPSHOT_FILES.speedscope),
      `${JSON.stringify(outcome.speedscope)}\n`,
    );
    return { table, hotspots: outcome.hotspots.hotspots, profile: outcome.hotspots };
  } catch (error) {
    if (!(error instanceof AutoOptimizeError)) throw error;
    const reason = `no profile of the benchmark: ${error.message}`;
    const firstLine = reason.split("\n")[0] as string;
    (input.log ?? ((m: string) => process.stderr.write(`${m}\n`)))(
      firstLine === reason ? reason : `${firstLine} (more in ${SNAPSHOT_FILES.table})`,
    );
    await writeRedacted(join(input.outDir, SNAPSHOT_FILES.table), `${reason}\n`);
    return null;
  }
}

/** Copies the snapshot files that exist in `from` into `to` (the iteration's folder). */
export async function copySnapshot(from: string, to: string): Promise<void> {
  for (const name of Object.values(SNAPSHOT_FILES)) {
    await copyFile(join(from, name), join(to, name)).catch(() => undefined);
  }
}

/**
 * Functions a unified diff changes that have no samples in the profile: "the benchmark does not
 * run this code". Functions the diff adds are left out (the profile, made before the change,
 * cannot know them), and so are those it deletes (gone, whether they ran or not). A function the
 * compiler inlined counts as run when the profiler shows inlined code under its own name (Python,
 * the JVM, Go, perf with debug information) or when one of its lines the diff shows has samples
 * under its caller's name (V8 counts inlined code so). Each is given as `file: name`.
 */
export function functionsWithoutSamples(
  diff: string,
  profile: { hotspots: Hotspot[]; sampledLines?: Record<string, number[]> } | null,
): string[] {
  if (!profile || profile.hotspots.length === 0) return [];
  const sampled = new Set(
    profile.hotspots.filter((h) => h.totalPct > 0 || h.samples > 0).map((h) => bareName(h.name)),
  );
  const linesRan = (f: ChangedFunction) => {
    const lines = Object.entries(profile.sampledLines ?? {})
      .filter(([file]) => file === f.file || file.endsWith(`/${f.file}`))
      .flatMap(([, numbers]) => numbers);
    return f.oldLines.some((line) => lines.includes(line));
  };
  return changedFunctions(diff)
    .filter((f) => !f.added && !f.deleted && !sampled.has(f.name) && !linesRan(f))
    .map((f) => `${f.file}: ${f.name}`);
}

export interface DisasmSnapshotInput {
  cwd: string;
  command: string;
  env?: Record<string, string>;
  outDir: string;
  hotspots: Hotspot[];
  timeoutMs: number;
  language?: Language;
}

/**
 * disasm-snapshot.txt for the hottest function of the project's own code (best effort): the
 * findings and the listing, or a note saying why there is none. Returns what was written.
 */
export async function disasmSnapshot(input: DisasmSnapshotInput): Promise<string> {
  const target = input.hotspots.find(
    (h) =>
      h.name !== GC_NAME &&
      h.selfPct > 0 &&
      h.file !== null &&
      !/^(node:|\/usr\/|\[)/.test(h.file) &&
      !h.file.startsWith("/"),
  );
  let text: string;
  if (!target) {
    text = "no disassembly: the profile names no hot function in the project's own code\n";
  } else {
    try {
      const result = await disassemble({
        symbol: target.name,
        command: input.command,
        cwd: input.cwd,
        env: input.env,
        timeoutMs: input.timeoutMs,
        language: input.language,
        file: target.file,
      });
      text = formatDisassembly(result);
    } catch (error) {
      if (!(error instanceof AutoOptimizeError)) throw error;
      text = `no disassembly of ${target.name}: ${error.message}\n`;
    }
  }
  await mkdir(input.outDir, { recursive: true });
  await writeRedacted(join(input.outDir, SNAPSHOT_FILES.disasm), text);
  return text;
}

/**
 * Profiles the best before planning (fresh staging folder), and disassembles its hottest function
 * too when `disasm` is set (the loop asks after two iterations in a row without a keep).
 */
export async function profileBest(
  input: Omit<SnapshotInput, "outDir"> & { dir: string; disasm: boolean },
): Promise<BestProfile> {
  await rm(input.dir, { recursive: true, force: true });
  const snapshot = await profileSnapshot({ ...input, outDir: input.dir });
  const run = {
    cwd: input.cwd,
    command: input.command,
    env: input.env,
    timeoutMs: input.timeoutMs,
  };
  const best: BestProfile = {
    dir: input.dir,
    snapshot,
    run,
    disassembled: false,
    hotspots: snapshot?.table ?? null,
  };
  if (snapshot && input.disasm) await addDisassembly(best, input.dir);
  return best;
}

/**
 * Puts the staged snapshot into the iteration's folder; when the plan asks for disassembly and
 * none was made, makes disasm-snapshot.txt there. Returns the hot-spot text for the executor.
 */
export async function snapshotIntoIteration(
  best: BestProfile | null | undefined,
  folder: string,
  planWantsDisassembly: boolean,
): Promise<string | null> {
  if (!best) return null;
  await copySnapshot(best.dir, folder);
  if (planWantsDisassembly && best.snapshot && !best.disassembled) {
    await addDisassembly(best, folder);
  }
  return best.hotspots;
}

async function addDisassembly(best: BestProfile, outDir: string): Promise<void> {
  const text = await disasmSnapshot({
    ...best.run,
    outDir,
    hotspots: best.snapshot?.hotspots ?? [],
    language: best.snapshot?.profile.language,
  });
  best.disassembled = true;
  const findings = text.split("\n\n").slice(0, 2).join("\n");
  best.hotspots = `${best.hotspots ?? ""}\ndisassembly (disasm-snapshot.txt):\n${findings.trim()}\n`;
}

/** Whether a plan's structured data asks for disassembly (`needsDisassembly: true`). */
export function wantsDisassembly(planData: unknown): boolean {
  return (
    typeof planData === "object" &&
    planData !== null &&
    (planData as { needsDisassembly?: unknown }).needsDisassembly === true
  );
}
