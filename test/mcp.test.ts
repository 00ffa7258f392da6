import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult, Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { createMcpServer } from "../src/mcp/server.js";
import { valuePlan } from "./helpers/host.js";
import { TempRepo } from "./helpers/temp-repo.js";

let repo: TempRepo;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  repo?.remove();
});

/** A host connected to the server in this process, as Claude Code connects over stdio. */
async function connect(cwd: string, logs: string[] = []): Promise<Client> {
  const server = createMcpServer({ cwd, version: "0.0.0-test", log: (line) => logs.push(line) });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const host = new Client({ name: "test-host", version: "1.0.0" });
  await host.connect(clientSide);
  return host;
}

interface Call {
  result: CallToolResult;
  data: Record<string, unknown>;
  text: string;
  progress: Progress[];
}

async function call(name: string, args: Record<string, unknown> = {}): Promise<Call> {
  const progress: Progress[] = [];
  const result = (await (client as Client).callTool({ name, arguments: args }, undefined, {
    onprogress: (p) => progress.push(p),
    timeout: 300_000,
    resetTimeoutOnProgress: true,
  })) as CallToolResult;
  const text = result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
  return {
    result,
    data: (result.structuredContent ?? {}) as Record<string, unknown>,
    text,
    progress,
  };
}

async function ok(name: string, args: Record<string, unknown> = {}): Promise<Call> {
  const done = await call(name, args);
  expect(done.result.isError, `${name}: ${done.text}`).toBeFalsy();
  return done;
}

async function refused(name: string, args: Record<string, unknown>, message: RegExp) {
  const done = await call(name, args);
  expect(done.result.isError, `${name} should be refused`).toBe(true);
  expect(done.text).toMatch(message);
  return done;
}

function project(): TempRepo {
  const made = new TempRepo();
  made.commit("project", {
    "src/value.txt": "100\n",
    "test/check.sh": "! grep -q broken src/*.txt\n",
    "README.md": "a project\n",
  });
  return made;
}

const ANSWERS = {
  goal: "make value smaller",
  scope: ["src/**"],
  metric: "value",
  direction: "lower",
  target: 85,
  threshold: "1%",
  test: "sh test/check.sh",
  bench: "cat src/value.txt",
};

