import { mkdir, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parseCallgrind } from "../parsers/callgrind.js";
import { type PerfFrame, parseNmLines, parsePerfScript } from "../parsers/perf-script.js";
import { display } from "../sourcemap.js";
import { describeFailure, requireProfiledSuccess, runTool, type ToolRun, which } from "../tools.js";
import { type AdapterResult, ProfileError, type ProfileRequest, type StackData } from "../types.js";

/** perf's samples per second: an odd rate avoids beating with periodic work. */
export const PERF_FREQUENCY = 999;

const PERF_INSTALL =
  "install perf (Debian/Ubuntu: apt-get install linux-perf or linux-tools-generic)";
const PERMISSION = /perf_event_paranoid|Permission denied|not permitted|EACCES|No permission/i;

/**
 * Native programs (C, C++, Rust, Go binaries, or anything else): `perf record` with call graphs,
 * on the hardware cycle counter when there is one and on the software clock otherwise; valgrind's
 * callgrind when perf is missing or not permitted.
 */
export async function profileNative(req: ProfileRequest): Promise<AdapterResult> {
  const tried: string[] = [];
  const notes: string[] = [];
  const perf = await which("perf");
  if (!perf) {
    tried.push(`perf: not found (${PERF_INSTALL})`);
  } else {
    const result = await withPerf(perf, req);
    if ("data" in result) return result;
    tried.push(`perf: ${result.failed}`);
    notes.push(`perf could not profile (${result.failed.split("\n")[0]}); fell back to callgrind`);
  }
  const valgrind = await which("valgrind");
  if (!valgrind) {
    tried.push("valgrind callgrind: not found (apt-get install valgrind)");
    throw new ProfileError(
      "no-profiler",
      `no native profiler could run: ${PERF_INSTALL} and allow it (sysctl kernel.perf_event_paranoid=1), or install valgrind.`,
      tried,
    );
  }
  const result = await withCallgrind(valgrind, req, tried);
  return { ...result, notes: [...notes, ...result.notes] };
}

/** Whether the hardware cycle counter works here (it does not in most VMs and containers). */
async function hardwareCycles(perf: string): Promise<boolean> {
  const run = await runTool(perf, ["stat", "-x", ",", "-e", "cycles", "--", "true"], {
    cwd: "/",
    timeoutMs: 20_000,
  });
  return run.ok && !/not supported|not counted|<not/i.test(run.stderr);
}

/**
 * perf's options that this perf accepts: `--no-bpf-event` spares the side-band thread that BPF
 * events need, which otherwise adds about a second of wall time to every recording (perf ≥ 5.1).
 */
async function perfRecordOptions(perf: string, workDir: string): Promise<string[]> {
  const probe = await runTool(
    perf,
    [
      "record",
      "-q",
      "--no-bpf-event",
      "-e",
      "cpu-clock",
      "-o",
      join(workDir, "probe.data"),
      "--",
      "true",
    ],
    { cwd: "/", timeoutMs: 20_000 },
  );
  return probe.ok ? ["--no-bpf-event"] : [];
}

/** `perf record` of `sh -c command` at PERF_FREQUENCY into `data` (call graphs with `-g`). */
export async function perfRecord(
  perf: string,
  recording: {
    event: string;
    callGraph: boolean;
    data: string;
    workDir: string;
    command: string;
    cwd: string;
    env?: Record<string, string>;
    timeoutMs: number;
  },
): Promise<ToolRun> {
  return runTool(
    perf,
    [
      "record",
      ...(await perfRecordOptions(perf, recording.workDir)),
      "-e",
      recording.event,
      "-F",
      String(PERF_FREQUENCY),
      ...(recording.callGraph ? ["-g"] : []),
      "-o",
      recording.data,
      "--",
      "/bin/sh",
      "-c",
      recording.command,
    ],
    { cwd: recording.cwd, env: recording.env, timeoutMs: recording.timeoutMs },
  );
}

