import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { aider, aiderModel, aiderReply, aiderUsage } from "../src/agent/cli/aider.js";
import { claudeCode, claudeUsage, findResult } from "../src/agent/cli/claude-code.js";
import { codex, codexUsage, parseCodexEvents } from "../src/agent/cli/codex.js";
import { extractJsonObject } from "../src/agent/cli/json-reply.js";
import { reflexionMarkdown } from "../src/agent/cli/reflexion.js";
import type { DelegateCall, DelegateOptions } from "../src/agent/cli/types.js";
import { clip } from "../src/agent/clip.js";
import { selectAgent } from "../src/agent/select.js";
import { Redactor, withoutSecrets } from "../src/secrets.js";
import { fixtureExperiment } from "./helpers/experiment-fixture.js";
import { FAKE_BIN, pathWithout } from "./helpers/fake-cli.js";
import { TempRepo } from "./helpers/temp-repo.js";

const OPTIONS: DelegateOptions = { maxTurns: 12, timeoutMs: 1000, passEnv: [] };

function call(step: DelegateCall["step"], overrides: Partial<DelegateCall> = {}): DelegateCall {
  return {
    step,
    prompt: "PROMPT",
    cwd: "/work/tree",
    scratch: "/nonexistent-scratch",
    commands: ["npm run build", "npm test"],
    files: ["src/a.ts"],
    ...overrides,
  };
}

// The documented shape of `claude -p --output-format json`.
const CLAUDE_RESULT = {
  type: "result",
  subtype: "success",
  is_error: false,
  duration_ms: 5120,
  num_turns: 4,
  result: "done",
  session_id: "abc",
  total_cost_usd: 0.0421,
  usage: {
    input_tokens: 12,
    cache_creation_input_tokens: 3000,
    cache_read_input_tokens: 9000,
    output_tokens: 800,
  },
};

describe("claude-code", () => {
  it("builds read-only planning, edit-accepting application with exactly the experiment's commands, and a tool-less reflexion", async () => {
    const plan = await claudeCode.args(call("plan"), { ...OPTIONS, model: "anthropic:sonnet" });
    expect(plan).toEqual([
      "-p",
      "PROMPT",
      "--output-format",
      "json",
      "--max-turns",
      "12",
      "--model",
      "sonnet",
      "--permission-mode",
      "default",
      "--allowedTools",
      "Read",
      "Glob",
      "Grep",
      "--disallowedTools",
      "Edit",
      "Write",
      "NotebookEdit",
      "Bash",
      "WebFetch",
      "WebSearch",
    ]);
    const apply = await claudeCode.args(call("apply"), OPTIONS);
    expect(apply.slice(apply.indexOf("--permission-mode"))).toEqual([
      "--permission-mode",
      "acceptEdits",
      "--allowedTools",
      "Read",
      "Glob",
      "Grep",
      "Edit",
      "Write",
      "Bash(npm run build)",
      "Bash(npm test)",
      "--disallowedTools",
      "WebFetch",
      "WebSearch",
    ]);
    const reflect = await claudeCode.args(call("reflect"), OPTIONS);
    expect(reflect).not.toContain("--allowedTools");
    expect(reflect).toContain("Edit");
  });

  it("reads the result object, its cost and tokens (cache writes and reads count as input)", async () => {
    expect(findResult(JSON.stringify(CLAUDE_RESULT))).toMatchObject({ result: "done" });
    const stream = `{"type":"system","subtype":"init"}\n${JSON.stringify(CLAUDE_RESULT)}\n`;
    expect(findResult(stream)?.total_cost_usd).toBe(0.0421);
    expect(findResult("Error: not logged in")).toBeNull();
    expect(claudeUsage(CLAUDE_RESULT as never)).toEqual({
      usd: 0.0421,
      inputTokens: 12012,
      outputTokens: 800,
      cachedTokens: 9000,
    });
    const reply = await claudeCode.parse(call("apply"), {
      stdout: JSON.stringify(CLAUDE_RESULT),
      stderr: "",
      exitCode: 0,
    });
    expect(reply).toMatchObject({ text: "done", details: { numTurns: 4, sessionId: "abc" } });
    expect(reply.error).toBeUndefined();
  });

  it("a turn limit stops planning with an error but not applying; an error result is an error", async () => {
    const maxed = JSON.stringify({
      ...CLAUDE_RESULT,
      subtype: "error_max_turns",
      result: undefined,
    });
    const output = { stdout: maxed, stderr: "", exitCode: 1 };
    const applied = await claudeCode.parse(call("apply"), output);
    expect(applied.error).toBeUndefined();
    expect(applied.incomplete).toMatch(/turn limit/);
    expect((await claudeCode.parse(call("plan"), output)).error).toMatch(/raise --max-turns/);
    const denied = JSON.stringify({ ...CLAUDE_RESULT, is_error: true, result: "Invalid API key" });
    expect(
      (await claudeCode.parse(call("plan"), { stdout: denied, stderr: "", exitCode: 1 })).error,
    ).toMatch(/Invalid API key/);
    expect(
      (await claudeCode.parse(call("plan"), { stdout: "", stderr: "boom", exitCode: 2 })).error,
    ).toMatch(/exited with code 2/);
  });
});

