import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Whether a program is on PATH (tests that need it are skipped, with its name, when not). */
export function has(program: string): boolean {
  return spawnSync("/bin/sh", ["-c", `command -v ${program}`]).status === 0;
}

/** The path of a program on PATH. */
export function whichSync(program: string): string {
  return spawnSync("/bin/sh", ["-c", `command -v ${program}`], { encoding: "utf8" }).stdout.trim();
}

/** Whether `perf record` works here (perf_event_paranoid, containers without perf events). */
export function perfWorks(): boolean {
  if (!has("perf")) return false;
  const dir = mkdtempSync(join(tmpdir(), "perf-probe-"));
  return (
    spawnSync("perf", ["record", "-e", "cpu-clock", "-o", join(dir, "p.data"), "--", "true"], {
      stdio: "ignore",
    }).status === 0
  );
}

export const TARGETS = fileURLToPath(new URL("../../examples/profile-targets/", import.meta.url));

/** A private copy of one planted-hotspot program (compilers write next to it). */
export function copyTarget(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `profile-target-${name}-`));
  cpSync(join(TARGETS, name), dir, { recursive: true });
  return dir;
}

/** Runs a build step of a test; throws with its output when it fails. */
export function build(file: string, args: string[], cwd: string): void {
  const run = spawnSync(file, args, { cwd, encoding: "utf8" });
  if (run.status !== 0)
    throw new Error(`${file} ${args.join(" ")} failed:\n${run.stderr}${run.stdout}`);
}
