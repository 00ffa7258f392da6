import { randomUUID } from "node:crypto";
import { readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commandEnvironment } from "../command-env.js";
import { artifactRedactor } from "../redact.js";
import { pinnedCommand } from "./cpu-pinning.js";
import {
  detectTimeTool,
  NO_USAGE,
  parseBsdTime,
  parseGnuTime,
  type ResourceUsage,
  type TimeTool,
  wrapCommand,
} from "./resource-usage.js";
import { isolateRun } from "./run-isolation.js";
import { type ProcessRun, runProcess } from "./run-process.js";
import type { Sample, SampleFailureKind, SampleOptions } from "./sample-types.js";

const DEFAULT_MAX_OUTPUT = 1024 * 1024;

/**
 * Runs `opts.command` once in a fresh shell, in its own process group, and measures it.
 * Failures (non-zero exit, signal, timeout, cannot start, Ctrl-C) are returned, never thrown.
 * `opts.env` is added to this process's environment without its credentials (`commandEnvironment`);
 * the output is redacted, so no secret the command found elsewhere reaches a ledger or an artifact.
 */
export async function runSample(opts: SampleOptions): Promise<Sample> {
  if (!(await isDirectory(opts.cwd))) {
    return notStarted(opts, `working directory does not exist: ${opts.cwd}`);
  }
  const tool = await detectTimeTool();
  const usageFile =
    tool.kind === "gnu" ? join(tmpdir(), `auto-optimize-time-${randomUUID()}.txt`) : null;
  const env = commandEnvironment(opts.env);
  const isolated = opts.isolation ? await isolateRun(opts.isolation, env) : null;
  try {
    const shell: [string, string[]] = ["/bin/sh", ["-c", opts.command]];
    const program = isolated ? isolated.wrap(...shell, opts.cwd) : shell;
    // The time tool stays outside the sandbox: its report file is in this process's /tmp.
    const [timed, timedArgs] = wrapCommand(tool, [program[0], ...program[1]], usageFile);
    const [file, args] = opts.cpus
      ? pinnedCommand(opts.cpus, timed, timedArgs)
      : [timed, timedArgs];
    const run = await runProcess(file, args, {
      cwd: opts.cwd,
      env: { ...env, ...isolated?.env },
      timeoutMs: opts.timeoutMs,
      maxOutputBytes: opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT,
    });
    if (run.spawnError) return notStarted(opts, `cannot start /bin/sh: ${run.spawnError.message}`);
    return redacted(toSample(opts, run, await readUsage(tool, run, usageFile)));
  } finally {
    if (usageFile) await rm(usageFile, { force: true });
    await isolated?.dispose();
  }
}

/** The sample with its output and failure message redacted (the same way for every run). */
function redacted(sample: Sample): Sample {
  const redactor = artifactRedactor();
  return {
    ...sample,
    stdout: redactor.text(sample.stdout),
    stderr: redactor.text(sample.stderr),
    ...(sample.failure && {
      failure: { ...sample.failure, message: redactor.text(sample.failure.message) },
    }),
  };
}

/** CPU and memory figures, and stderr without whatever the time tool added to it. */
interface Usage {
  usage: ResourceUsage;
  stderr: string;
  stderrTail: string;
  note: string;
}

async function readUsage(
  tool: TimeTool,
  run: ProcessRun,
  usageFile: string | null,
): Promise<Usage> {
  const stderr = run.stderr.text();
  const stderrTail = run.stderr.tailText();
  if (tool.kind === "none") return { usage: NO_USAGE, stderr, stderrTail, note: tool.note };
  if (tool.kind === "bsd") {
    const parsed = parseBsdTime(stderr, stderrTail);
    const tail = parseBsdTime(stderrTail, stderrTail).stderr;
    return { ...parsed, stderrTail: tail, note: noteFor("BSD time -l", parsed.usage) };
  }
  const report = usageFile ? await readFile(usageFile, "utf8").catch(() => "") : "";
  const usage = parseGnuTime(report);
  return { usage, stderr, stderrTail, note: noteFor("GNU time", usage) };
}

function noteFor(source: string, usage: ResourceUsage): string {
  if (usage.userMs !== null) return source;
  return `peak memory and CPU time unavailable: ${source} reported nothing (was the command killed?)`;
}

function toSample(opts: SampleOptions, run: ProcessRun, measured: Usage): Sample {
  const { usage, stderr } = measured;
  // Under GNU time the shell's death by a signal shows up in the report, not in our child's status.
  const signal = run.signal ?? usage.signal;
  const exitCode = signal ? null : run.exitCode;
  const failure = classify(opts, run, exitCode, signal, lastLines(measured.stderrTail));
  const cpuMs = usage.userMs !== null && usage.sysMs !== null ? usage.userMs + usage.sysMs : null;
  return {
    command: opts.command,
    cwd: opts.cwd,
    ok: failure === undefined,
    ...(failure && { failure }),
    exitCode,
    signal,
    stdout: run.stdout.text(),
    stderr,
    stdoutTruncated: run.stdout.truncated,
    stderrTruncated: run.stderr.truncated,
    wallMs: run.wallMs,
    cpuMs,
    userMs: usage.userMs,
    sysMs: usage.sysMs,
    peakRssKb: usage.peakRssKb,
    resourceNote: measured.note,
  };
}

function classify(
  opts: SampleOptions,
  run: ProcessRun,
  exitCode: number | null,
  signal: string | null,
  stderrTail: string,
): { kind: SampleFailureKind; message: string } | undefined {
  const withStderr = (message: string) =>
    stderrTail ? `${message}; last lines of stderr:\n${stderrTail}` : message;
  if (run.interrupted) return { kind: "interrupted", message: "interrupted (Ctrl-C)" };
  if (run.timedOut) {
    return {
      kind: "timeout",
      message: `timed out after ${opts.timeoutMs} ms; its process group was killed`,
    };
  }
  if (signal) return { kind: "signal", message: withStderr(`killed by signal ${signal}`) };
  if (exitCode !== 0) return { kind: "exit", message: withStderr(`exited with code ${exitCode}`) };
  return undefined;
}

function lastLines(text: string, count = 10): string {
  return text.trimEnd().split("\n").slice(-count).join("\n");
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

function notStarted(opts: SampleOptions, message: string): Sample {
  return {
    command: opts.command,
    cwd: opts.cwd,
    ok: false,
    failure: { kind: "spawn", message },
    exitCode: null,
    signal: null,
    stdout: "",
    stderr: "",
    stdoutTruncated: false,
    stderrTruncated: false,
    wallMs: 0,
    cpuMs: null,
    userMs: null,
    sysMs: null,
    peakRssKb: null,
    resourceNote: "not measured: the command did not start",
  };
}
