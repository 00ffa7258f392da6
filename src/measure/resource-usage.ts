import { execFile } from "node:child_process";
import { constants } from "node:os";

/** How CPU time and peak memory are obtained: through a `time` binary wrapped around the shell. */
export type TimeTool =
  | { kind: "gnu"; path: string }
  | { kind: "bsd"; path: string }
  | { kind: "none"; note: string };

export interface ResourceUsage {
  userMs: number | null;
  sysMs: number | null;
  peakRssKb: number | null;
  /** GNU time survives a signal that kills the command and reports it instead of dying. */
  signal: string | null;
}

export const NO_USAGE: ResourceUsage = { userMs: null, sysMs: null, peakRssKb: null, signal: null };

const DEFAULT_TIME = "/usr/bin/time";
const GNU_FORMAT = "auto-optimize-usage user=%U sys=%S maxrss=%M";
const detected = new Map<string, Promise<TimeTool>>();

/** Probes `path` once per process: GNU time answers `--version`, BSD time rejects it. */
export function detectTimeTool(path = DEFAULT_TIME): Promise<TimeTool> {
  let tool = detected.get(path);
  if (!tool) {
    tool = probe(path);
    detected.set(path, tool);
  }
  return tool;
}

function probe(path: string): Promise<TimeTool> {
  const none: TimeTool = {
    kind: "none",
    note: `peak memory and CPU time unavailable: GNU time (${path}) not found — install the 'time' package`,
  };
  return new Promise((resolve) => {
    execFile(path, ["--version"], { timeout: 5000 }, (error, stdout, stderr) => {
      if (`${stdout}${stderr}`.includes("GNU")) resolve({ kind: "gnu", path });
      else if ((error as NodeJS.ErrnoException | null)?.code === "ENOENT") resolve(none);
      else if (/darwin|bsd/.test(process.platform)) resolve({ kind: "bsd", path });
      else resolve(none);
    });
  });
}

/** The program and arguments that run `program` (a shell running the command) under `tool`. */
export function wrapCommand(
  tool: TimeTool,
  program: readonly string[],
  usageFile: string | null,
): [string, string[]] {
  const shell = [...program];
  if (tool.kind === "gnu" && usageFile) {
    // -o keeps GNU time's report out of the command's stderr.
    return [tool.path, ["-f", GNU_FORMAT, "-o", usageFile, ...shell]];
  }
  if (tool.kind === "bsd") return [tool.path, ["-l", ...shell]];
  return [shell[0] as string, shell.slice(1)];
}

/**
 * Reads GNU time's -o file. Lines such as "Command exited with non-zero status 3" or
 * "Command terminated by signal 9" may precede the format line, so each is searched for.
 */
export function parseGnuTime(report: string): ResourceUsage {
  const line = /auto-optimize-usage user=([\d.]+) sys=([\d.]+) maxrss=(\d+)/.exec(report);
  const killed = /Command terminated by signal (\d+)/.exec(report);
  return {
    userMs: line ? Math.round(Number(line[1]) * 1000) : null,
    sysMs: line ? Math.round(Number(line[2]) * 1000) : null,
    peakRssKb: line ? Number(line[3]) : null, // %M is already KiB
    signal: killed ? signalName(Number(killed[1])) : null,
  };
}

function signalName(signo: number): string {
  const entry = Object.entries(constants.signals).find(([, n]) => n === signo);
  return entry ? entry[0] : `signal ${signo}`;
}

// --- BSD time (macOS, FreeBSD). Not exercised by the tests, which run on Linux. ---

const BSD_SUMMARY = /^[ \t]*([\d.]+) real[ \t]+([\d.]+) user[ \t]+([\d.]+) sys[ \t]*$/gm;

/**
 * `time -l` appends its report to the command's stderr: "0.01 real 0.00 user 0.00 sys" and then
 * lines of "<number>  <label>". Parses the last such report in `tail` (the end of stderr) and
 * removes it from `stderr` when it is there.
 */
export function parseBsdTime(
  stderr: string,
  tail: string,
  platform: NodeJS.Platform = process.platform,
): { usage: ResourceUsage; stderr: string } {
  const summary = [...tail.matchAll(BSD_SUMMARY)].at(-1);
  if (!summary) return { usage: NO_USAGE, stderr };
  const block = tail.slice(summary.index);
  const rss = /^\s*(\d+)\s+maximum resident set size/m.exec(block);
  const rssValue = rss ? Number(rss[1]) : null;
  const usage: ResourceUsage = {
    userMs: Math.round(Number(summary[2]) * 1000),
    sysMs: Math.round(Number(summary[3]) * 1000),
    // macOS reports bytes, the BSDs KiB.
    peakRssKb:
      rssValue === null ? null : platform === "darwin" ? Math.round(rssValue / 1024) : rssValue,
    signal: null,
  };
  return { usage, stderr: stderr.endsWith(block) ? stderr.slice(0, -block.length) : stderr };
}
