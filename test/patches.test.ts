import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPatchesAgent, type PatchesPlanData } from "../src/agent/patches/index.js";
import type { Agent, IterationContext, Outcome, Plan } from "../src/agent/types.js";
import { AutoOptimizeError, UsageError } from "../src/errors.js";
import type { IterationDecision } from "../src/experiment/events.js";
import { Experiment } from "../src/experiment/schema.js";
import { TempRepo } from "./helpers/temp-repo.js";

const BASE = {
  "src/sum.js":
    "export function sum(xs) {\n  let s = 0;\n  for (const x of xs) s += x;\n  return s;\n}\n",
  // Ends with a blank line, so a diff of line 2 ends with a context line holding one space.
  "src/config.txt": "size=10\nmode=slow\n\n",
  "README.md": "demo\n",
};

let repo: TempRepo;
let worktree: string;
let base: string;

beforeEach(() => {
  repo = new TempRepo();
  base = repo.commit("base", BASE);
  worktree = join(repo.dir, ".git", "candidate");
  repo.git("worktree", "add", "--detach", "--quiet", worktree, base);
});

afterEach(() => repo.remove());

/** A diff made with git in the repository (untrimmed: trailing blanks matter), then undone. */
function diffOf(files: Record<string, string>): string {
  repo.write(files);
  const diff = execFileSync("git", ["diff"], { cwd: repo.dir, encoding: "utf8" });
  repo.git("checkout", "--", ".");
  return diff;
}

function resetWorktree(): void {
  repo.git("-C", worktree, "reset", "--hard", "--quiet", base);
  repo.git("-C", worktree, "clean", "-fdq");
}

function context(tried: string[], decision: IterationDecision = "drop"): IterationContext {
  return {
    experiment: Experiment.parse({
      schemaVersion: 1,
      id: "exp-001",
      slug: "p",
      createdAt: "2025-01-01T00:00:00Z",
      goal: "faster",
      scope: ["src/**"],
      protect: [],
      metric: { name: "time", direction: "lower" },
      target: 1,
      threshold: 0.01,
      iterations: 10,
      commands: { test: "true", bench: "true" },
      branch: "auto-optimize/exp-001-p",
      baseCommit: base,
    }),
    root: repo.dir,
    experimentDir: join(repo.dir, "experiments", "exp-001-p"),
    iteration: tried.length + 1,
    worktree,
    baseline: { value: 10 },
    best: { commit: base, value: 10, knobs: { THREADS: 2 } },
    leaderboard: "",
    reflexions: [],
    tried: tried.map((strategy, i) => ({ iteration: i + 1, strategy, decision })),
    hotspots: null,
  };
}

async function planOf(agent: Agent, tried: string[]): Promise<Plan> {
  const plan = await agent.plan(context(tried));
  if (!plan) throw new Error("expected a plan");
  return plan;
}

const outcome: Outcome = {
  decision: "keep",
  reason: "improved beyond the threshold",
  verdict: "improved",
  improvement: 0.123,
  ci: [0.05, 0.2],
  value: 8.8,
  diff: "",
  testOutput: null,
  violations: [],
};