describe("mcp: the host-mode tools through the SDK's client, in memory", () => {
  it("lists the tools with their input and output schemas", async () => {
    repo = project();
    client = await connect(repo.dir);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      "evaluate",
      "init_experiment",
      "lock_baseline",
      "next_iteration",
      "reflect",
      "report",
      "status",
      "submit_plan",
    ]);
    for (const tool of tools) {
      expect(tool.inputSchema.type, tool.name).toBe("object");
      expect(tool.outputSchema?.type, tool.name).toBe("object");
      expect(tool.description?.length, tool.name).toBeGreaterThan(60);
    }
    const plan = tools.find((t) => t.name === "submit_plan");
    expect(JSON.stringify(plan?.inputSchema)).toMatch(/"stepBack".*"chainOfThought".*"preMortem"/);
    expect(tools.find((t) => t.name === "status")?.annotations?.readOnlyHint).toBe(true);
    expect(client.getInstructions()).toMatch(
      /next_iteration .* submit_plan .* evaluate .* reflect/s,
    );
  });

  it("runs a whole experiment: init, baseline, a kept iteration, a refused order, stop, report", async () => {
    repo = project();
    const logs: string[] = [];
    client = await connect(join(repo.dir, "src"), logs);
    const where = { repository: repo.dir };

    await refused("init_experiment", { ...ANSWERS, target: "fast" }, /target/i);
    const init = await ok("init_experiment", { ...where, ...ANSWERS });
    expect(init.data).toMatchObject({
      name: "exp-001-make-value-smaller",
      branch: "auto-optimize/exp-001-make-value-smaller",
    });
    expect(init.progress.length).toBeGreaterThan(0);

    await refused(
      "next_iteration",
      where,
      /baseline .* not locked: lock it with the lock_baseline tool/,
    );
    const baseline = await ok("lock_baseline", where);
    expect(baseline.data).toMatchObject({ metric: "value", value: 100, targetReached: false });
    expect(baseline.progress.some((p) => /baseline run \d+\/\d+/.test(p.message ?? ""))).toBe(true);
    const counts = baseline.progress.map((p) => p.progress);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));

    await refused("evaluate", where, /no iteration is open: run the next_iteration tool/);
    const next = await ok("next_iteration", where);
    expect(next.data).toMatchObject({ iteration: 1, resumed: false, stop: null });
    expect(next.text).toMatch(/^# Iteration 1/);
    expect(next.text).toMatch(/submit it with the submit_plan tool/);
    expect((next.data.brief as { planSchema: unknown }).planSchema).toBeTruthy();

    await refused(
      "evaluate",
      where,
      /iteration 1 has no accepted plan yet: submit one with the submit_plan tool/,
    );
    const unranked = valuePlan(1, {
      selfConsistency: { ranking: ["odd-only", "sieve", "wheel"], notes: "re-ranked" },
    });
    await refused(
      "submit_plan",
      { ...where, plan: unranked },
      /selfConsistency.ranking: the independent ranking puts "odd-only" first/,
    );
    await refused("submit_plan", { ...where, plan: { strategy: "x" } }, /stepBack/);
    const plan = await ok("submit_plan", { ...where, plan: valuePlan(1) });
    expect(plan.data).toMatchObject({ iteration: 1, folder: "iter-001-lower-the-stored-value-1" });
    await refused(
      "submit_plan",
      { ...where, plan: valuePlan(1) },
      /already has its plan .* then run the evaluate tool/,
    );

    repo.write({ "src/value.txt": "80\n" });
    const evaluated = await ok("evaluate", where);
    expect(evaluated.data).toMatchObject({
      iteration: 1,
      decision: "keep",
      stop: "target reached: value 80 (target 85)",
      replayed: false,
    });
    expect((evaluated.data.delta as { improvement: number }).improvement).toBeCloseTo(0.2, 10);
    expect(evaluated.progress.map((p) => p.message)).toEqual(
      expect.arrayContaining(["checking protected files and scope", "testing", "committing"]),
    );
    // round k of at most N with the estimate so far, as notifications (issue 13, item 19)
    expect(
      evaluated.progress.some((p) =>
        /^measuring: round \d+ of at most \d+ · current estimate \+20\.0%$/.test(p.message ?? ""),
      ),
    ).toBe(true);
    expect(String(evaluated.data.nextHint)).toMatch(
      /the reflect tool; then stop .* the report tool/,
    );

    await refused("next_iteration", where, /waits for its reflexion: run the reflect tool first/);
    await refused("reflect", { ...where, reflexion: "" }, /the reflexion is empty/);
    const reflected = await ok("reflect", {
      ...where,
      reflexion: "# Iteration 1\n\nA smaller number is printed faster; the target is met.",
    });
    expect(reflected.data.stop).toBe("target reached: value 80 (target 85)");

    const status = await ok("status", where);
    expect(status.data).toMatchObject({
      iterations: { done: 1 },
      host: { expected: "report", stop: "target reached: value 80 (target 85)" },
    });
    const stop = await ok("next_iteration", where);
    expect(stop.data).toMatchObject({ stop: "target reached: value 80 (target 85)", brief: null });

    const report = await ok("report", { ...where, rounds: 10 });
    const headline = report.data.headline as { improvement: number; rounds: number };
    expect(headline.improvement).toBeCloseTo(0.2, 10);
    expect(report.progress.map((p) => p.message)).toContain(
      "re-measure: round 10 of at most 10 · current estimate +20.0%",
    );
    const path = String(report.data.path);
    expect(path).toMatch(/^\/.*experiments\/exp-001-make-value-smaller\/final-report\.md$/);
    expect(String(report.data.htmlPath)).toBe(path.replace(/final-report\.md$/, "report.html"));
    expect(existsSync(String(report.data.htmlPath))).toBe(true);
    expect(readFileSync(path, "utf8")).toMatch(/iteration/i);
    expect(repo.git("status", "--porcelain")).toBe("");
    expect(repo.git("log", "-1", "--format=%s")).toBe("experiment(exp-001): final report");

    expect(logs).toEqual(expect.arrayContaining(["evaluate: started", "evaluate: done"]));
    expect(logs.some((l) => /next_iteration: refused \(out-of-order\)/.test(l))).toBe(true);
  });

  it("rejects a protected-file edit and drops a regression, one call at a time", async () => {
    repo = project();
    client = await connect(repo.dir);
    await ok("init_experiment", ANSWERS);
    await ok("lock_baseline", {});

    await ok("next_iteration");
    await ok("submit_plan", { plan: valuePlan(1) });
    repo.write({ "src/value.txt": "50\n", "test/check.sh": "true\n" });
    const rejected = await ok("evaluate");
    expect(rejected.data).toMatchObject({ decision: "rejected" });
    expect((rejected.data.result as { violations: string[] }).violations).toContain(
      "protected file test/check.sh was modified",
    );
    expect(readFileSync(join(repo.dir, "test/check.sh"), "utf8")).toBe(
      "! grep -q broken src/*.txt\n",
    );
    await ok("reflect", { reflexion: "Editing the test is never allowed: rejected and reverted." });

    await ok("next_iteration");
    await ok("submit_plan", { plan: valuePlan(2) });
    repo.write({ "src/value.txt": "130\n" });
    // Two calls at once: the server runs them one after the other.
    const [dropped, status] = await Promise.all([call("evaluate"), call("status")]);
    expect(dropped.data).toMatchObject({ decision: "drop" });
    expect(status.data).toMatchObject({ host: { expected: "reflect" } });
    expect(readFileSync(join(repo.dir, "src/value.txt"), "utf8")).toBe("100\n");
  });

  it("init_experiment takes a behaviour check: dry-run twice, kept in experiment.json", async () => {
    repo = project();
    repo.commit("a check", { "check/print.sh": "cat src/value.txt\n" });
    client = await connect(repo.dir);
    await refused(
      "init_experiment",
      { ...ANSWERS, check: "od -An -tu4 -N4 /dev/urandom" },
      /cannot be a differential check/,
    );
    const init = await ok("init_experiment", { ...ANSWERS, check: "sh check/print.sh" });
    expect(init.data.dryRun).toMatchObject({ check: { lines: 1 } });
    expect(init.data.protectedFiles).toContain("check/print.sh");
    const experiment = JSON.parse(
      readFileSync(join(repo.dir, String(init.data.path), "experiment.json"), "utf8"),
    );
    expect(experiment.commands.check).toBe("sh check/print.sh");

    // A gain that changes what the check prints is rejected through MCP as through the loop.
    await ok("lock_baseline", {});
    await ok("next_iteration");
    await ok("submit_plan", { plan: valuePlan(1) });
    repo.write({ "src/value.txt": "50\n" });
    const evaluated = await ok("evaluate");
    expect(evaluated.data).toMatchObject({
      decision: "rejected",
      result: { guard: "behaviour-changed", verdict: null },
    });
    expect(String((evaluated.data.result as { reason: string }).reason)).toMatch(
      /^behaviour-changed: the check command 'sh check\/print\.sh' prints something else/,
    );
    expect(readFileSync(join(repo.dir, "src/value.txt"), "utf8")).toBe("100\n");
  });
});
