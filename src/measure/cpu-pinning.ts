import { execFile } from "node:child_process";

/** Whether A's and B's runs are pinned to one CPU set, and to which, or why not. */
export type CpuPinning = { pinned: true; cpus: string } | { pinned: false; note: string };

let detected: Promise<CpuPinning> | null = null;

/**
 * Probes once per process whether util-linux `taskset` is there and may set this machine's
 * affinity (a container may forbid it): it pins a trivial command to the last CPU this process may
 * use, which is then the set both arms run on.
 */
export function detectCpuPinning(): Promise<CpuPinning> {
  detected ??= probe();
  return detected;
}

function probe(): Promise<CpuPinning> {
  return new Promise((resolve) => {
    execFile("taskset", ["-cp", String(process.pid)], { timeout: 5000 }, (error, stdout) => {
      const cpus = error ? null : lastAllowedCpu(stdout);
      if (cpus === null) {
        resolve({ pinned: false, note: "not pinned: util-linux taskset is not available here" });
        return;
      }
      execFile("taskset", ["-c", cpus, "true"], { timeout: 5000 }, (denied) => {
        resolve(
          denied
            ? {
                pinned: false,
                note: `not pinned: taskset may not set the affinity here (${denied.message.trim()})`,
              }
            : { pinned: true, cpus },
        );
      });
    });
  });
}

/** The highest CPU of `taskset -cp`'s "pid N's current affinity list: 0-3,6". */
export function lastAllowedCpu(output: string): string | null {
  const list = output.split(":").pop()?.trim();
  if (!list || !/^[\d,\s-]+$/.test(list)) return null;
  const numbers = list.split(/[,-]/).map((n) => Number(n.trim()));
  return numbers.length > 0 ? String(Math.max(...numbers)) : null;
}

/** The program and arguments that run `file args` on `cpus`. */
export function pinnedCommand(
  cpus: string,
  file: string,
  args: readonly string[],
): [string, string[]] {
  return ["taskset", ["-c", cpus, file, ...args]];
}