describe("patches agent: a folder of patch files", () => {
  function writePatches(): string {
    const dir = join(repo.dir, ".git", "patches");
    mkdirSync(dir, { recursive: true });
    const loop = diffOf({
      "src/sum.js": "export function sum(xs) {\n  return xs.reduce((a, b) => a + b, 0);\n}\n",
    });
    writeFileSync(
      join(dir, "001-reduce.patch"),
      `From 0000 Mon Sep 17 00:00:00 2001\nFrom: Someone <s@example.com>\nSubject: [PATCH 1/2] Use reduce instead of a loop\n\n---\n${loop}`,
    );
    writeFileSync(
      join(dir, "002-config.diff"),
      diffOf({ "src/config.txt": "size=10\nmode=fast\n\n" }),
    );
    writeFileSync(
      join(dir, "003-stale.patch"),
      diffOf({ "README.md": "demo\nmore\n" }).replace(/^ demo$/m, " gone"),
    );
    writeFileSync(join(dir, "notes.txt"), "not a patch\n");
    return dir;
  }

  it("proposes the patches by name, skipping the ones already tried, then null", async () => {
    const dir = writePatches();
    const agent = createPatchesAgent({ dir }, repo.dir);
    expect((await planOf(agent, [])).strategy).toBe("001-reduce.patch");
    expect((await planOf(agent, ["001-reduce.patch"])).strategy).toBe("002-config.diff");
    expect((await planOf(agent, ["001-reduce.patch", "002-config.diff"])).strategy).toBe(
      "003-stale.patch",
    );
    expect(
      await agent.plan(context(["001-reduce.patch", "002-config.diff", "003-stale.patch"])),
    ).toBeNull();
    // Another agent's strategies do not count.
    expect((await planOf(agent, ["something else"])).strategy).toBe("001-reduce.patch");
  });

  it("shows the subject and the stat in plan.md", async () => {
    const agent = createPatchesAgent({ dir: writePatches() }, repo.dir);
    const plan = await planOf(agent, []);
    expect(plan.markdown).toContain("**Subject:** Use reduce instead of a loop");
    expect(plan.markdown).toMatch(/src\/sum\.js \| +4 \+-+/);
    expect(plan.markdown).toContain("**Left after this one:** 2");
    expect((plan.data as PatchesPlanData).subject).toBe("Use reduce instead of a loop");
  });

  it("applies a patch in the worktree only, and again harmlessly on a retry", async () => {
    const agent = createPatchesAgent({ dir: writePatches() }, repo.dir);
    const plan = await planOf(agent, ["001-reduce.patch"]);
    const applied = await agent.apply(context(["001-reduce.patch"]), plan, null);
    expect(applied.summary).toContain("002-config.diff");
    expect(applied.knobs).toEqual({ THREADS: 2 });
    expect(readFileSync(join(worktree, "src/config.txt"), "utf8")).toBe("size=10\nmode=fast\n\n");
    expect(readFileSync(join(repo.dir, "src/config.txt"), "utf8")).toBe(BASE["src/config.txt"]);
    const again = await agent.apply(context(["001-reduce.patch"]), plan, "test failed");
    expect(again.summary).toMatch(/already applied/);
  });

  it("fails with git's message when a patch does not apply", async () => {
    const agent = createPatchesAgent({ dir: writePatches() }, repo.dir);
    const tried = ["001-reduce.patch", "002-config.diff"];
    const plan = await planOf(agent, tried);
    const error = await agent.apply(context(tried), plan, null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AutoOptimizeError);
    expect((error as AutoOptimizeError).code).toBe("patch-does-not-apply");
    expect((error as Error).message).toMatch(/003-stale\.patch does not apply .*README\.md/s);
    expect(repo.git("-C", worktree, "status", "--porcelain")).toBe("");
  });

  it("refuses a missing or empty folder", async () => {
    const missing = createPatchesAgent({ dir: "no-such-folder" }, repo.dir);
    await expect(missing.plan(context([]))).rejects.toThrow(/patch folder .*no-such-folder/);
    mkdirSync(join(repo.dir, "empty"));
    const empty = createPatchesAgent({ dir: "empty" }, repo.dir);
    await expect(empty.plan(context([]))).rejects.toBeInstanceOf(UsageError);
    expect(() => createPatchesAgent({}, repo.dir)).toThrow(UsageError);
  });

  it("writes the facts and what comes next into the reflexion", async () => {
    const agent = createPatchesAgent({ dir: writePatches() }, repo.dir);
    const plan = await planOf(agent, []);
    const text = await agent.reflect(context([]), plan, outcome);
    expect(text).toContain("**Decision:** keep — improved beyond the threshold");
    expect(text).toContain("+12.30% (CI +5.00% to +20.00%)");
    expect(text).toContain("**Next:** `002-config.diff` (2 left)");
    const last = await planOf(agent, ["001-reduce.patch", "002-config.diff"]);
    const end = await agent.reflect(context(["001-reduce.patch", "002-config.diff"]), last, {
      ...outcome,
      decision: "test-failed",
      improvement: null,
      ci: null,
      value: null,
      testOutput: "FAIL sum\nexpected 6, got 7\n",
    });
    expect(end).toContain("not measured");
    expect(end).toContain("every candidate has been tried");
    expect(end).toContain("expected 6, got 7");
  });
});

