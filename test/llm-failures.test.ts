import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import {
  agentLog,
  FAKE_ANTHROPIC_KEY,
  iterationDir,
  runLlm,
  SONNET,
} from "./helpers/fake-llm-run.js";
import {
  draftPlan,
  editValue,
  HALVE,
  halveIteration,
  OTHER_CANDIDATES,
  REFLEXION,
  ranking,
} from "./helpers/fake-llm-script.js";
import { FakeLlmServer } from "./helpers/fake-llm-server.js";
import { LoopRepo } from "./helpers/loop-repo.js";

let repo: LoopRepo;
let server: FakeLlmServer;
afterEach(async () => {
  await server?.stop();
  repo?.remove();
});

/** A loopback port nothing listens on (just released). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function initRepo(): Promise<void> {
  repo = new LoopRepo();
  expect((await repo.init()).code).toBe(0);
}

describe("llm agent: model failures, retries and budgets", () => {
  it("retries a 429 (honouring Retry-After) and a 503, then succeeds; both failures are in agent-log.jsonl", async () => {
    await initRepo();
    server = await new FakeLlmServer({
      planner: [
        { status: 429, message: "rate limited", headers: { "retry-after": "0" } },
        { json: draftPlan(HALVE) },
      ],
      ranking: [
        { status: 503, message: "overloaded", headers: { "retry-after-ms": "10" } },
        ranking([HALVE, ...OTHER_CANDIDATES]),
      ],
      executor: editValue("100", "50"),
      reflexion: [REFLEXION],
    }).start();
    const result = await runLlm(repo, server, [...SONNET, "--iterations", "1"]);
    expect(result.code, result.stderr).toBe(0);
    expect(repo.decisions()).toEqual(["1:keep"]);
    const log = agentLog(join(iterationDir(repo), "agent-log.jsonl"));
    const errors = log.filter((e) => e.kind === "model-error");
    expect(errors.map((e) => `${e.context}:${e.attempt}:${e.retry}`)).toEqual([
      "planner:1:true",
      "ranking:1:true",
    ]);
    expect(errors[0]?.error).toMatch(/HTTP 429: rate limited/);
    expect(errors[1]?.error).toMatch(/HTTP 503: overloaded/);
    const calls = log.filter((e) => e.kind === "model-call");
    expect(calls.slice(0, 2).map((e) => e.attempt)).toEqual([2, 2]);
  });

  it("stops at once on 401, naming the key's variable (no retry, the key itself never printed)", async () => {
    await initRepo();
    server = await new FakeLlmServer({
      planner: [{ status: 401, message: "invalid x-api-key" }],
    }).start();
    const result = await runLlm(repo, server, [...SONNET, "--iterations", "1"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /refused the credentials for anthropic:claude-sonnet-4-5 \(HTTP 401: invalid x-api-key\)\. Check ANTHROPIC_API_KEY/,
    );
    expect(result.stderr).not.toMatch(/unexpected failure|at .*\.js:\d+/);
    expect(result.stderr + result.stdout).not.toContain(FAKE_ANTHROPIC_KEY);
    expect(server.requests).toHaveLength(1);
    // the failed plan's calls are logged in the experiment folder
    const log = agentLog(join(repo.experimentDir(), "agent-log.jsonl"));
    expect(log.map((e) => e.kind)).toEqual(["iteration", "model-error", "plan-failed"]);
  });

  it("without --agent, an Anthropic key picks the llm agent (with its default models)", async () => {
    await initRepo();
    server = await new FakeLlmServer({
      planner: [{ status: 401, message: "invalid x-api-key" }],
    }).start();
    const result = await runCli(["run", "--no-report"], repo.dir, {
      env: { ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY, ANTHROPIC_BASE_URL: server.url },
    });
    expect(result.code).toBe(1);
    expect(server.of("planner")[0]?.body.model).toBe("claude-sonnet-4-5");
    expect(result.stderr).toMatch(/Check ANTHROPIC_API_KEY/);
  });

  it("the model and server chosen at init are the ones run uses without flags (a local server needs no key)", async () => {
    server = await new FakeLlmServer(halveIteration()).start();
    repo = new LoopRepo();
    const init = await repo.init([
      "--model",
      "openai-compatible:llama3.1",
      "--base-url",
      server.url,
    ]);
    expect(init.code, init.stderr).toBe(0);
    const result = await runCli(["run", "--no-report", "--iterations", "1"], repo.dir, {
      env: { ANTHROPIC_API_KEY: "", OPENAI_API_KEY: "", OPENAI_BASE_URL: "" },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(server.of("planner")[0]?.body.model).toBe("llama3.1");
    expect(repo.decisions()).toEqual(["1:keep"]);
  });

  it("a missing key stops before any call, naming the variable", async () => {
    await initRepo();
    server = await new FakeLlmServer().start();
    const result = await runLlm(repo, server, [...SONNET], { ANTHROPIC_API_KEY: "" });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /ANTHROPIC_API_KEY is not set, and the model anthropic:claude-sonnet-4-5 needs it/,
    );
    expect(server.requests).toHaveLength(0);
  });

  it("an unreachable server is an error naming its URL", async () => {
    await initRepo();
    server = await new FakeLlmServer().start();
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const result = await runLlm(repo, server, [
      "--model",
      "openai-compatible:llama3.1",
      "--base-url",
      url,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `cannot reach the model server at ${url} (ECONNREFUSED) for openai-compatible:llama3.1`,
    );
  });

  it("a hanging model call times out (--call-timeout), is retried (--max-retries), then fails the run clearly", async () => {
    await initRepo();
    server = await new FakeLlmServer({ planner: [{ hang: true }, { hang: true }] }).start();
    const result = await runLlm(repo, server, [
      ...SONNET,
      "--call-timeout",
      "0.5",
      "--max-retries",
      "1",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `the planner call to anthropic:claude-sonnet-4-5 failed 2 times; last: no answer from ${server.url} within 0.5 s`,
    );
    expect(server.of("planner")).toHaveLength(2);
  });

  it("--max-cost stops the run between steps once the model calls spent the budget", async () => {
    await initRepo();
    const big = { input: 400_000, output: 10_000 }; // $1.35 per call at claude-sonnet-4-5's price
    server = await new FakeLlmServer({
      planner: [{ json: draftPlan(HALVE), usage: big }],
      ranking: [{ ...ranking([HALVE, ...OTHER_CANDIDATES]), usage: big }],
    }).start();
    const result = await runLlm(repo, server, [...SONNET, "--max-cost", "2"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/stopped: cost budget spent \(\$2\.70 of \$2\)/);
    expect(server.of("executor")).toHaveLength(0);
    const cost = repo.ledger().filter((e) => e.type === "cost");
    expect(cost).toHaveLength(1);
    expect((cost[0] as { usd: number }).usd).toBeCloseTo(2.7, 6);
    expect(repo.decisions()).toEqual([]);
    expect(repo.file("src/value.txt")).toBe("100\n");
  });
});
