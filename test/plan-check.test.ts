import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyPrompt } from "../src/agent/cli/prompts.js";
import { EXECUTOR_SYSTEM } from "../src/agent/llm/prompts.js";
import { briefText, buildBrief } from "../src/agent/plan/brief.js";
import { checkPlan } from "../src/agent/plan/check.js";
import { renderPlanMarkdown } from "../src/agent/plan/render.js";
import { outcomeFacts } from "../src/agent/reflexion-input.js";
import type { IterationContext, Outcome, Plan } from "../src/agent/types.js";
import { Experiment } from "../src/experiment/schema.js";
import { validPlan } from "./helpers/plans.js";

function context(
  tried: IterationContext["tried"] = [],
  experimentDir = "/nonexistent",
): IterationContext {
  const experiment = Experiment.parse({
    schemaVersion: 1,
    id: "exp-001",
    slug: "primes",
    createdAt: "2026-11-26T00:00:00Z",
    goal: "count primes faster",
    scope: ["src/**"],
    protect: ["test/**"],
    metric: { name: "count_primes", direction: "lower" },
    target: 5,
    threshold: 0.02,
    iterations: 10,
    commands: { test: "node test.js", bench: "node bench.js" },
    branch: "auto-optimize/exp-001-primes",
    baseCommit: "0".repeat(40),
  });
  return {
    experiment,
    root: "/repo",
    experimentDir,
    iteration: tried.length + 1,
    worktree: "/repo/.git/auto-optimize/x/candidate",
    baseline: { value: 24 },
    best: { commit: "1".repeat(40), value: 24, knobs: {} },
    leaderboard: "| Rank |",
    reflexions: ["lesson: the inner loop dominates"],
    tried,
    hotspots: "countPrimes  src/primes.js:4  92%",
  };
}

const problems = (input: unknown, ctx = context()) => {
  const result = checkPlan(input, ctx);
  return result.ok ? [] : result.problems;
};

describe("checkPlan", () => {
  it("accepts a complete plan", () => {
    expect(checkPlan(validPlan(), context())).toMatchObject({ ok: true });
  });

  it("names every missing or malformed field", () => {
    const { preMortem: _drop, ...rest } = validPlan();
    const found = problems({ ...rest, stepBack: { ...rest.stepBack, bottleneck: "disk" } });
    expect(found.some((p) => p.startsWith("stepBack.bottleneck:"))).toBe(true);
    expect(found.some((p) => p.startsWith("preMortem:"))).toBe(true);
    const two = validPlan();
    two.chainOfThought.candidates = two.chainOfThought.candidates.slice(0, 2);
    expect(problems(two).some((p) => p.startsWith("chainOfThought.candidates:"))).toBe(true);
  });

  it("requires the chosen strategy to win the independent ranking too", () => {
    const plan = validPlan({
      selfConsistency: { ranking: ["wheel", "sieve", "odd-only"], notes: "" },
    });
    expect(problems(plan)).toEqual([
      'selfConsistency.ranking: the independent ranking puts "wheel" first but chainOfThought.chosen is "sieve"; the chosen strategy must win both — choose the one that wins both or re-rank honestly',
    ]);
    const partial = validPlan({
      selfConsistency: { ranking: ["sieve", "wheel", "bogus"], notes: "" },
    });
    expect(problems(partial)[0]).toMatch(
      /must list every candidate exactly once; missing odd-only; not candidates: bogus/,
    );
    const unknownChoice = validPlan();
    unknownChoice.chainOfThought.chosen = "magic";
    expect(problems(unknownChoice)[0]).toMatch(/"magic" is not one of the candidates/);
  });

  it("refuses files outside the scope", () => {
    expect(problems(validPlan({ files: ["src/primes.js", "test/test.js"] }))).toEqual([
      "files: outside the scope (src/**): test/test.js",
    ]);
  });

  it("refuses a strategy already tried, by name or by substance", () => {
    const byName = context([
      { iteration: 1, strategy: "Sieve of  Eratosthenes!", decision: "drop" },
    ]);
    expect(problems(validPlan(), byName)[0]).toMatch(/already tried in iteration 1 \(drop\)/);
    const dir = mkdtempSync(join(tmpdir(), "plans-"));
    mkdirSync(join(dir, "iterations", "iter-001-x"), { recursive: true });
    writeFileSync(
      join(dir, "iterations", "iter-001-x", "plan.json"),
      JSON.stringify(validPlan({ strategy: "eratosthenes sieve" })),
    );
    const bySubstance = context(
      [{ iteration: 1, strategy: "eratosthenes sieve", decision: "drop", folder: "iter-001-x" }],
      dir,
    );
    expect(problems(validPlan({ strategy: "prime sieve" }), bySubstance)[0]).toMatch(
      /substantially the same plan as iteration 1/,
    );
    expect(
      problems(
        validPlan({
          strategy: "wheel factorization",
          summary: "skip multiples of small primes with a wheel of 30",
          steps: ["unroll divisibility by 2, 3, 5 and iterate over the 8 residues"],
        }),
        bySubstance,
      ),
    ).toEqual([]);
  });
});