describe("patches agent: revisions", () => {
  let first: string;

  beforeEach(() => {
    repo.git("checkout", "--quiet", "-b", "ideas");
    first = repo.commit("Use reduce in sum", {
      "src/sum.js": "export function sum(xs) {\n  return xs.reduce((a, b) => a + b, 0);\n}\n",
    });
    repo.commit("Switch to fast mode", { "src/config.txt": "size=10\nmode=fast\n\n" });
    repo.commit("Rewrite the readme", { "README.md": "other\n" });
    repo.git("checkout", "--quiet", "main");
    repo.commit("Main moved on", { "README.md": "demo, moved\n" });
  });

  it("applies each revision's own diff in order, skipping tried ones", async () => {
    const revisions = [first, "ideas~1", "ideas"];
    const agent = createPatchesAgent({ revisions }, repo.dir);
    const plan1 = await planOf(agent, []);
    expect(plan1.strategy).toBe(first);
    expect(plan1.markdown).toContain("**Subject:** Use reduce in sum");
    expect(plan1.markdown).toMatch(/src\/sum\.js \| +4 \+-+/);

    // ideas~1 alone (without its parent's change) on the base: only config.txt changes.
    const plan2 = await planOf(agent, [first]);
    expect(plan2.strategy).toBe("ideas~1");
    await agent.apply(context([first]), plan2, null);
    expect(repo.git("-C", worktree, "status", "--porcelain")).toBe("M src/config.txt");
    expect(readFileSync(join(worktree, "src/config.txt"), "utf8")).toBe("size=10\nmode=fast\n\n");
    resetWorktree();

    expect(await agent.plan(context([first, "ideas~1", "ideas"]))).toBeNull();
  });

  it("keeps naming the commit a revision named at the start", async () => {
    const agent = createPatchesAgent({ revisions: ["ideas"] }, repo.dir);
    const plan = await planOf(agent, []);
    repo.git("branch", "-f", "ideas", first);
    await agent.apply(context([]), plan, null);
    expect(readFileSync(join(worktree, "README.md"), "utf8")).toBe("other\n");
  });

  it("fails with git's message when a revision's diff does not apply", async () => {
    const agent = createPatchesAgent({ revisions: ["ideas"] }, repo.dir);
    const moved = repo.git("rev-parse", "HEAD");
    repo.git("-C", worktree, "checkout", "--quiet", "--detach", moved);
    const plan = await planOf(agent, []);
    await expect(agent.apply(context([]), plan, null)).rejects.toThrow(
      /ideas does not apply to the current best .*README\.md/s,
    );
  });

  it("refuses an unknown revision before any iteration", async () => {
    const agent = createPatchesAgent({ revisions: ["ideas", "no-such-branch"] }, repo.dir);
    await expect(agent.plan(context([]))).rejects.toThrow(/unknown revision 'no-such-branch'/);
  });

  it("takes a root commit as its diff against the empty tree", async () => {
    const agent = createPatchesAgent({ revisions: [base] }, repo.dir);
    const plan = await planOf(agent, []);
    expect(plan.markdown).toContain("the empty tree");
    const empty = join(repo.dir, ".git", "empty-wt");
    repo.git("worktree", "add", "--detach", "--quiet", empty, base);
    repo.git("-C", empty, "rm", "-rq", ".");
    await agent.apply({ ...context([]), worktree: empty }, plan, null);
    expect(readFileSync(join(empty, "src/config.txt"), "utf8")).toBe(BASE["src/config.txt"]);
  });
});
