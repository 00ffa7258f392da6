import { mkdir, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { expandInlined, frameAddress } from "../inline-frames.js";
import { type InlineLocation, parseAddr2line } from "../parsers/addr2line.js";
import { parseCallgrind } from "../parsers/callgrind.js";
import { offsetToAddress, parseLoadSegments } from "../parsers/elf-segments.js";
import {
  type PerfFrame,
  type PerfStacks,
  parseNmLines,
  parsePerfScript,
} from "../parsers/perf-script.js";
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

// What this machine's perf can do is probed once per process and perf program: each probe starts
// perf (most of a second here), and a loop profiles before every iteration, twice when the first
// run gives too few samples.
const cyclesProbes = new Map<string, Promise<boolean>>();
const recordOptionProbes = new Map<string, Promise<string[]>>();

/** Whether the hardware cycle counter works here (it does not in most VMs and containers). */
function hardwareCycles(perf: string): Promise<boolean> {
  let probe = cyclesProbes.get(perf);
  if (!probe) {
    probe = probeCycles(perf);
    cyclesProbes.set(perf, probe);
  }
  return probe;
}

async function probeCycles(perf: string): Promise<boolean> {
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
function perfRecordOptions(perf: string, workDir: string): Promise<string[]> {
  let probe = recordOptionProbes.get(perf);
  if (!probe) {
    probe = probeRecordOptions(perf, workDir);
    recordOptionProbes.set(perf, probe);
  }
  return probe;
}

async function probeRecordOptions(perf: string, workDir: string): Promise<string[]> {
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
    /** Samples per second (default PERF_FREQUENCY). */
    frequency?: number;
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
      String(recording.frequency ?? PERF_FREQUENCY),
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
  const frequency = req.intervalUs ? Math.round(1e6 / req.intervalUs) : PERF_FREQUENCY;
  const run = await perfRecord(perf, {
    frequency,
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
  const chains = await inlineChains(parsed, req.cwd);
  const expanded = expandInlined(parsed, (dso, ip) => chains.get(dso)?.get(ip));
  const inlined = expanded.frames.filter((f: PerfFrame) => f.inlined).length;
  return {
    profiler: "perf",
    data: expanded,
    runMs: run.wallMs,
    intervalUs: Math.round(1e6 / frequency),
    inlinedShown: chains.size > 0,
    notes: [
      `perf record -e ${event} at ${frequency} Hz${cycles ? "" : " (no hardware cycle counter here: software clock)"}`,
      ...(chains.size > 0
        ? [
            `source lines from the debug information (addr2line)${inlined > 0 ? `; ${inlined} inlined function${inlined === 1 ? "" : "s"} shown apart from ${inlined === 1 ? "its caller" : "their callers"}` : ""}`,
          ]
        : []),
    ],
  };
}

/** Binaries whose addresses are looked up: the program's own, not the system's libraries. */
function ownBinary(dso: string): boolean {
  return dso.startsWith("/") && !/^\/(usr\/)?(lib|lib32|lib64|libexec)\//.test(dso);
}

/** Most addresses looked up per binary (the most sampled first). */
const MAX_ADDRESSES = 20_000;

/**
 * Every sampled address of the program's own binaries through `addr2line -i`: the line it is on
 * and the functions inlined there, by the offset perf printed. Binaries without debug information
 * give nothing.
 */
async function inlineChains(
  data: PerfStacks,
  cwd: string,
): Promise<Map<string, Map<number, InlineLocation[]>>> {
  const out = new Map<string, Map<number, InlineLocation[]>>();
  const addr2line = await which("addr2line");
  if (!addr2line) return out;
  const byDso = new Map<string, Map<number, number>>();
  for (const sample of data.located) {
    sample.stack.forEach((frame, i) => {
      const dso = data.frames[frame]?.dso ?? "";
      if (!ownBinary(dso)) return;
      const addresses = byDso.get(dso) ?? new Map<number, number>();
      const address = frameAddress(sample.ips, i);
      addresses.set(address, (addresses.get(address) ?? 0) + sample.samples);
      byDso.set(dso, addresses);
    });
  }
  const readelf = await which("readelf");
  for (const [dso, counts] of byDso) {
    const headers = readelf
      ? await runTool(readelf, ["-lW", dso], { cwd, timeoutMs: 20_000 })
      : null;
    const segments = headers?.ok ? parseLoadSegments(headers.stdout) : [];
    const offsets = [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX_ADDRESSES)
      .map(([offset]) => offset);
    const addresses = offsets.map((o) => `0x${offsetToAddress(segments, o).toString(16)}`);
    const run = await runTool(addr2line, ["-a", "-f", "-i", "-C", "-e", dso, ...addresses], {
      cwd,
      timeoutMs: 120_000,
    });
    if (!run.ok) continue;
    const byAddress = parseAddr2line(run.stdout);
    const chains = new Map<number, InlineLocation[]>();
    for (const offset of offsets) {
      const chain = byAddress.get(offsetToAddress(segments, offset));
      if (!chain) continue;
      for (const location of chain) location.file = display(location.file, cwd);
      chains.set(offset, chain);
    }
    if ([...chains.values()].some((chain) => chain.some((l) => l.line !== null))) {
      out.set(dso, chains);
    }
  }
  return out;
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
    inlinedShown: false,
    notes: [
      "callgrind counts instructions executed (not time) and runs the program 20–100× slower",
    ],
  };
}
