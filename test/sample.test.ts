import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { detectTimeTool, parseBsdTime, parseGnuTime } from "../src/measure/resource-usage.js";
import { runSample } from "../src/measure/sample.js";

const dir = mkdtempSync(join(tmpdir(), "sample-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (command: string, extra: { timeoutMs?: number; maxOutputBytes?: number } = {}) =>
  runSample({ command, cwd: dir, timeoutMs: 30_000, ...extra });

/** A killed process whose parent died stays a zombie until init reaps it, which may never happen here. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

describe("runSample", () => {
  it("captures output, exit code and OS resource figures", async () => {
    const sample = await run("echo hello; echo oops >&2");
    expect(sample.ok).toBe(true);
    expect(sample.failure).toBeUndefined();
    expect(sample.exitCode).toBe(0);
    expect(sample.signal).toBeNull();
    expect(sample.stdout).toBe("hello\n");
    expect(sample.stderr).toBe("oops\n"); // GNU time writes to its -o file, not here
    expect(sample.wallMs).toBeGreaterThan(0);
    expect(sample.cpuMs).not.toBeNull();
    expect(sample.peakRssKb).toBeGreaterThan(0);
    expect(sample.resourceNote).toBe("GNU time");
  });

  it("counts CPU time of a busy command", async () => {
    const sample = await run("i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done");
    expect(sample.ok).toBe(true);
    expect(sample.cpuMs).toBeGreaterThan(0);
    expect(sample.cpuMs).toBe((sample.userMs ?? 0) + (sample.sysMs ?? 0));
  });

  it("reports the peak memory of the process tree in KiB", async () => {
    const sample = await run(`python3 -c "x = bytearray(200 * 1024 * 1024)"`);
    expect(sample.ok).toBe(true);
    expect(sample.peakRssKb).toBeGreaterThan(150 * 1024);
  });

  it("reports a non-zero exit as a failure with the code and the end of stderr", async () => {
    const sample = await run("echo 'disk on fire' >&2; exit 3");
    expect(sample.ok).toBe(false);
    expect(sample.failure?.kind).toBe("exit");
    expect(sample.exitCode).toBe(3);
    expect(sample.failure?.message).toContain("code 3");
    expect(sample.failure?.message).toContain("disk on fire");
    expect(sample.stderr).toBe("disk on fire\n");
    expect(sample.cpuMs).not.toBeNull();
  });

  it("reports death by a signal", async () => {
    const sample = await run("kill -9 $$");
    expect(sample.ok).toBe(false);
    expect(sample.failure?.kind).toBe("signal");
    expect(sample.signal).toBe("SIGKILL");
    expect(sample.exitCode).toBeNull();
  });

  it("kills the whole process group on timeout, background children included", async () => {
    const pidFile = join(dir, "grandchild.pid");
    const sample = await run(`sleep 100 & echo $! > ${pidFile}; wait`, { timeoutMs: 500 });
    expect(sample.ok).toBe(false);
    expect(sample.failure?.kind).toBe("timeout");
    expect(sample.failure?.message).toContain("500 ms");
    const grandchild = Number(readFileSync(pidFile, "utf8"));
    expect(grandchild).toBeGreaterThan(0);
    expect(isAlive(grandchild)).toBe(false);
  });

  it("kills what the command left running when it exits", async () => {
    const pidFile = join(dir, "leftover.pid");
    const sample = await run(`sleep 100 & echo $! > ${pidFile}`);
    expect(sample.ok).toBe(true);
    expect(isAlive(Number(readFileSync(pidFile, "utf8")))).toBe(false);
  });

  it("keeps the head of long output and flags the truncation", async () => {
    const sample = await run("head -c 5000 /dev/zero | tr '\\0' a; echo short >&2", {
      maxOutputBytes: 1000,
    });
    expect(sample.ok).toBe(true);
    expect(sample.stdout).toBe("a".repeat(1000));
    expect(sample.stdoutTruncated).toBe(true);
    expect(sample.stderr).toBe("short\n");
    expect(sample.stderrTruncated).toBe(false);
  });

  it("reports a missing working directory as a spawn failure", async () => {
    const sample = await runSample({ command: "true", cwd: join(dir, "nope"), timeoutMs: 1000 });
    expect(sample.ok).toBe(false);
    expect(sample.failure?.kind).toBe("spawn");
    expect(sample.failure?.message).toContain("nope");
  });

  it("adds env to the inherited environment", async () => {
    const sample = await runSample({
      command: 'test -n "$PATH" && echo "$AO_TEST_VAR:has-path"',
      cwd: dir,
      timeoutMs: 5000,
      env: { AO_TEST_VAR: "x" },
    });
    expect(sample.stdout).toBe("x:has-path\n");
  });

  it("on SIGINT kills running samples, reports them interrupted, then removes its handler", async () => {
    const before = process.listeners("SIGINT");
    // Another listener stands for the CLI: with one present the handler does not exit the process.
    const other = () => {};
    process.on("SIGINT", other);
    try {
      const pidFile = join(dir, "interrupted.pid");
      const pending = run(`sleep 100 & echo $! > ${pidFile}; wait`);
      let ours: ((signal: NodeJS.Signals) => void) | undefined;
      while (!ours) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        ours = process.listeners("SIGINT").find((l) => l !== other && !before.includes(l));
      }
      while (!readFileSync(pidFile, { encoding: "utf8", flag: "a+" }).trim()) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      ours("SIGINT");
      const sample = await pending;
      expect(sample.failure?.kind).toBe("interrupted");
      expect(isAlive(Number(readFileSync(pidFile, "utf8")))).toBe(false);
      expect(process.listeners("SIGINT")).toEqual([...before, other]);
    } finally {
      process.off("SIGINT", other);
    }
  });
});

describe("time tool", () => {
  it("explains how to get figures when GNU time is missing", async () => {
    const tool = await detectTimeTool("/nonexistent/time");
    expect(tool.kind).toBe("none");
    expect(tool.kind === "none" && tool.note).toContain("install the 'time' package");
  });

  it("parses GNU time reports that start with a status line", () => {
    const usage = parseGnuTime(
      "Command exited with non-zero status 3\nauto-optimize-usage user=1.25 sys=0.50 maxrss=2048\n",
    );
    expect(usage).toEqual({ userMs: 1250, sysMs: 500, peakRssKb: 2048, signal: null });
    expect(parseGnuTime("Command terminated by signal 9\n").signal).toBe("SIGKILL");
    expect(parseGnuTime("").userMs).toBeNull();
  });

  it("parses and strips the report BSD time -l appends to stderr", () => {
    const stderr =
      "warning: slow\n        1.50 real         1.20 user         0.10 sys\n" +
      "  10485760  maximum resident set size\n         0  average shared memory size\n";
    const { usage, stderr: clean } = parseBsdTime(stderr, stderr, "darwin");
    expect(clean).toBe("warning: slow\n");
    expect(usage).toEqual({ userMs: 1200, sysMs: 100, peakRssKb: 10240, signal: null });
  });
});
