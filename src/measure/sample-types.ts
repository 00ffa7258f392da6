import type { RunIsolation } from "./run-isolation.js";

/** Why a sample did not produce a usable run. */
export type SampleFailureKind = "exit" | "signal" | "timeout" | "spawn" | "interrupted";

export interface SampleOptions {
  /** Run through the shell (`/bin/sh -c`). */
  command: string;
  cwd: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  /** A fresh TMPDIR and HOME, and the sandbox when there is one (experiment test and bench runs). */
  isolation?: RunIsolation;
  /** Per stream; the rest is dropped and `truncated` set. Default 1 MiB. */
  maxOutputBytes?: number;
  /** Run on these CPUs only (`taskset -c`), when `detectCpuPinning` found it allowed. */
  cpus?: string;
}

/** One fresh process run of a command. A failure is data, never a thrown error. */
export interface Sample {
  command: string;
  cwd: string;
  ok: boolean;
  failure?: { kind: SampleFailureKind; message: string };
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  wallMs: number;
  /** user + sys CPU time of the process tree, from the OS; null when unavailable. */
  cpuMs: number | null;
  userMs: number | null;
  sysMs: number | null;
  /** Peak resident set size in KiB, from the OS; null when unavailable (see `resourceNote`). */
  peakRssKb: number | null;
  /** Where CPU and memory came from, e.g. "GNU time", or why they are missing. */
  resourceNote: string;
}
