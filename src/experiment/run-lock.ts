import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";
import { UsageError } from "../errors.js";
import { parseJson } from "../parse-json.js";

/** .git/auto-optimize/<experiment>.run: the process that works on the experiment now. */
export function runMarkerPath(gitDir: string, name: string): string {
  return join(gitDir, "auto-optimize", `${name}.run`);
}

const RunMarker = z.object({
  pid: z.number().int(),
  host: z.string().optional(),
  startedAt: z.string().optional(),
});
export type RunMarker = z.infer<typeof RunMarker>;

/** A run marker's text validated; `fileName` names it in the error. */
export function parseRunMarker(text: string, fileName: string): RunMarker {
  return parseJson(
    text,
    RunMarker,
    (problem) =>
      new UsageError(
        "bad-run-marker",
        `${fileName} ${problem}: it marks a process working on the experiment; delete it when none does.`,
      ),
  );
}

/** Holds of this process, by marker path: the loop, a host step and the report nest. */
const held = new Map<string, number>();

/**
 * Takes the experiment's run lock: one process at a time runs the loop, a host step, the baseline
 * or the report on an experiment. The marker is created exclusively (never check-then-write), so
 * of two processes starting together one wins and the other is told who holds it. A marker whose
 * process is dead (a kill -9) is taken over. Within one process the lock nests. Returns the
 * release (call it in a finally).
 */
export function acquireRunLock(gitDir: string, name: string): () => void {
  const path = runMarkerPath(gitDir, name);
  const holds = held.get(path) ?? 0;
  if (holds === 0) createMarker(path, name);
  held.set(path, holds + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (held.get(path) ?? 1) - 1;
    if (left > 0) {
      held.set(path, left);
      return;
    }
    held.delete(path);
    if (readMarker(path)?.pid === process.pid) rmSync(path, { force: true });
  };
}

function createMarker(path: string, name: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const marker: RunMarker = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, "wx");
      try {
        writeSync(fd, `${JSON.stringify(marker)}\n`);
      } finally {
        closeSync(fd);
      }
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readMarker(path);
    if (attempt > 0 || (holder && markerAlive(holder))) {
      const who = holder
        ? ` (pid ${holder.pid}${holder.startedAt ? `, since ${holder.startedAt}` : ""})`
        : "";
      throw new UsageError(
        "already-running",
        `${name} is being worked on by another process${who}: auto-optimize run, a step or a report. Wait for it to finish or stop it first.`,
      );
    }
    // Left by a process that is gone: take it over.
    rmSync(path, { force: true });
  }
}

/** The marker, or null when there is none or it is unreadable: a write torn by a kill marks nothing. */
function readMarker(path: string): RunMarker | null {
  try {
    return parseRunMarker(readFileSync(path, "utf8"), path);
  } catch {
    return null;
  }
}

function markerAlive(marker: RunMarker): boolean {
  // Another machine's process (a shared file system) cannot be checked: trust its mark.
  if (marker.host !== undefined && marker.host !== hostname()) return true;
  try {
    process.kill(marker.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** True when the run marker of `name` names a live process. */
export function isRunning(gitDir: string, name: string): boolean {
  const marker = readMarker(runMarkerPath(gitDir, name));
  return marker !== null && markerAlive(marker);
}