describe("siblings and runner-ups of run --parallel", () => {
  it("refuses a sibling's strategy, and takes a runner-up's again until it is tried once more", () => {
    const plan = validPlan();
    const withSibling = { ...context(), siblings: ["sieve of eratosthenes"] };
    expect(problems(plan, withSibling)[0]).toMatch(
      /is being tried now by a sibling in this generation/,
    );
    const runnerUp = context([
      { iteration: 1, strategy: "Sieve of Eratosthenes", decision: "runner-up" },
    ]);
    expect(problems(plan, runnerUp)).toEqual([]);
    const text = briefText(buildBrief({ ...runnerUp, siblings: ["wheel factorization"] }));
    expect(text).toContain("## Siblings in this generation");
    expect(text).toContain("- wheel factorization");
    expect(text).toContain("## Runner-ups (may be proposed again)\n\nThese improved credibly");
    expect(text).toContain("- Sieve of Eratosthenes");
    const triedAgain = context([
      { iteration: 1, strategy: "Sieve of Eratosthenes", decision: "runner-up" },
      { iteration: 4, strategy: "Sieve of Eratosthenes", decision: "drop" },
    ]);
    expect(problems(plan, triedAgain)[0]).toMatch(/already tried in iteration 1 \(runner-up\)/);
    expect(briefText(buildBrief(triedAgain))).not.toContain("## Runner-ups");
  });
});

describe("a plan that contains a strategy already tried (issue 13, item 10)", () => {
  const tried = context([{ iteration: 2, strategy: "direct comparator", decision: "drop" }]);
  const combined = validPlan({ strategy: "lean loop + direct comparator" });

  it("is flagged, naming the iteration, and asked what is new", () => {
    expect(problems(combined, tried)).toEqual([
      'strategy: "lean loop + direct comparator" contains "direct comparator", already tried in iteration 2 (drop); say in beyondTried what this plan adds to it and why it should fare differently, or propose a different approach',
    ]);
  });

  it("is accepted once beyondTried says what is new, which plan.md shows", () => {
    const explained = {
      ...combined,
      beyondTried: "the lean loop removes the bounds checks the comparator alone left in place",
    };
    expect(problems(explained, tried)).toEqual([]);
    expect(renderPlanMarkdown(explained, 3)).toContain(
      "**Beyond what was tried:** the lean loop removes the bounds checks",
    );
  });

  it("matches whole words only", () => {
    const short = context([{ iteration: 1, strategy: "loop", decision: "drop" }]);
    expect(problems(validPlan({ strategy: "unrolled loops" }), short)).toEqual([]);
  });
});

describe("plan.md and the brief", () => {
  it("render the four techniques and what the planner must know", () => {
    const md = renderPlanMarkdown(validPlan(), 3);
    for (const heading of [
      "## Step-Back",
      "## Chain-of-Thought",
      "## Self-Consistency",
      "## Pre-mortem",
      "## Changes",
    ]) {
      expect(md).toContain(heading);
    }
    expect(md).toContain("| **sieve** |");
    const brief = buildBrief(context([{ iteration: 1, strategy: "odd-only", decision: "drop" }]));
    expect(brief.planSchema).toMatchObject({ type: "object" });
    const text = briefText(brief);
    expect(text).toContain("iteration 1: odd-only → drop");
    expect(text).toContain("countPrimes  src/primes.js:4  92%");
    expect(text).toContain("Scope — the only files you may change: src/**");
  });

  it("state the rules the program checks, to the planner and the executors alike", () => {
    const text = briefText(buildBrief(context([])));
    const rules = text.slice(text.indexOf("## Rules"), text.indexOf("## Hot spots"));
    expect(rules).toMatch(/Same behaviour: .*behaviour-changed/);
    expect(rules).toContain("The benchmark's input is not special");
    expect(rules).toMatch(/Real time saved: .*metric-inconsistent/);
    expect(rules).toContain("No state between runs");
    for (const executor of [EXECUTOR_SYSTEM, applyPrompt(planOf(), RULES, null)]) {
      expect(executor).toContain("The benchmark's input is not special");
    }
  });

  it("tell the reflexion why a guard rejected the candidate", () => {
    const outcome: Outcome = {
      decision: "rejected",
      reason: 'behaviour-changed: line 2 "digest 46270f0a" → "digest 9f1c0b3e"',
      verdict: "improved",
      improvement: 0.94,
      ci: [0.9, 0.96],
      value: 12,
      diff: "",
      testOutput: null,
      violations: [],
      guard: "behaviour-changed",
    };
    const facts = outcomeFacts(outcome).join("\n");
    expect(facts).toContain('digest 46270f0a" → "digest 9f1c0b3e');
    expect(facts).toMatch(/Rejected by the behaviour check .*must keep the output identical/);
    expect(outcomeFacts({ ...outcome, guard: undefined }).join("\n")).not.toContain("Rejected by");
  });
});

const RULES = { scope: ["src/**"], protect: ["test/**"], test: "npm test" };

function planOf(): Plan {
  return { strategy: "sieve", markdown: renderPlanMarkdown(validPlan(), 1), data: validPlan() };
}