describe("codex", () => {
  const events = [
    { type: "thread.started", thread_id: "t-1" },
    { type: "turn.started" },
    {
      type: "item.completed",
      item: { id: "i0", type: "command_execution", command: "npm test", exit_code: 0 },
    },
    { type: "item.completed", item: { id: "i1", type: "agent_message", text: "first" } },
    {
      type: "turn.completed",
      usage: { input_tokens: 100, cached_input_tokens: 40, output_tokens: 7 },
    },
    { type: "item.completed", item: { id: "i2", type: "agent_message", text: "final answer" } },
    {
      type: "turn.completed",
      usage: { input_tokens: 50, cached_input_tokens: 0, output_tokens: 3 },
    },
  ];
  const stdout = `Reading prompt…\n${events.map((e) => JSON.stringify(e)).join("\n")}\n`;

  it("runs exec with JSON events in the step's sandbox and the model without its provider prefix", async () => {
    const args = await codex.args(call("apply"), { ...OPTIONS, model: "openai:gpt-5-codex" });
    expect(args).toEqual([
      "exec",
      "--json",
      "--sandbox",
      "workspace-write",
      "--skip-git-repo-check",
      "--cd",
      "/work/tree",
      "--output-last-message",
      "/nonexistent-scratch/last-message.txt",
      "--model",
      "gpt-5-codex",
      "PROMPT",
    ]);
    expect((await codex.args(call("plan"), OPTIONS))[3]).toBe("read-only");
  });

  it("takes the last agent message and sums the turns' usage", async () => {
    expect(parseCodexEvents(stdout)).toHaveLength(events.length);
    expect(codexUsage(parseCodexEvents(stdout))).toEqual({
      usd: 0,
      inputTokens: 150,
      outputTokens: 10,
      cachedTokens: 40,
    });
    const reply = await codex.parse(call("plan"), { stdout, stderr: "", exitCode: 0 });
    expect(reply.text).toBe("final answer");
    expect(reply.error).toBeUndefined();
  });

  it("a failed turn is an error with its message", async () => {
    const failed = [
      { type: "thread.started", thread_id: "t" },
      { type: "error", message: "stream disconnected" },
      { type: "turn.failed", error: { message: "401 Unauthorized" } },
    ];
    const reply = await codex.parse(call("plan"), {
      stdout: failed.map((e) => JSON.stringify(e)).join("\n"),
      stderr: "",
      exitCode: 1,
    });
    expect(reply.error).toBe("the turn failed: 401 Unauthorized");
  });
});

describe("aider", () => {
  it("sums its Tokens/Cost lines (k suffixes, cache hits as cached input)", () => {
    const out = [
      "Tokens: 2.3k sent, 1.2k cache hit, 450 received. Cost: $0.02 message, $0.02 session.",
      "Applied edit to src/a.ts",
      "> Tokens: 12k sent, 1.5k cache write, 1,024 received. Cost: $0.0510 message, $0.07 session.",
      "Tokens: 950 sent, 12 received.",
    ].join("\n");
    const usage = aiderUsage(out);
    expect(usage?.inputTokens).toBe(2300 + 1200 + 12000 + 950);
    expect(usage?.cachedTokens).toBe(1200);
    expect(usage?.outputTokens).toBe(450 + 1024 + 12);
    expect(usage?.usd).toBeCloseTo(0.071, 10);
    expect(aiderUsage("no usage here")).toBeNull();
  });

  it("reads the last answer from the chat history, without the user's lines or its own notes", () => {
    const history = [
      "# aider chat started at 2025-01-01 10:00:00",
      "",
      "> aider --message-file m.md",
      "> Aider v0.86.1",
      "",
      "#### ## Your task: reflexion  ",
      "#### ",
      "#### details  ",
      "",
      "## What surprised",
      "",
      "- a lot",
      "",
      "> Tokens: 1k sent, 10 received. Cost: $0.01 message, $0.01 session.",
    ].join("\n");
    expect(aiderReply(history)).toBe("## What surprised\n\n- a lot");
    expect(aiderReply("")).toBe("");
  });

  it("names models the litellm way, adds the plan's files when applying, asks without editing otherwise", async () => {
    expect(aiderModel("anthropic:claude-sonnet-4-5")).toBe("anthropic/claude-sonnet-4-5");
    expect(aiderModel("gpt-4o")).toBe("gpt-4o");
    const scratch = mkdtempSync(join(tmpdir(), "aider-args-"));
    const apply = await aider.args(call("apply", { scratch }), OPTIONS);
    expect(apply.at(-1)).toBe("src/a.ts");
    expect(apply).not.toContain("--chat-mode");
    const plan = await aider.args(call("plan", { scratch }), OPTIONS);
    expect(plan.join(" ")).toContain("--chat-mode ask");
    expect(plan).not.toContain("src/a.ts");
    const reflect = await aider.args(call("reflect", { scratch }), OPTIONS);
    expect(reflect).toContain("--no-git");
    rmSync(scratch, { recursive: true, force: true });
  });
});

