import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { acquireRunLock, isRunning, runMarkerPath } from "../src/experiment/run-lock.js";
import { runCli } from "./helpers/cli.js";
import { buildExperiment, NAME } from "./helpers/experiment-fixture.js";
import { HostRepo, valuePlan } from "./helpers/host.js";
import { TempRepo } from "./helpers/temp-repo.js";

const RUN_LOCK = fileURLToPath(new URL("../dist/experiment/run-lock.js", import.meta.url));

const children: ChildProcess[] = [];
const folders: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function gitDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "auto-optimize-lock-"));
  folders.push(dir);
  mkdirSync(join(dir, ".git"));
  return join(dir, ".git");
}

/**
 * Another process that tries to take the lock of `name`: it prints "held" and keeps it for
 * `holdMs`, or prints the error's code and exits.
 */
function contender(dir: string, name: string, holdMs: number) {
  const script = `
    const { acquireRunLock } = await import(${JSON.stringify(RUN_LOCK)});
    try { acquireRunLock(${JSON.stringify(dir)}, ${JSON.stringify(name)}); }
    catch (error) { console.log(error.code); process.exit(0); }
    console.log("held");
    setTimeout(() => {}, ${holdMs});`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script]);
  children.push(child);
  let out = "";
  child.stdout?.on("data", (chunk) => {
    out += chunk;
  });
  const answer = new Promise<string>((resolve) => {
    child.stdout?.on("data", () => {
      if (out.includes("\n")) resolve(out.trim());
    });
    child.on("close", () => resolve(out.trim()));
  });
  return { child, answer };
}

describe("the run lock", () => {
  it("of processes starting together, exactly one holds it; the others are told who does", async () => {
    const dir = gitDir();
    const racers = Array.from({ length: 4 }, () => contender(dir, NAME, 5000));
    const answers = await Promise.all(racers.map((r) => r.answer));
    expect(answers.filter((a) => a === "held")).toHaveLength(1);
    expect(answers.filter((a) => a === "already-running")).toHaveLength(3);
    expect(() => acquireRunLock(dir, NAME)).toThrow(/being worked on by another process \(pid \d+/);
  });

  it("takes over a lock whose process was killed, nests within one process, and removes it when released", async () => {
    const dir = gitDir();
    const holder = contender(dir, NAME, 60_000);
    expect(await holder.answer).toBe("held");
    expect(isRunning(dir, NAME)).toBe(true);
    holder.child.kill("SIGKILL");
    await new Promise((resolve) => holder.child.on("close", resolve));
    expect(isRunning(dir, NAME)).toBe(false);

    const outer = acquireRunLock(dir, NAME);
    const inner = acquireRunLock(dir, NAME);
    inner();
    expect(isRunning(dir, NAME)).toBe(true);
    expect(await contender(dir, NAME, 0).answer).toBe("already-running");
    outer();
    expect(existsSync(runMarkerPath(dir, NAME))).toBe(false);
  });

  it("refuses a host step with exit code 2 while another process works on the experiment", async () => {
    const repo = new TempRepo();
    try {
      buildExperiment(repo);
      const holder = contender(join(repo.dir, ".git"), NAME, 60_000);
      expect(await holder.answer).toBe("held");
      const step = await runCli(["step", "next"], repo.dir);
      expect(step.code).toBe(2);
      expect(step.stderr).toMatch(/being worked on by another process \(pid \d+/);
    } finally {
      repo.remove();
    }
  });

  it("of two step evaluates started at the same instant, one evaluates and the other is refused", async () => {
    const host = new HostRepo();
    try {
      await host.start();
      await host.ok(["next"]);
      await host.ok(host.planArgs(valuePlan(1)));
      host.write({ "src/value.txt": "80\n" });
      const both = await Promise.all([host.step(["evaluate"]), host.step(["evaluate"])]);
      const codes = both.map((r) => r.code).sort();
      expect(codes, both.map((r) => r.stderr).join("\n")).toEqual([0, 2]);
      const refused = both.find((r) => r.code === 2) as { stderr: string };
      expect(refused.stderr).toMatch(/being worked on by another process/);
      const committed = host.ledger().filter((e) => e.type === "committed");
      expect(committed).toHaveLength(1);
      expect(host.ledger().filter((e) => e.type === "measured")).toHaveLength(1);
    } finally {
      host.remove();
    }
  });
});
