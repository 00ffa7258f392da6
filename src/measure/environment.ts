import os from "node:os";
import {
  type BusyProcess,
  type CpuQuota,
  type GitState,
  type Runtime,
  readCpuQuota,
  readGit,
  readGovernor,
  readRuntimeVersions,
  readTopProcesses,
} from "./environment-readers.js";

export type { BusyProcess, CpuQuota, GitState, Runtime };

/** What the machine looked like when measuring started: to explain noisy or surprising numbers. */
export interface EnvironmentSnapshot {
  /** ISO 8601. */
  timestamp: string;
  /** e.g. "Linux"; `platform` is Node's name for it, e.g. "linux". */
  os: string;
  platform: NodeJS.Platform;
  kernel: string;
  arch: string;
  cpuModel: string;
  /** CPUs this process may run on. */
  cpuCount: number;
  totalMemoryBytes: number;
  /** 1, 5 and 15 minutes. */
  loadAverage: [number, number, number];
  /** Distinct CPU frequency governors, or "unreadable". */
  cpuGovernor: string;
  cpuQuota: CpuQuota;
  /** The top few by CPU, this process excluded; `ps` %CPU is averaged over each process's life. */
  topProcesses: BusyProcess[] | "unreadable";
  /** A version line, "not found" when not on PATH, or "unreadable (…)". */
  runtimes: Record<Runtime, string>;
  git: GitState;
}

export async function snapshotEnvironment(cwd: string): Promise<EnvironmentSnapshot> {
  const [cpuGovernor, cpuQuota, topProcesses, runtimes, git] = await Promise.all([
    readGovernor(),
    readCpuQuota(),
    readTopProcesses(),
    readRuntimeVersions(),
    readGit(cwd),
  ]);
  const [load1 = 0, load5 = 0, load15 = 0] = os.loadavg();
  return {
    timestamp: new Date().toISOString(),
    os: os.type(),
    platform: process.platform,
    kernel: os.release(),
    arch: os.arch(),
    cpuModel: os.cpus()[0]?.model.trim() || "unreadable",
    cpuCount: os.availableParallelism(),
    totalMemoryBytes: os.totalmem(),
    loadAverage: [load1, load5, load15],
    cpuGovernor,
    cpuQuota,
    topProcesses,
    runtimes,
    git,
  };
}

export function formatEnvironment(s: EnvironmentSnapshot): string {
  const processes =
    typeof s.topProcesses === "string"
      ? s.topProcesses
      : s.topProcesses.map((p) => `${p.command} (pid ${p.pid}) ${p.cpuPercent}%`).join(", ") ||
        "none";
  const git =
    typeof s.git === "string" ? s.git : `${s.git.revision}${s.git.dirty ? " (dirty)" : ""}`;
  const lines: [string, string][] = [
    ["timestamp", s.timestamp],
    ["os", `${s.os} (${s.platform})`],
    ["kernel", s.kernel],
    ["arch", s.arch],
    ["cpu", s.cpuModel],
    ["cpus", String(s.cpuCount)],
    ["memory", `${(s.totalMemoryBytes / 1024 ** 3).toFixed(1)} GiB`],
    ["load average", s.loadAverage.map((l) => l.toFixed(2)).join(" ")],
    ["cpu governor", s.cpuGovernor],
    ["cpu quota", s.cpuQuota.text],
    ["top processes", processes],
    ...Object.entries(s.runtimes).map(([name, version]): [string, string] => [name, version]),
    ["git", git],
  ];
  return lines.map(([key, value]) => `${key}: ${value}`).join("\n");
}

const BUSY_PERCENT = 20;

/** Likely causes of measurement noise visible in the snapshot, each a short sentence. */
export function noiseCauses(s: EnvironmentSnapshot, cpuCount = s.cpuCount): string[] {
  const causes: string[] = [];
  const load = s.loadAverage[0];
  if (load > 0.7 * cpuCount) {
    causes.push(
      `load average ${load.toFixed(2)} is high for ${cpuCount} CPUs: other work competes with the benchmark`,
    );
  }
  if (typeof s.topProcesses !== "string") {
    for (const p of s.topProcesses.filter((p) => p.cpuPercent > BUSY_PERCENT)) {
      causes.push(`busy process: ${p.command} (pid ${p.pid}) at ${p.cpuPercent}% CPU`);
    }
  }
  const governors = s.cpuGovernor.split(",");
  if (s.cpuGovernor !== "unreadable" && governors.some((g) => g !== "performance")) {
    causes.push(
      `CPU frequency governor is ${s.cpuGovernor}, not performance: clock speed follows the load`,
    );
  }
  if (s.cpuQuota.cpus !== null) {
    causes.push(`container CPU quota of ${s.cpuQuota.text}: the benchmark can be throttled`);
  }
  if (cpuCount <= 2) {
    causes.push(`only ${cpuCount} CPU(s): the benchmark shares them with the system and this tool`);
  }
  return causes;
}
