import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";

/** Each reader reports what it cannot read as text ("unreadable", "not found"), never throws. */

interface TextResult {
  ok: boolean;
  missing: boolean;
  stdout: string;
  stderr: string;
}

function runText(
  file: string,
  args: string[],
  cwd?: string,
  timeoutMs = 5000,
): Promise<TextResult> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, timeout: timeoutMs }, (error, stdout, stderr) => {
      const missing = (error as NodeJS.ErrnoException | null)?.code === "ENOENT";
      resolve({ ok: !error, missing, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function readText(path: string): Promise<string | null> {
  return readFile(path, "utf8").then(
    (text) => text.trim(),
    () => null,
  );
}

/** Distinct scaling governors of all CPUs, e.g. "performance" or "powersave,performance". */
export async function readGovernor(): Promise<string> {
  const root = "/sys/devices/system/cpu";
  const cpus = (await readdir(root).catch(() => [])).filter((name) => /^cpu\d+$/.test(name));
  const values = await Promise.all(
    cpus.map((cpu) => readText(`${root}/${cpu}/cpufreq/scaling_governor`)),
  );
  const distinct = [...new Set(values.filter((v): v is string => !!v))];
  return distinct.length > 0 ? distinct.join(",") : "unreadable";
}

export interface CpuQuota {
  /** CPUs' worth of time per period the container may use; null when there is no quota. */
  cpus: number | null;
  text: string;
}

/** The cgroup CPU quota of this process: v2 `cpu.max`, else v1 `cpu.cfs_quota_us`. */
export async function readCpuQuota(): Promise<CpuQuota> {
  const own = await readText("/proc/self/cgroup");
  const v2Path = own?.match(/^0::(\/.*)$/m)?.[1] ?? "/";
  const v1Path = own?.match(/^\d+:[^:]*\bcpu\b[^:]*:(\/.*)$/m)?.[1] ?? "/";
  for (const dir of new Set([`/sys/fs/cgroup${v2Path}`, "/sys/fs/cgroup"])) {
    const max = await readText(`${dir}/cpu.max`);
    if (!max) continue;
    const [quota, period] = max.split(/\s+/);
    if (quota === "max") return { cpus: null, text: "none" };
    return quotaOf(Number(quota), Number(period), `cgroup v2 cpu.max ${max}`);
  }
  for (const mount of ["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"]) {
    for (const dir of new Set([`${mount}${v1Path}`, mount])) {
      const quota = await readText(`${dir}/cpu.cfs_quota_us`);
      const period = await readText(`${dir}/cpu.cfs_period_us`);
      if (quota === null || period === null) continue;
      if (Number(quota) < 0) return { cpus: null, text: "none" };
      return quotaOf(Number(quota), Number(period), `cgroup v1 cfs ${quota}/${period}`);
    }
  }
  return { cpus: null, text: "unreadable" };
}

function quotaOf(quota: number, period: number, source: string): CpuQuota {
  if (!(quota > 0 && period > 0)) return { cpus: null, text: `unreadable (${source})` };
  const cpus = quota / period;
  return { cpus, text: `${Number(cpus.toFixed(2))} CPUs (${source})` };
}

export interface BusyProcess {
  pid: number;
  cpuPercent: number;
  command: string;
}

/** The few processes using the most CPU, not counting this one (nor `ps` itself). */
export async function readTopProcesses(count = 5): Promise<BusyProcess[] | "unreadable"> {
  const args =
    process.platform === "darwin"
      ? ["-A", "-r", "-o", "pid,pcpu,comm"]
      : ["-eo", "pid,pcpu,comm", "--sort=-pcpu"];
  const result = await runText("ps", args);
  if (!result.ok) return "unreadable";
  const rows = result.stdout.split("\n").slice(1);
  const processes: BusyProcess[] = [];
  for (const row of rows) {
    const match = /^\s*(\d+)\s+([\d.]+)\s+(.+)$/.exec(row);
    if (!match) continue;
    const [pid, cpuPercent, command] = [Number(match[1]), Number(match[2]), String(match[3])];
    if (pid === process.pid || /(^|\/)ps$/.test(command)) continue;
    processes.push({ pid, cpuPercent, command });
  }
  return processes.sort((a, b) => b.cpuPercent - a.cpuPercent).slice(0, count);
}

export const RUNTIMES = {
  node: ["--version"],
  python3: ["--version"],
  java: ["-version"],
  go: ["version"],
  rustc: ["--version"],
  gcc: ["--version"],
} as const;
export type Runtime = keyof typeof RUNTIMES;

/** First line each runtime prints about its version (java prints it on stderr). */
export async function readRuntimeVersions(): Promise<Record<Runtime, string>> {
  const names = Object.keys(RUNTIMES) as Runtime[];
  const versions = await Promise.all(
    names.map(async (name) => {
      const result = await runText(name, [...RUNTIMES[name]]);
      if (result.missing) return "not found";
      const line = `${result.stdout}\n${result.stderr}`
        .split("\n")
        .map((l) => l.trim())
        .find((l) => l && !l.startsWith("Picked up")); // JAVA_TOOL_OPTIONS notice
      return result.ok && line ? line : `unreadable${line ? ` (${line})` : ""}`;
    }),
  );
  return Object.fromEntries(names.map((name, i) => [name, versions[i]])) as Record<Runtime, string>;
}

export type GitState =
  | { revision: string; dirty: boolean }
  | "not a git repository"
  | "git not found";

export async function readGit(cwd: string): Promise<GitState> {
  const head = await runText("git", ["rev-parse", "HEAD"], cwd);
  // ENOENT also means a missing cwd, so ask once more without one.
  if (head.missing && (await runText("git", ["--version"])).missing) return "git not found";
  if (!head.ok) return "not a git repository";
  const status = await runText("git", ["status", "--porcelain"], cwd);
  return { revision: head.stdout.trim(), dirty: !status.ok || status.stdout.trim() !== "" };
}
