import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTunerAgent, parseStrategy, type TunerPlanData } from "../src/agent/tuner/index.js";
import type { Agent, IterationContext, Outcome, Plan } from "../src/agent/types.js";
import type { IterationDecision } from "../src/experiment/events.js";
import { initialKnobValues } from "../src/experiment/knobs.js";
import { Experiment, type KnobValue } from "../src/experiment/schema.js";

type Values = Record<string, KnobValue>;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function experimentWith(knobs: unknown[]): Experiment {
  return Experiment.parse({
    schemaVersion: 1,
    id: "exp-001",
    slug: "tune",
    createdAt: "2025-01-01T00:00:00Z",
    goal: "tune",
    scope: ["src/**"],
    protect: [],
    metric: { name: "time", direction: "lower" },
    target: 1,
    threshold: 0.01,
    iterations: 100,
    commands: { test: "true", bench: "true" },
    knobs,
    branch: "auto-optimize/exp-001-tune",
    baseCommit: "0".repeat(40),
  });
}

interface Trial {
  iteration: number;
  strategy: string;
  assignment: Values;
  value: number;
  decision: IterationDecision;
  reflexion: string;
}

interface Run {
  trials: Trial[];
  best: { value: number; knobs: Values; assignment: Values };
  /** True when the tuner said it had nothing left (not the budget). */
  converged: boolean;
  /** The context the next iteration would get. */
  context: IterationContext;
}

/**
 * A tiny stand-in for the loop: plan → apply (file knobs in a scratch worktree reset to the best's
 * files) → "measure" a deterministic objective of the full assignment (lower is better) → keep
 * when better by at least the threshold → reflect → next context from tried + best.
 */
async function simulate(
  experiment: Experiment,
  objective: (values: Values) => number,
  options: {
    budget: number;
    agent?: () => Agent;
    files?: Record<string, string>;
    readFiles?: (worktree: string) => Values;
    start?: IterationContext;
  },
): Promise<Run> {
  const worktree = mkdtempSync(join(tmpdir(), "auto-optimize-tuner-"));
  dirs.push(worktree);
  let bestFiles = { ...options.files };
  const readFiles = options.readFiles ?? (() => ({}));
  const initial = initialKnobValues(experiment.knobs);
  let bestAssignment = { ...initial };
  const context: IterationContext = options.start ?? {
    experiment,
    root: worktree,
    experimentDir: join(worktree, "experiments"),
    iteration: 1,
    worktree,
    baseline: { value: objective(initial) },
    best: { commit: "b0", value: objective(initial), knobs: { ...initial } },
    leaderboard: "",
    reflexions: [],
    tried: [],
    hotspots: null,
  };
  const trials: Trial[] = [];
  const single = createTunerAgent();
  let ctx = { ...context, worktree };
  for (let n = 0; n < options.budget; n++) {
    const agent = options.agent ? options.agent() : single;
    const plan = await agent.plan(ctx);
    if (!plan)
      return {
        trials,
        best: { ...ctx.best, assignment: bestAssignment },
        converged: true,
        context: ctx,
      };
    for (const [path, content] of Object.entries(bestFiles))
      writeFileSync(join(worktree, path), content);
    const applied = await agent.apply(ctx, plan, null);
    const assignment = { ...applied.knobs, ...readFiles(worktree) };
    expect(assignment).toEqual((plan.data as TunerPlanData).assignment);
    const value = objective(assignment);
    const improvement = 1 - value / ctx.best.value;
    const decision: IterationDecision = improvement >= experiment.threshold ? "keep" : "drop";
    const outcome: Outcome = {
      decision,
      reason: decision === "keep" ? "improved" : "inconclusive",
      verdict: decision === "keep" ? "improved" : "no-change",
      improvement,
      ci: [improvement - 0.01, improvement + 0.01],
      value,
      diff: "",
      testOutput: null,
      violations: [],
    };
    const reflexion = await agent.reflect(ctx, plan, outcome);
    trials.push({
      iteration: ctx.iteration,
      strategy: plan.strategy,
      assignment,
      value,
      decision,
      reflexion,
    });
    const best =
      decision === "keep"
        ? { commit: `b${ctx.iteration}`, value, knobs: applied.knobs ?? {} }
        : ctx.best;
    if (decision === "keep") {
      bestAssignment = assignment;
      bestFiles = Object.fromEntries(
        Object.keys(bestFiles).map((path) => [path, readFileSync(join(worktree, path), "utf8")]),
      );
    }
    ctx = {
      ...ctx,
      iteration: ctx.iteration + 1,
      best,
      tried: [...ctx.tried, { iteration: ctx.iteration, strategy: plan.strategy, decision }],
      reflexions: [...ctx.reflexions, reflexion],
    };
  }
  return {
    trials,
    best: { ...ctx.best, assignment: bestAssignment },
    converged: false,
    context: ctx,
  };
}

