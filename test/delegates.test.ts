import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PlanSchema } from "../src/agent/plan/schema.js";
import { runCli } from "./helpers/cli.js";
import { FakeCli, filesUnder, type RecordedCall } from "./helpers/fake-cli.js";
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

const ANTHROPIC_KEY = "sk-ant-fake-0123456789abcdef";
const OPENAI_KEY = "sk-fake-openai-0123456789abcdef";
const UNRELATED_SECRET = "hunter2-service-token-value";

/** One iteration through the built binary with the named delegate, its fakes first on PATH. */
async function runDelegate(agent: string, env: NodeJS.ProcessEnv) {
  repo = new LoopRepo();
  expect((await repo.init()).code).toBe(0);
  return runAgent(agent, env);
}

function runAgent(agent: string, env: NodeJS.ProcessEnv, extra: string[] = []) {
  return runCli(["run", "--agent", agent, "--iterations", "1", "--no-report", ...extra], repo.dir, {
    env,
  });
}

function iterationDir(): string {
  const dir = join(repo.experimentDir(), "iterations");
  const folders = readdirSync(dir);
  expect(folders).toHaveLength(1);
  return join(dir, folders[0] as string);
}

function agentLog(): Record<string, unknown>[] {
  return readFileSync(join(iterationDir(), "agent-log.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function costs(): { usd: number; tokens: number }[] {
  return repo
    .ledger()
    .flatMap((e) => (e.type === "cost" ? [{ usd: e.usd, tokens: e.tokens }] : []));
}

/** What every kept delegate iteration leaves: the edit kept, plan.md/plan.json, the reflexion, the log. */
function expectKeptIteration(calls: RecordedCall[]): void {
  expect(repo.decisions()).toEqual(["1:keep"]);
  expect(repo.file("src/value.txt")).toBe("80\n");
  expect(repo.git("status", "--porcelain")).toBe("");
  const dir = iterationDir();
  expect(dir).toMatch(/iter-001-lower-the-value$/);
  const planMd = readFileSync(join(dir, "plan.md"), "utf8");
  for (const heading of [
    "## Step-Back",
    "## Chain-of-Thought",
    "## Self-Consistency",
    "## Pre-mortem",
  ])
    expect(planMd).toContain(heading);
  expect(
    PlanSchema.safeParse(JSON.parse(readFileSync(join(dir, "plan.json"), "utf8"))).success,
  ).toBe(true);
  const reflexion = readFileSync(join(dir, "reflexion.md"), "utf8");
  expect(reflexion).toMatch(/^# Reflexion — iteration 1: lower the value/);
  for (const heading of ["## What surprised", "## Lessons", "## Unexplored directions"])
    expect(reflexion).toContain(heading);
  expect(reflexion).toContain("The benchmark reads src/value.txt directly.");
  const log = agentLog();
  expect(log.filter((e) => e.command).map((e) => e.step)).toEqual(["plan", "apply", "reflect"]);
  expect(log.find((e) => e.step === "plan-check")).toMatchObject({ ok: true, attempt: 1 });
  // Planning and applying happen in the candidate worktree; the reflexion outside the repository.
  expect(calls.map((c) => c.task)).toEqual(["plan", "apply", "reflect"]);
  const [plan, apply, reflect] = calls as [RecordedCall, RecordedCall, RecordedCall];
  expect(plan.cwd).toContain(join(".git", "auto-optimize"));
  expect(apply.cwd).toBe(plan.cwd);
  expect(reflect.cwd.startsWith(repo.dir)).toBe(false);
  for (const call of calls) expect(call.secretNames).not.toContain("SERVICE_TOKEN");
}

describe("delegates: one kept iteration through the built binary", () => {
  it("claude-code: claude -p with JSON output, read-only planning, accepted edits, the experiment's commands, cost from total_cost_usd, secrets kept out", async () => {
    const result = await runDelegate(
      "claude-code",
      fake.env("keep", {
        ANTHROPIC_API_KEY: ANTHROPIC_KEY,
        SERVICE_TOKEN: UNRELATED_SECRET,
        FAKE_CLI_LEAK: "1",
      }),
    );
    expect(result.stderr).not.toMatch(/unexpected failure/);
    expect(result.code).toBe(0);
    const calls = fake.calls();
    expectKeptIteration(calls);
    const [plan, apply, reflect] = calls as [RecordedCall, RecordedCall, RecordedCall];
    for (const call of calls) {
      expect(call.argv.slice(0, 4)).toEqual(["-p", "<prompt>", "--output-format", "json"]);
      expect(call.argv.join(" ")).toContain("--max-turns 40");
      expect(call.secretNames).toContain("ANTHROPIC_API_KEY");
    }
    expect(plan.argv.join(" ")).toContain(
      "--permission-mode default --allowedTools Read Glob Grep --disallowedTools Edit Write",
    );
    expect(apply.argv.join(" ")).toContain(
      "--permission-mode acceptEdits --allowedTools Read Glob Grep Edit Write Bash(sh test/check.sh)",
    );
    expect(reflect.argv).not.toContain("--allowedTools");
    // Three calls at $0.0125 each; tokens are input (1000 + 200 written + 300 read) and 400 output.
    const [cost] = costs();
    expect(cost?.usd).toBeCloseTo(3 * 0.0125, 10);
    expect(cost?.tokens).toBe(3 * 1900);
    // the iteration's summary.md says the same, with cached input counted
    const summary = filesUnder(repo.experimentDir()).find((f) => f.path.endsWith("summary.md"));
    expect(summary?.text).toContain(
      "| model cost (plan, edits, reflexion) | $0.0375: 4,500 input tokens (900 of them cached), 1,200 output tokens |",
    );
    // The key the fake printed is in no file the tool wrote; the log says it was redacted.
    for (const { path, text } of filesUnder(repo.experimentDir())) {
      expect(text, path).not.toContain(ANTHROPIC_KEY);
      expect(text, path).not.toContain(UNRELATED_SECRET);
    }
    expect(JSON.stringify(agentLog())).toContain("[redacted ANTHROPIC_API_KEY]");
    const logged = agentLog().find((e) => e.step === "apply") as {
      usage: unknown;
      command: string[];
    };
    expect(logged.usage).toEqual({
      usd: 0.0125,
      inputTokens: 1500,
      outputTokens: 400,
      cachedTokens: 300,
    });
    expect(logged.command).toContain("<prompt>");
  });

  it("codex: codex exec --json in the read-only then workspace-write sandbox; a commit it makes is folded back for the checks", async () => {
    const result = await runDelegate(
      "codex",
      fake.env("keep", {
        OPENAI_API_KEY: OPENAI_KEY,
        SERVICE_TOKEN: UNRELATED_SECRET,
        FAKE_CLI_COMMIT: "1",
        AUTO_OPTIMIZE_DELEGATE_ENV: "EXTRA_PROXY_TOKEN",
        EXTRA_PROXY_TOKEN: "passed-on-purpose",
      }),
    );
    expect(result.stderr).not.toMatch(/unexpected failure/);
    expect(result.code).toBe(0);
    const calls = fake.calls();
    expectKeptIteration(calls);
    const sandboxes = calls.map((c) => c.argv[c.argv.indexOf("--sandbox") + 1]);
    expect(sandboxes).toEqual(["read-only", "workspace-write", "read-only"]);
    for (const call of calls) {
      expect(call.argv.slice(0, 2)).toEqual(["exec", "--json"]);
      expect(call.argv.at(-1)).toBe("<prompt>");
      expect(call.secretNames).toContain("OPENAI_API_KEY");
      expect(call.secretNames).toContain("EXTRA_PROXY_TOKEN");
    }
    expect(repo.git("log", "--format=%s", "--all")).not.toContain("fake: lower the value");
    expect(agentLog().find((e) => e.step === "commits-undone")?.note).toMatch(/codex committed/);
    // Codex reports tokens (2000 in, 300 out per call) but no price.
    expect(costs()).toEqual([{ usd: 0, tokens: 3 * 2300 }]);
  });

  it("aider: --message-file with --yes-always --no-auto-commits, the plan's files in the chat, its repo-map cache removed, cost from its Tokens/Cost lines", async () => {
    const result = await runDelegate(
      "aider",
      fake.env("keep", { SERVICE_TOKEN: UNRELATED_SECRET }),
    );
    expect(result.stderr).not.toMatch(/unexpected failure/);
    expect(result.code).toBe(0);
    const calls = fake.calls();
    expectKeptIteration(calls);
    const [plan, apply, reflect] = calls as [RecordedCall, RecordedCall, RecordedCall];
    for (const call of calls) {
      for (const flag of [
        "--message-file",
        "--yes-always",
        "--no-auto-commits",
        "--no-dirty-commits",
      ])
        expect(call.argv).toContain(flag);
    }
    expect(plan.argv.join(" ")).toContain("--chat-mode ask");
    expect(apply.argv).not.toContain("--chat-mode");
    expect(apply.argv.at(-1)).toBe("src/value.txt");
    expect(reflect.argv).toContain("--no-git");
    expect(existsSync(join(repo.dir, ".aider.tags.cache.v4"))).toBe(false);
    // 2.3k sent + 1.2k cache hit in, 450 out, $0.02 per call.
    const [cost] = costs();
    expect(cost?.usd).toBeCloseTo(0.06, 10);
    expect(cost?.tokens).toBe(3 * (2300 + 1200 + 450));
  });
});
