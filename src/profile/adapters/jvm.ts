import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { parseCollapsed } from "../parsers/collapsed.js";
import { JfrJsonSchema, parseJfrJson } from "../parsers/jfr.js";
import { parseProfilerJson } from "../profiler-json.js";
import {
  describeFailure,
  requireProfiledSuccess,
  runTool,
  which,
  writtenProfiles,
} from "../tools.js";
import { type AdapterResult, ProfileError, type ProfileRequest } from "../types.js";

/** Milliseconds between execution samples, for JFR and async-profiler alike. */
export const JVM_SAMPLING_PERIOD_MS = 10;

/** JFR settings with execution samples only: the stock "profile" settings record far more. */
export function jfrSettings(periodMs: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0" label="auto-optimize" description="execution samples only">
  <event name="jdk.ExecutionSample">
    <setting name="enabled">true</setting>
    <setting name="period">${periodMs} ms</setting>
  </event>
</configuration>
`;
}

/**
 * JVM (java, mvn, gradle, sbt…): async-profiler when present (ASYNC_PROFILER_LIB, ASYNC_PROFILER_HOME
 * or asprof on PATH), else Java Flight Recorder's execution samples. Both are started in every JVM
 * of the command through JAVA_TOOL_OPTIONS.
 */
export async function profileJvm(req: ProfileRequest): Promise<AdapterResult> {
  const tried: string[] = [];
  const notes: string[] = [];
  const lib = await asyncProfilerLibrary();
  if (lib) {
    const result = await withAsyncProfiler(lib, req);
    if ("data" in result) return result;
    tried.push(`async-profiler (${lib}): ${result.failed}`);
    notes.push(`async-profiler failed (${result.failed.split("\n")[0]}); fell back to JFR`);
  } else {
    tried.push(
      "async-profiler: not found (set ASYNC_PROFILER_HOME or put asprof on PATH) — JFR used instead",
    );
  }
  const result = await withJfr(req, tried);
  return { ...result, notes: [...notes, ...result.notes] };
}

async function asyncProfilerLibrary(): Promise<string | null> {
  const candidates: string[] = [];
  if (process.env.ASYNC_PROFILER_LIB) candidates.push(process.env.ASYNC_PROFILER_LIB);
  const home = process.env.ASYNC_PROFILER_HOME;
  if (home)
    candidates.push(join(home, "lib/libasyncProfiler.so"), join(home, "build/libasyncProfiler.so"));
  const asprof = (await which("asprof")) ?? (await which("profiler.sh"));
  if (asprof) candidates.push(join(dirname(asprof), "../lib/libasyncProfiler.so"));
  for (const candidate of candidates) {
    const found = await stat(candidate).then(
      (st) => st.isFile(),
      () => false,
    );
    if (found) return candidate;
  }
  return null;
}

function withToolOptions(req: ProfileRequest, option: string): Record<string, string> {
  const inherited = req.env?.JAVA_TOOL_OPTIONS ?? process.env.JAVA_TOOL_OPTIONS;
  return { ...req.env, JAVA_TOOL_OPTIONS: [inherited, option].filter(Boolean).join(" ") };
}

async function withAsyncProfiler(
  lib: string,
  req: ProfileRequest,
): Promise<AdapterResult | { failed: string }> {
  const outDir = join(req.workDir, "async-profiler");
  await mkdir(outDir, { recursive: true });
  const agent = `-agentpath:${lib}=start,event=cpu,interval=${JVM_SAMPLING_PERIOD_MS}ms,collapsed,file=${join(outDir, "ap-%p.collapsed")}`;
  const run = await runTool("/bin/sh", ["-c", req.command], {
    cwd: req.cwd,
    env: withToolOptions(req, agent),
    timeoutMs: req.timeoutMs,
  });
  const files = await readdir(outDir).catch(() => [] as string[]);
  if (files.length === 0) return { failed: describeFailure(run, req.timeoutMs) };
  requireProfiledSuccess(run, req.timeoutMs, ["async-profiler"]);
  const texts = await Promise.all(files.map((f) => readFile(join(outDir, f), "utf8")));
  return {
    profiler: "async-profiler",
    data: parseCollapsed(texts.join("\n")),
    runMs: run.wallMs,
    isGc: (frame) => /^(GCTaskThread|G1 |ParallelGC|ZThread|gc_)/.test(frame.name),
    notes: [`async-profiler, cpu every ${JVM_SAMPLING_PERIOD_MS} ms`],
  };
}

async function withJfr(req: ProfileRequest, tried: string[]): Promise<AdapterResult> {
  const outDir = join(req.workDir, "jfr");
  await mkdir(outDir, { recursive: true });
  const settings = join(req.workDir, "auto-optimize.jfc");
  const periodMs = req.intervalUs
    ? Math.max(1, Math.round(req.intervalUs / 1000))
    : JVM_SAMPLING_PERIOD_MS;
  await writeFile(settings, jfrSettings(periodMs));
  const option = `-XX:StartFlightRecording=filename=${outDir}/,settings=${settings} -Xlog:jfr+startup=warning`;
  const run = await runTool("/bin/sh", ["-c", req.command], {
    cwd: req.cwd,
    env: withToolOptions(req, option),
    timeoutMs: req.timeoutMs,
  });
  tried.push("Java Flight Recorder (JAVA_TOOL_OPTIONS=-XX:StartFlightRecording)");
  requireProfiledSuccess(run, req.timeoutMs, tried);
  const files = await writtenProfiles(
    outDir,
    ".jfr",
    tried,
    "the command ran but no JVM wrote a flight recording: does it run java (JDK 11 or later)? Pass --language to profile it another way.",
  );
  const jfr = await jfrTool();
  if (!jfr) {
    throw new ProfileError(
      "no-profiler",
      "the recording was made but the `jfr` tool that reads it is missing: install a full JDK (apt-get install openjdk-17-jdk-headless), not only a JRE.",
      tried,
    );
  }
  const merged = parseJfrJson({}, periodMs);
  for (const file of files) {
    const json = join(req.workDir, `${file}.json`);
    const print = await runTool(
      "/bin/sh",
      [
        "-c",
        '"$0" print --json --stack-depth 128 --events jdk.ExecutionSample "$1" > "$2"',
        jfr,
        join(outDir, file),
        json,
      ],
      { cwd: req.cwd, timeoutMs: 300_000 },
    );
    if (!print.ok) {
      throw new ProfileError(
        "bad-profile",
        `jfr print failed: ${describeFailure(print, 300_000)}`,
        tried,
      );
    }
    const parsed = parseJfrJson(
      parseProfilerJson(await readFile(json, "utf8"), JfrJsonSchema, json, tried),
      periodMs,
    );
    mergeInto(merged, parsed);
  }
  return {
    profiler: "jfr",
    data: merged,
    runMs: run.wallMs,
    intervalUs: periodMs * 1000,
    notes: [
      `JFR execution samples every ${periodMs} ms (Java code only: time in native code and the JVM itself is not sampled)`,
    ],
  };
}

/** Adds `source`'s stacks to `target`, re-indexing its frames. */
function mergeInto(
  target: ReturnType<typeof parseJfrJson>,
  source: ReturnType<typeof parseJfrJson>,
): void {
  const keyOf = (f: { name: string; file: string | null }) => `${f.name}\u0000${f.file ?? ""}`;
  const index = new Map(target.frames.map((f, i) => [keyOf(f), i]));
  const remap = source.frames.map((f) => {
    const key = keyOf(f);
    let i = index.get(key);
    if (i === undefined) {
      i = target.frames.length;
      target.frames.push(f);
      index.set(key, i);
    }
    return i;
  });
  for (const s of source.stacks) {
    target.stacks.push({ ...s, stack: s.stack.map((i) => remap[i] as number) });
  }
}

async function jfrTool(): Promise<string | null> {
  const home = process.env.JAVA_HOME;
  if (home) {
    const inHome = await which(join(home, "bin/jfr"));
    if (inHome) return inHome;
  }
  return which("jfr");
}
