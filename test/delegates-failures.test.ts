import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { FakeCli, pathWithout } from "./helpers/fake-cli.js";
import { LoopRepo } from "./helpers/loop-repo.js";

let repo: LoopRepo;
let fake: FakeCli;
beforeEach(() => {
  fake = new FakeCli();
});
afterEach(() => {
  repo?.remove();
  fake.remove();
});

async function initRepo(): Promise<LoopRepo> {
  repo = new LoopRepo();
  expect((await repo.init()).code).toBe(0);
  return repo;
}

function run(agent: string, env: NodeJS.ProcessEnv, extra: string[] = []) {
  return runCli(["run", "--agent", agent, "--iterations", "1", "--no-report", ...extra], repo.dir, {
    env,
  });
}

function agentLog(): Record<string, unknown>[] {
  const dir = join(repo.experimentDir(), "iterations");
  const [folder] = readdirSync(dir);
  return readFileSync(join(dir, folder as string, "agent-log.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("delegates: the loop's checks and the failures", () => {
  it("a delegate that edits a protected file gets the iteration rejected and undone by the loop", async () => {
    await initRepo();
    const result = await run("claude-code", fake.env("protected"));
    expect(result.code).toBe(0);
    expect(repo.decisions()).toEqual(["1:rejected"]);
    const decided = repo.ledger().find((e) => e.type === "decided");
    expect(decided?.type === "decided" && decided.reason).toMatch(
      /protected file test\/check\.sh was modified/,
    );
    expect(repo.file("test/check.sh")).toBe("! grep -q broken src/*.txt\n");
    expect(repo.file("src/value.txt")).toBe("100\n");
    expect(repo.git("status", "--porcelain")).toBe("");
  });

  it("a malformed plan is re-asked once with the program's problems, and the corrected plan is used", async () => {
    await initRepo();
    const result = await run("codex", fake.env("malformed"));
    expect(result.stderr).not.toMatch(/unexpected failure/);
    expect(result.code).toBe(0);
    expect(repo.decisions()).toEqual(["1:keep"]);
    expect(fake.calls().map((c) => [c.task, c.refused])).toEqual([
      ["plan", false],
      ["plan", true],
      ["apply", false],
      ["reflect", false],
    ]);
    const checks = agentLog().filter((e) => e.step === "plan-check");
    expect(checks.map((c) => c.ok)).toEqual([false, true]);
    const problems = ((checks[0]?.problems ?? []) as string[]).join("\n");
    expect(problems).toMatch(/^preMortem: /m);
    expect(problems).toMatch(/^chainOfThought\.candidates\.0\.expectedGainPercent: /m);
  });

  it("a delegate that keeps failing the plan's checks stops the run with the problems", async () => {
    await initRepo();
    // The same valid plan twice: the second iteration repeats the first one's strategy.
    expect((await run("aider", fake.env("keep"))).code).toBe(0);
    const again = await run("aider", fake.env("keep"), ["--iterations", "2"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/aider gave no acceptable plan after being asked again/);
    expect(again.stderr).toMatch(/"lower the value" was already tried in iteration 1/);
    // the failed plan has no iteration folder: its calls are logged in the experiment folder
    const log = readFileSync(join(repo.experimentDir(), "agent-log.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(log.filter((e) => e.step === "plan-check").map((e) => e.ok)).toEqual([false, false]);
    expect(log.at(-1)).toMatchObject({ agent: "aider", step: "plan-failed" });
  });

  it("a hanging delegate is stopped at --agent-timeout with its child processes", async () => {
    await initRepo();
    const result = await run("claude-code", fake.env("hang"), ["--agent-timeout", "1"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /claude-code \(claude\) failed while planning: it did not finish within 1 s, so it was stopped with its child processes/,
    );
    expect(existsSync(fake.pidPath)).toBe(true);
    const child = Number(readFileSync(fake.pidPath, "utf8"));
    for (let i = 0; i < 50 && alive(child); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(child)).toBe(false);
  });

  it("an error result (a bad key) stops the run with the CLI's message", async () => {
    await initRepo();
    const result = await run("claude-code", fake.env("error"));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /claude-code \(claude\) failed while planning: it reported an error \(success\): Invalid API key/,
    );
  });

  it("a missing binary names the agent and how to install it", async () => {
    await initRepo();
    const result = await run("codex", { PATH: pathWithout("codex") });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "--agent codex runs the `codex` command, and none was found on PATH. Install the Codex CLI (npm install -g @openai/codex)",
    );
  });
});
