import { constants } from "node:fs";
import { access, readdir } from "node:fs/promises";
import { delimiter, isAbsolute, join } from "node:path";
import { commandEnvironment } from "../command-env.js";
import { type ProcessRun, runProcess } from "../measure/run-process.js";
import { ProfileError } from "./types.js";

const MAX_OUTPUT = 64 * 1024 * 1024;

/** The absolute path of an executable on PATH (or the given path when executable), else null. */
export async function which(name: string, path = process.env.PATH ?? ""): Promise<string | null> {
  const candidates = name.includes("/")
    ? [name]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return isAbsolute(candidate) ? candidate : join(process.cwd(), candidate);
    } catch {}
  }
  return null;
}

export interface ToolRun {
  ok: boolean;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  wallMs: number;
  /** Why it did not start, when it did not. */
  spawnError: string | null;
}

export interface ToolOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  timeoutMs: number;
}

/** Runs a program (never through a shell) in its own process group; failures are returned. */
export async function runTool(file: string, args: string[], opts: ToolOptions): Promise<ToolRun> {
  const run: ProcessRun = await runProcess(file, args, {
    cwd: opts.cwd,
    env: commandEnvironment(opts.env),
    timeoutMs: opts.timeoutMs,
    maxOutputBytes: MAX_OUTPUT,
  });
  return {
    ok: !run.spawnError && !run.timedOut && run.exitCode === 0,
    exitCode: run.exitCode,
    signal: run.signal,
    stdout: run.stdout.text(),
    stderr: run.stderr.text(),
    timedOut: run.timedOut,
    wallMs: run.wallMs,
    spawnError: run.spawnError?.message ?? null,
  };
}

/** "exited with code 3; last lines of stderr: …", for messages about a failed run. */
export function describeFailure(run: ToolRun, timeoutMs: number): string {
  if (run.spawnError) return `could not start: ${run.spawnError}`;
  if (run.timedOut) return `timed out after ${Math.round(timeoutMs / 1000)} s`;
  const how = run.signal ? `was killed by ${run.signal}` : `exited with code ${run.exitCode}`;
  const tail = run.stderr.trimEnd().split("\n").slice(-8).join("\n");
  return tail ? `${how}; last lines of stderr:\n${tail}` : how;
}

/** Stops the profile when the profiled command itself failed: its profile would be partial. */
export function requireProfiledSuccess(
  run: ToolRun,
  timeoutMs: number,
  tried: string[],
  under = "while being profiled",
): void {
  if (run.ok) return;
  throw new ProfileError(
    "profiled-command-failed",
    `the command failed ${under}: it ${describeFailure(run, timeoutMs)}`,
    tried,
  );
}

/** The profiles (files ending in `extension`) a profiled run left in `dir`; none is an error. */
export async function writtenProfiles(
  dir: string,
  extension: string,
  tried: string[],
  noneWritten: string,
): Promise<string[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) =>
    f.endsWith(extension),
  );
  if (files.length === 0) throw new ProfileError("no-profile", noneWritten, tried);
  return files;
}