async function withPerf(
  perf: string,
  req: ProfileRequest,
): Promise<AdapterResult | { failed: string }> {
  const data = join(req.workDir, "perf.data");
  const cycles = await hardwareCycles(perf);
  const event = cycles ? "cycles" : "cpu-clock";
  const run = await perfRecord(perf, {
    event,
    callGraph: true,
    data,
    workDir: req.workDir,
    command: req.command,
    cwd: req.cwd,
    env: req.env,
    timeoutMs: req.timeoutMs,
  });
  const recorded = await stat(data).then(
    (s) => s.size > 0,
    () => false,
  );
  // No data: perf itself could not run (not permitted, no such event), so another profiler may.
  if (!recorded) {
    const why = PERMISSION.test(run.stderr) ? "not permitted here; " : "";
    return { failed: `${why}${describeFailure(run, req.timeoutMs)}` };
  }
  requireProfiledSuccess(run, req.timeoutMs, [`perf record -e ${event}`]);
  const script = await runTool(
    perf,
    ["script", "-i", data, "-F", "comm,pid,period,ip,sym,symoff,dso"],
    { cwd: req.cwd, timeoutMs: 300_000 },
  );
  if (!script.ok) return { failed: `perf script ${describeFailure(script, 300_000)}` };
  const parsed = parsePerfScript(script.stdout, cycles ? "none" : "nanoseconds");
  await addSourceLines(parsed, req.cwd);
  return {
    profiler: "perf",
    data: parsed,
    runMs: run.wallMs,
    notes: [
      `perf record -e ${event} at ${PERF_FREQUENCY} Hz${cycles ? "" : " (no hardware cycle counter here: software clock)"}`,
    ],
  };
}

/** Source file and line of the hottest functions, from each binary's debug information. */
async function addSourceLines(
  data: StackData & { frames: PerfFrame[] },
  cwd: string,
): Promise<void> {
  const selfByFrame = new Map<number, number>();
  for (const s of data.stacks) {
    const leaf = s.stack[s.stack.length - 1];
    if (leaf !== undefined) selfByFrame.set(leaf, (selfByFrame.get(leaf) ?? 0) + s.weight);
  }
  const hottest = [...selfByFrame.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40);
  const dsos = new Set(
    hottest.map(([i]) => data.frames[i]?.dso ?? "").filter((d) => d.startsWith("/")),
  );
  const nm = await which("nm");
  if (!nm) return;
  for (const dso of dsos) {
    const run = await runTool(nm, ["--line-numbers", "--defined-only", "-C", dso], {
      cwd,
      timeoutMs: 60_000,
    });
    if (!run.ok) continue;
    const lines = parseNmLines(run.stdout);
    for (const frame of data.frames) {
      if (frame.dso !== dso) continue;
      const found = lines.get(frame.name);
      if (found) {
        frame.file = display(found.file, cwd);
        frame.line = found.line;
      }
    }
  }
}

async function withCallgrind(
  valgrind: string,
  req: ProfileRequest,
  tried: string[],
): Promise<AdapterResult> {
  const outDir = join(req.workDir, "callgrind");
  await mkdir(outDir, { recursive: true });
  const run = await runTool(
    valgrind,
    [
      "--tool=callgrind",
      `--callgrind-out-file=${join(outDir, "callgrind.out.%p")}`,
      "--trace-children=yes",
      "/bin/sh",
      "-c",
      req.command,
    ],
    { cwd: req.cwd, env: req.env, timeoutMs: req.timeoutMs },
  );
  tried.push("valgrind --tool=callgrind");
  requireProfiledSuccess(run, req.timeoutMs, tried, "under callgrind");
  const files = await readdir(outDir).catch(() => [] as string[]);
  const texts = await Promise.all(files.map((f) => readFile(join(outDir, f), "utf8")));
  const data = parseCallgrind(texts);
  for (const frame of data.frames) frame.file = display(frame.file, req.cwd);
  return {
    profiler: "callgrind",
    data,
    runMs: run.wallMs,
    notes: [
      "callgrind counts instructions executed (not time) and runs the program 20–100× slower",
    ],
  };
}