describe("the replies, the environment and the log", () => {
  it("finds the plan's JSON object wherever the CLI put it", () => {
    expect(extractJsonObject('{"a":1}')).toEqual({ a: 1 });
    expect(extractJsonObject('Plan:\n```json\n{"a":2}\n```\nDone.')).toEqual({ a: 2 });
    expect(extractJsonObject('I propose:\n\n{\n  "a": 3\n}\n\nThanks')).toEqual({ a: 3 });
    expect(extractJsonObject('first {"a":4} then')).toEqual({ a: 4 });
    expect(extractJsonObject("no json here")).toBeNull();
    expect(extractJsonObject("[1, 2]")).toBeNull();
  });

  it("passes the environment without secret-looking variables, except the ones the CLI needs", () => {
    const env = withoutSecrets(
      {
        PATH: "/bin",
        HOME: "/home/u",
        ANTHROPIC_API_KEY: "a",
        OPENAI_API_KEY: "o",
        GITHUB_TOKEN: "g",
        DB_PASSWORD: "p",
        AWS_SECRET_ACCESS_KEY: "s",
        ANTHROPIC_BASE_URL: "http://proxy",
      },
      ["ANTHROPIC_API_KEY"],
    );
    expect(env).toEqual({
      PATH: "/bin",
      HOME: "/home/u",
      ANTHROPIC_API_KEY: "a",
      ANTHROPIC_BASE_URL: "http://proxy",
    });
  });

  it("redacts secret values and key shapes", () => {
    const redactor = new Redactor({ MY_TOKEN: "tok-123456789", SHORT_KEY: "abc", PATH: "/bin" });
    const redact = (text: string) => redactor.text(text);
    expect(redact("x tok-123456789 y abc /bin")).toBe("x [redacted MY_TOKEN] y abc /bin");
    expect(redact("key sk-ant-api03-AAAAAAAAAAAAAAAA and sk-proj-BBBBBBBBBBBBBBBBBBBB")).toBe(
      "key [redacted key] and [redacted key]",
    );
  });

  it("gives every reflexion the title and the three sections", () => {
    const text = reflexionMarkdown(
      "codex",
      3,
      "unroll",
      "```markdown\n# My reflexion\n\n## What surprised\n\n- x\n\n## Lessons\n\n- y\n```",
    );
    expect(text).toBe(
      "# Reflexion — iteration 3: unroll\n\n## What surprised\n\n- x\n\n## Lessons\n\n- y\n\n## Unexplored directions\n\n- (codex wrote nothing under this heading)\n",
    );
  });

  it("clips long text in the middle, visibly", () => {
    const clipped = clip("a".repeat(500) + "b".repeat(500), 200);
    expect(clipped.length).toBeLessThan(260);
    expect(clipped).toMatch(/^a+\n\[… 800 characters cut …\]\nb+$/);
  });
});

describe("the default agent", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("is claude-code when a claude binary is on PATH and no model key is set, else the tuner for knobs", async () => {
    const repo = new TempRepo();
    try {
      repo.commit("project", { "value.txt": "100\n" });
      const knobs = fixtureExperiment(repo, {
        knobs: [{ name: "DIV", kind: "env", domain: { type: "int", min: 1, max: 4 }, initial: 1 }],
      });
      delete process.env.ANTHROPIC_API_KEY;
      delete process.env.OPENAI_API_KEY;
      process.env.PATH = `${FAKE_BIN}${delimiter}${pathWithout("claude")}`;
      expect((await selectAgent({}, knobs, repo.dir)).name).toBe("claude-code");
      // A patch source given on the command line still comes first.
      expect((await selectAgent({ revisions: ["HEAD"] }, knobs, repo.dir)).name).toBe("patches");
      process.env.PATH = pathWithout("claude");
      expect((await selectAgent({}, knobs, repo.dir)).name).toBe("tuner");
      await expect(selectAgent({ name: "aider" }, knobs, repo.dir)).rejects.toThrow(
        /--agent aider runs the `aider` command, and none was found on PATH/,
      );
    } finally {
      repo.remove();
    }
  });
});