function dataOf(plan: Plan | null): TunerPlanData {
  if (!plan) throw new Error("expected a plan");
  return plan.data as TunerPlanData;
}

function expectNoRepeats(run: Run, initial: Values): void {
  const keys = run.trials.map((t) => JSON.stringify(t.assignment, Object.keys(initial).sort()));
  expect(new Set(keys).size).toBe(keys.length);
  expect(keys).not.toContain(JSON.stringify(initial, Object.keys(initial).sort()));
}

const intKnob = {
  name: "THREADS",
  kind: "env",
  domain: { type: "int", min: 1, max: 64 },
  initial: 4,
};

describe("tuner: coordinate descent", () => {
  it("finds the optimum of a unimodal integer knob within a small budget, then stops", async () => {
    const experiment = experimentWith([intKnob]);
    const run = await simulate(experiment, (v) => 1 + ((v.THREADS as number) - 37) ** 2, {
      budget: 15,
    });
    expect(run.converged).toBe(true);
    expect(run.best.knobs).toEqual({ THREADS: 37 });
    expect(run.trials.length).toBeLessThanOrEqual(12);
    expect(run.trials.map((t) => t.strategy)).toEqual([
      "THREADS=20",
      "THREADS=36",
      "THREADS=52",
      "THREADS=44",
      "THREADS=28",
      "THREADS=40",
      "THREADS=32",
      "THREADS=38",
      "THREADS=34",
      "THREADS=37",
    ]);
    expectNoRepeats(run, { THREADS: 4 });
    expect(await createTunerAgent().plan(run.context)).toBeNull();
  });

  it("respects min and max and reaches an optimum on the boundary", async () => {
    const experiment = experimentWith([{ ...intKnob, initial: 60 }]);
    const run = await simulate(experiment, (v) => 100 - (v.THREADS as number), { budget: 20 });
    expect(run.converged).toBe(true);
    expect(run.best.knobs.THREADS).toBe(64);
    for (const t of run.trials) {
      expect(t.assignment.THREADS).toBeGreaterThanOrEqual(1);
      expect(t.assignment.THREADS).toBeLessThanOrEqual(64);
    }
    expectNoRepeats(run, { THREADS: 60 });
  });

  it("tunes int, enum, bool and float knobs together and converges to the optimum", async () => {
    const experiment = experimentWith([
      { name: "batch", kind: "env", domain: { type: "int", min: 1, max: 100 }, initial: 50 },
      {
        name: "mode",
        kind: "arg",
        flag: "--mode",
        domain: { type: "enum", values: ["slow", "safe", "fast"] },
        initial: "slow",
      },
      { name: "cache", kind: "env", domain: { type: "bool" }, initial: false },
      { name: "ratio", kind: "env", domain: { type: "float", min: 0, max: 1 }, initial: 0.5 },
    ]);
    const objective = (v: Values) =>
      (1 + ((v.batch as number) - 10) ** 2 / 100) *
      ({ slow: 2, safe: 1.5, fast: 1 }[v.mode as string] as number) *
      (v.cache ? 0.8 : 1) *
      (1 + 100 * ((v.ratio as number) - 0.3) ** 2);
    const run = await simulate(experiment, objective, { budget: 80 });
    expect(run.converged).toBe(true);
    const best = run.best.knobs;
    // batch=11 is within the 1% threshold of batch=10 (1.01 vs 1.00), so either may stand.
    expect(Math.abs((best.batch as number) - 10)).toBeLessThanOrEqual(1);
    expect(best.mode).toBe("fast");
    expect(best.cache).toBe(true);
    expect(Math.abs((best.ratio as number) - 0.3)).toBeLessThan(0.02);
    expectNoRepeats(run, { batch: 50, mode: "slow", cache: false, ratio: 0.5 });
    // Every proposal changes exactly one knob of the best it started from, and floats stay tidy.
    let base: Values = { batch: 50, mode: "slow", cache: false, ratio: 0.5 };
    for (const t of run.trials) {
      const changed = Object.keys(base).filter((k) => t.assignment[k] !== base[k]);
      expect(changed).toHaveLength(1);
      expect(t.strategy).toBe(`${changed[0]}=${String(t.assignment[changed[0] as string])}`);
      expect(String(t.assignment.ratio).length).toBeLessThan(10);
      if (t.decision === "keep") base = t.assignment;
    }
  });

  it("tries each other enum value and the other bool value, then returns null", async () => {
    const experiment = experimentWith([
      {
        name: "alloc",
        kind: "env",
        domain: { type: "enum", values: ["a", "b", "c"] },
        initial: "b",
      },
      { name: "jit", kind: "env", domain: { type: "bool" }, initial: true },
    ]);
    const run = await simulate(experiment, () => 5, { budget: 10 });
    expect(run.converged).toBe(true);
    expect(run.trials.map((t) => t.strategy)).toEqual(["alloc=c", "alloc=a", "jit=false"]);
  });

  it("moves on to the next knob after a keep and re-opens earlier knobs once the best changed", async () => {
    const experiment = experimentWith([
      { name: "x", kind: "env", domain: { type: "enum", values: ["p", "q"] }, initial: "p" },
      { name: "y", kind: "env", domain: { type: "enum", values: ["p", "q"] }, initial: "p" },
    ]);
    // x=q helps only once y=q: coordinate descent must come back to x.
    const table: Record<string, number> = { pp: 10, qp: 10, pq: 8, qq: 4 };
    const run = await simulate(experiment, (v) => table[`${v.x}${v.y}`] as number, { budget: 10 });
    expect(run.trials.map((t) => [t.strategy, t.decision])).toEqual([
      ["x=q", "drop"],
      ["y=q", "keep"],
      ["x=q", "keep"],
    ]);
    expect(run.converged).toBe(true);
    expect(run.best.knobs).toEqual({ x: "q", y: "q" });
  });

  it("writes file knobs into the worktree and returns only env/arg knobs", async () => {
    const experiment = experimentWith([
      {
        name: "BLOCK",
        kind: "file",
        file: "config.js",
        pattern: "^const BLOCK = (\\d+);",
        domain: { type: "int", min: 1, max: 33 },
        initial: 1,
      },
      { name: "W", kind: "env", domain: { type: "int", min: 1, max: 5 }, initial: 1 },
    ]);
    const readFiles = (worktree: string): Values => ({
      BLOCK: Number(
        /const BLOCK = (\d+);/.exec(readFileSync(join(worktree, "config.js"), "utf8"))?.[1],
      ),
    });
    const run = await simulate(
      experiment,
      (v) => 1 + ((v.BLOCK as number) - 17) ** 2 + ((v.W as number) - 3) ** 2,
      { budget: 40, files: { "config.js": "// config\nconst BLOCK = 1;\n" }, readFiles },
    );
    expect(run.converged).toBe(true);
    expect(run.best.assignment).toEqual({ BLOCK: 17, W: 3 });
    // The loop records Applied.knobs as the best's knobs: the file knob lives in the code instead.
    expect(run.best.knobs).toEqual({ W: 3 });
    expectNoRepeats(run, { BLOCK: 1, W: 1 });
  });
});

