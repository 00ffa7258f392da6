import { type ChildProcess, spawn } from "node:child_process";
import { OutputCapture } from "./output-capture.js";
import { registerGroup, terminateGroup, unregisterGroup } from "./process-groups.js";

export interface ProcessRun {
  /** Set when the process never started; the other fields are then empty. */
  spawnError: Error | null;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  wallMs: number;
  stdout: OutputCapture;
  stderr: OutputCapture;
  timedOut: boolean;
  interrupted: boolean;
}

export interface ProcessOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  maxOutputBytes: number;
}

/**
 * Runs `file args` as the leader of a new process group. On timeout the whole group is killed, so
 * are processes the command left behind when it exits: they would compete with the next sample,
 * and while they hold stdout open the run would never end.
 */
export function runProcess(
  file: string,
  args: string[],
  opts: ProcessOptions,
): Promise<ProcessRun> {
  const run: ProcessRun = {
    spawnError: null,
    exitCode: null,
    signal: null,
    wallMs: 0,
    stdout: new OutputCapture(opts.maxOutputBytes),
    stderr: new OutputCapture(opts.maxOutputBytes),
    timedOut: false,
    interrupted: false,
  };
  return new Promise((resolve) => {
    let child: ChildProcess;
    const start = process.hrtime.bigint();
    try {
      child = spawn(file, args, {
        cwd: opts.cwd,
        env: opts.env,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (error) {
      resolve({ ...run, spawnError: error as Error });
      return;
    }
    const pid = child.pid;
    if (pid === undefined) {
      child.once("error", (error) => resolve({ ...run, spawnError: error }));
      return;
    }

    registerGroup(pid, () => {
      run.interrupted = true;
    });
    let killing: Promise<void> | undefined;
    const killGroup = () => {
      killing ??= terminateGroup(pid);
    };
    const timer = setTimeout(() => {
      run.timedOut = true;
      killGroup();
    }, opts.timeoutMs);

    child.on("error", () => {}); // only spawn failures matter, and those have no pid
    child.stdout?.on("data", (chunk: Buffer) => run.stdout.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => run.stderr.push(chunk));
    child.on("exit", (code, signal) => {
      run.wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      run.exitCode = code;
      run.signal = signal;
      clearTimeout(timer);
      killGroup();
    });
    child.on("close", async () => {
      await killing;
      unregisterGroup(pid);
      resolve(run);
    });
  });
}
