import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { agentLog, iterationDir, runLlm, SONNET } from "./helpers/fake-llm-run.js";
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

describe("llm agent end to end (the built binary, a real repository, a fake model server)", () => {
  it("anthropic: plans with the four techniques and an independent ranking, edits through tool calls, tests, measures, keeps and reflects — with plan.md, plan.json, reflexion.md and agent-log.jsonl", async () => {
    repo = new LoopRepo();
    expect((await repo.init()).code).toBe(0);
    server = await new FakeLlmServer(halveIteration()).start();
    const result = await runLlm(repo, server, [...SONNET, "--iterations", "1"]);
    expect(result.code, result.stderr).toBe(0);
    expect(repo.decisions()).toEqual(["1:keep"]);
    expect(repo.file("src/value.txt")).toBe("50\n");
    expect(repo.git("status", "--porcelain")).toBe("");

    const dir = iterationDir(repo);
    const plan = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8"));
    expect(plan.strategy).toBe(HALVE);
    expect(plan.selfConsistency).toEqual({
      ranking: [HALVE, ...OTHER_CANDIDATES],
      notes: "ranked by expected gain and risk",
    });
    const markdown = readFileSync(join(dir, "plan.md"), "utf8");
    for (const heading of ["Step-Back", "Chain-of-Thought", "Self-Consistency", "Pre-mortem"]) {
      expect(markdown).toContain(`## ${heading}`);
    }
    const reflexion = readFileSync(join(dir, "reflexion.md"), "utf8");
    for (const heading of ["What surprised", "Lessons", "Unexplored directions"]) {
      expect(reflexion).toContain(`## ${heading}`);
    }
    expect(reflexion).toContain("- compress the file format");
    expect(reflexion).toContain("Decision: keep");

    const log = agentLog(join(dir, "agent-log.jsonl"));
    expect(log.filter((e) => e.kind === "model-call").map((e) => e.context)).toEqual([
      "planner",
      "ranking",
      "executor",
      "executor",
      "executor",
      "reflexion",
    ]);
    expect(log.filter((e) => e.kind === "tool-call").map((e) => `${e.tool}:${e.ok}`)).toEqual([
      "read_file:true",
      "edit_file:true",
    ]);

    // Separate contexts: the ranking sees the candidates but not the planner's choice or reasons;
    // the executor sees the plan, not the planner's conversation; the reflexion sees the outcome.
    const [rank] = server.of("ranking");
    expect(rank?.text).toContain("cache the parsed value");
    expect(rank?.text).not.toContain("gives the largest gain");
    expect(server.of("executor")[0]?.text).not.toContain("Propose the plan");
    expect(server.of("reflexion")[0]?.text).toContain("Decision: keep");
    // Anthropic prompt caching on the stable part; the key only in its header.
    const planner = server.of("planner")[0];
    expect(planner?.text).toContain('"cache_control":{"type":"ephemeral"}');
    expect(planner?.headers["x-api-key"]).toBe("sk-ant-fake-key-0123456789");
    // output bounded per call, not the provider's 64,000-token default
    expect(planner?.body.max_tokens).toBe(16_384);
    expect(server.of("ranking")[0]?.body.max_tokens).toBe(4096);
    // 6 calls × (100 input, 50 output) at claude-sonnet-4-5's price.
    const cost = repo.ledger().filter((e) => e.type === "cost");
    expect(cost).toHaveLength(1);
    expect(cost[0]).toMatchObject({ iteration: 1, tokens: 900 });
    expect((cost[0] as { usd: number }).usd).toBeCloseTo((6 * (100 * 3 + 50 * 15)) / 1e6, 9);
    // the iteration's own summary and result carry the same cost
    expect(readFileSync(join(dir, "summary.md"), "utf8")).toContain(
      "| model cost (plan, edits, reflexion) | $0.0063: 600 input tokens (0 of them cached), 300 output tokens |",
    );
    const recorded = JSON.parse(readFileSync(join(dir, "result.json"), "utf8"));
    expect(recorded.cost).toMatchObject({ inputTokens: 600, outputTokens: 300, cachedTokens: 0 });
    // the leaderboard committed with the iteration already shows what it cost
    const attempt = repo.git("log", "--format=%H", "--grep", "/iter-001)", "-n", "1");
    const name = repo.git("branch", "--show-current").replace("auto-optimize/", "");
    const committed = repo.git("show", `${attempt}:experiments/${name}/leaderboard.md`);
    expect(committed).toMatch(/\| Cost \|/);
    expect(committed).toMatch(/\| \$0\.01 \|/);
  });

  it("openai: malformed planner output is repaired — prose instead of JSON, then a plan with two candidates — each re-ask names the problem", async () => {
    repo = new LoopRepo();
    expect((await repo.init()).code).toBe(0);
    const short = draftPlan(HALVE);
    (short.chainOfThought as { candidates: unknown[] }).candidates.splice(2);
    server = await new FakeLlmServer({
      planner: [
        { text: "Sure! I would halve the value. Let me know if you want the JSON." },
        { json: short },
        { json: draftPlan(HALVE) },
      ],
      ranking: [ranking([HALVE, ...OTHER_CANDIDATES])],
      executor: editValue("100", "50"),
      reflexion: [REFLEXION],
    }).start();
    const result = await runLlm(repo, server, [
      "--planner-model",
      "openai:gpt-5",
      "--executor-model",
      "openai:gpt-5-mini",
      "--iterations",
      "1",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(repo.decisions()).toEqual(["1:keep"]);
    const asks = server.of("planner");
    expect(asks).toHaveLength(3);
    expect(asks[1]?.last).toMatch(/not a JSON object/);
    expect(asks[2]?.last).toMatch(/chainOfThought\.candidates/);
    expect(asks[2]?.body.model).toBe("gpt-5");
    expect(server.of("executor")[0]?.body.model).toBe("gpt-5-mini");
    expect(server.of("executor")[0]?.headers.authorization).toBe(
      "Bearer sk-fake-openai-key-9876543210",
    );
  });

  it("refuses a strategy already tried: the planner is told which iteration tried it and proposes another", async () => {
    repo = new LoopRepo();
    expect((await repo.init()).code).toBe(0);
    const QUARTER = "quarter the stored value";
    server = await new FakeLlmServer({
      planner: [
        { json: draftPlan(HALVE) },
        { json: draftPlan(HALVE) },
        {
          json: draftPlan(QUARTER, {
            summary: "divide once more: twenty-five replaces fifty",
            steps: ["write 25 where 50 is"],
          }),
        },
      ],
      ranking: [ranking([HALVE, ...OTHER_CANDIDATES]), ranking([QUARTER, ...OTHER_CANDIDATES])],
      executor: [...editValue("100", "50"), ...editValue("50", "25")],
      reflexion: [REFLEXION, REFLEXION],
    }).start();
    const result = await runLlm(repo, server, [
      "--model",
      "openai-compatible:llama3.1",
      "--iterations",
      "2",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(repo.decisions()).toEqual(["1:keep", "2:keep"]);
    expect(repo.file("src/value.txt")).toBe("25\n");
    const asks = server.of("planner");
    expect(asks).toHaveLength(3);
    expect(asks[1]?.text).toContain("iteration 1: halve the stored value → keep");
    expect(asks[2]?.last).toContain(
      '"halve the stored value" was already tried in iteration 1 (keep)',
    );
    const plan = JSON.parse(readFileSync(join(iterationDir(repo, 2), "plan.json"), "utf8"));
    expect(plan.strategy).toBe(QUARTER);
    // iteration 2's planner saw iteration 1's reflexion
    expect(asks[1]?.text).toContain("compress the file format");
  });

  it("self-consistency: when the independent ranking prefers another candidate, the planner is asked again and the plan it adopts wins both", async () => {
    repo = new LoopRepo();
    expect((await repo.init()).code).toBe(0);
    const CACHE = OTHER_CANDIDATES[0] as string;
    const names = [HALVE, ...OTHER_CANDIDATES];
    server = await new FakeLlmServer({
      planner: [
        { json: draftPlan(CACHE, { candidates: names }) },
        { json: draftPlan(HALVE, { candidates: names }) },
      ],
      ranking: [ranking(names)],
      executor: editValue("100", "50"),
      reflexion: [REFLEXION],
    }).start();
    const result = await runLlm(repo, server, [
      "--model",
      "anthropic:claude-haiku-4-5",
      "--iterations",
      "1",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const asks = server.of("planner");
    expect(asks).toHaveLength(2);
    expect(asks[1]?.last).toMatch(/independent re-ranking/);
    expect(asks[1]?.last).toContain(`you chose "${CACHE}"`);
    // Asked once: the ranking was not repeated since the planner adopted its winner.
    expect(server.of("ranking")).toHaveLength(1);
    const plan = JSON.parse(readFileSync(join(iterationDir(repo), "plan.json"), "utf8"));
    expect(plan.chainOfThought.chosen).toBe(HALVE);
    expect(plan.selfConsistency.ranking[0]).toBe(HALVE);
  });
});

describe("llm agent: retries and refusals inside an iteration", () => {
  it("hands the failing test output and its own edits back to the executor, which fixes them", async () => {
    repo = new LoopRepo();
    expect((await repo.init()).code).toBe(0);
    server = await new FakeLlmServer({
      planner: [{ json: draftPlan(HALVE, { files: ["src/value.txt", "src/extra.txt"] }) }],
      ranking: [ranking([HALVE, ...OTHER_CANDIDATES])],
      executor: [
        {
          tools: [
            { name: "write_file", input: { path: "src/extra.txt", content: "broken\n" } },
            {
              name: "edit_file",
              input: { path: "src/value.txt", oldText: "100", newText: "50" },
            },
          ],
        },
        { text: "Halved the value and added a note." },
        // the retry: told the tests failed, it removes the note
        { tools: [{ name: "write_file", input: { path: "src/extra.txt", content: "fine\n" } }] },
        { text: "The note said broken, which the tests refuse; it says fine now." },
      ],
      reflexion: [REFLEXION],
    }).start();
    const result = await runLlm(repo, server, [...SONNET, "--iterations", "1"]);
    expect(result.code, result.stderr).toBe(0);
    expect(repo.decisions()).toEqual(["1:keep"]);
    const retry = server.of("executor")[2];
    expect(retry?.body.messages).toHaveLength(1); // a fresh context
    expect(retry?.text).toContain("This is a retry");
    expect(retry?.text).toContain("the tests 'sh test/check.sh'");
    expect(retry?.text).toContain("+broken"); // its own edits so far, as a diff
    expect(repo.file("src/extra.txt")).toBe("fine\n");
  });

  it("gives up after two repairs with the problems, logging the failed plan in the experiment folder", async () => {
    repo = new LoopRepo();
    expect((await repo.init()).code).toBe(0);
    const outside = { json: draftPlan(HALVE, { files: ["README.md"] }) };
    server = await new FakeLlmServer({ planner: [outside, outside, outside] }).start();
    const result = await runLlm(repo, server, ["--model", "openai:gpt-5"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /iteration 1: the planner's answer was still refused after 2 repairs: files: outside the scope \(src\/\*\*\): README\.md/,
    );
    expect(server.of("planner")).toHaveLength(3);
    expect(server.of("ranking")).toHaveLength(0);
    const log = readFileSync(join(repo.experimentDir(), "agent-log.jsonl"), "utf8");
    expect(log.split("\n").filter((l) => l.includes('"model-call"'))).toHaveLength(3);
    expect(log).toContain('"plan-failed"');
  });
});