describe("tuner: state from the context alone", () => {
  const experiment = experimentWith([
    intKnob,
    { name: "mode", kind: "env", domain: { type: "enum", values: ["a", "b", "c"] }, initial: "a" },
    { name: "r", kind: "env", domain: { type: "float", min: -2, max: 2 }, initial: 0 },
  ]);
  const objective = (v: Values) =>
    (1 + ((v.THREADS as number) - 23) ** 2) *
    (v.mode === "c" ? 1 : 1.3) *
    (1 + ((v.r as number) + 0.7) ** 2);

  it("continues identically with a fresh instance at every iteration (resume)", async () => {
    const one = await simulate(experiment, objective, { budget: 60 });
    const fresh = await simulate(experiment, objective, { budget: 60, agent: createTunerAgent });
    expect(fresh.trials.map((t) => t.strategy)).toEqual(one.trials.map((t) => t.strategy));
    expect(fresh.converged).toBe(one.converged);
    expect(one.converged).toBe(true);
  });

  it("after a stop mid-run, a new tuner given the same context proposes the same plan", async () => {
    const first = await simulate(experiment, objective, { budget: 7 });
    const a = await createTunerAgent().plan(first.context);
    const b = await createTunerAgent().plan(first.context);
    expect(a).not.toBeNull();
    expect(b).toEqual(a);
    // Resuming the run from that context ends where an uninterrupted run ends.
    const rest = await simulate(experiment, objective, { budget: 60, start: first.context });
    const whole = await simulate(experiment, objective, { budget: 67 });
    expect([...first.trials, ...rest.trials].map((t) => t.strategy)).toEqual(
      whole.trials.map((t) => t.strategy),
    );
  });

  it("recovers each trial's assignment from its strategy string", async () => {
    const run = await simulate(experiment, objective, { budget: 12 });
    let base: Values = initialKnobValues(experiment.knobs);
    for (const t of run.trials) {
      const change = parseStrategy(experiment.knobs, t.strategy);
      expect(change).not.toBeNull();
      expect({ ...base, [change?.knob as string]: change?.value }).toEqual(t.assignment);
      if (t.decision === "keep") base = t.assignment;
    }
  });

  it("treats test-failed and rejected trials as tried, skips other agents' strategies", async () => {
    const context = (await simulate(experiment, objective, { budget: 0 })).context;
    const plan1 = await createTunerAgent().plan(context);
    expect(plan1?.strategy).toBe("THREADS=20");
    const after = {
      ...context,
      tried: [
        { iteration: 1, strategy: "THREADS=20", decision: "test-failed" as const },
        { iteration: 2, strategy: "unroll the inner loop", decision: "keep" as const },
        { iteration: 3, strategy: "THREADS=1", decision: "rejected" as const },
      ],
    };
    const plan2 = await createTunerAgent().plan(after);
    const data = dataOf(plan2);
    expect(plan2?.strategy).toBe("THREADS=12");
    expect(data.base).toEqual({ THREADS: 4, mode: "a", r: 0 });
    expect(plan2?.markdown).toContain("| 1 | `20` |");
    expect(plan2?.markdown).toContain("| 3 | `1` |");
    expect(plan2?.markdown).toMatch(/halved/);
  });

  it("takes the current best's recorded values over the replay", async () => {
    const context = (await simulate(experiment, objective, { budget: 0 })).context;
    const moved = {
      ...context,
      best: { ...context.best, knobs: { THREADS: 30, mode: "b", r: 1 } },
    };
    const plan = await createTunerAgent().plan(moved);
    expect(dataOf(plan).base).toEqual({ THREADS: 30, mode: "b", r: 1 });
    expect(plan?.strategy).toBe("THREADS=46");
  });

  it("writes the facts and the next move into the reflexion", async () => {
    const run = await simulate(experiment, objective, { budget: 30 });
    for (let i = 0; i < run.trials.length; i++) {
      const trial = run.trials[i] as Trial;
      expect(trial.reflexion).toContain(`**Decision:** ${trial.decision}`);
      expect(trial.reflexion).toMatch(/Improvement over the current best:\*\* [+-]\d+\.\d\d% \(CI/);
      const next = run.trials[i + 1];
      if (next) expect(trial.reflexion).toContain(`**Next move:** \`${next.strategy}\``);
    }
  });

  it("says null when there is nothing to tune", async () => {
    const fixed = experimentWith([
      { name: "N", kind: "env", domain: { type: "int", min: 3, max: 3 }, initial: 3 },
    ]);
    const run = await simulate(fixed, () => 1, { budget: 3 });
    expect(run.trials).toEqual([]);
    expect(run.converged).toBe(true);
    const none = await simulate(experimentWith([]), () => 1, { budget: 3 });
    expect(none.converged).toBe(true);
  });
});
