import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { allowedCommands } from "../src/agent/llm/executor.js";
import type { Experiment, KnobValue } from "../src/experiment/schema.js";
import type { IterationRecord } from "../src/loop/artifacts.js";
import { checkCommandGuard } from "../src/loop/guards/check-command.js";
import type { GuardContext } from "../src/loop/guards.js";
import { diffHead } from "../src/measure/output-diff.js";
import { fixtureExperiment } from "./helpers/experiment-fixture.js";
import { TempRepo } from "./helpers/temp-repo.js";

describe("diffHead", () => {
  it("is null for the same text", () => {
    expect(diffHead("a\nb\n", "a\nb\n")).toBeNull();
  });

  it("numbers the first differing line, shows the equal lines before it and each side's lines up to the common end", () => {
    const expected = ["h1", "h2", "h3", "old", "t1", "t2", ""].join("\n");
    const actual = ["h1", "h2", "h3", "new", "t1", "t2", ""].join("\n");
    expect(diffHead(expected, actual, { expected: "best", actual: "candidate" })).toBe(
      [
        "first difference at line 4 (- best, + candidate):",
        "  2 | h2",
        "  3 | h3",
        "- 4 | old",
        "+ 4 | new",
      ].join("\n"),
    );
  });

  it("says where one side has no line, counts the differing lines it leaves out and clips long lines", () => {
    const long = "x".repeat(300);
    const head = diffHead("a\n", `a\n${long}\n1\n2\n3\n4\n`);
    expect(head).toContain("- (nothing here)");
    expect(head).toContain(`+ 2 | ${"x".repeat(160)}… (300 chars)`);
    expect(head).toContain("+ … 1 more differing line");
    expect(head).not.toContain("+ 6 | 4");
    expect(diffHead("a\nb", "a")).toContain("+ (the output ends here)");
  });
});

describe("the behaviour check guard", () => {
  const repos: TempRepo[] = [];
  const scratch = mkdtempSync(join(tmpdir(), "auto-optimize-check-"));
  afterEach(() => {
    for (const repo of repos.splice(0)) repo.remove();
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  function checkout(files: Record<string, string>): string {
    const repo = new TempRepo();
    repos.push(repo);
    repo.commit("code", files);
    return repo.dir;
  }

  function context(
    experiment: Experiment,
    best: string,
    candidate: string,
    knobs: { best?: Record<string, KnobValue>; candidate?: Record<string, KnobValue> } = {},
  ): GuardContext {
    return {
      experiment,
      dir: scratch,
      best: { path: best, knobs: knobs.best ?? {} },
      candidate: { path: candidate, knobs: knobs.candidate ?? {} },
      record: {} as IterationRecord,
      onStep: () => {},
    };
  }

  function experimentWith(check: string, from: string): Experiment {
    const repo = new TempRepo();
    repos.push(repo);
    repo.commit("x", { "value.txt": from });
    return fixtureExperiment(repo, {
      commands: { test: "true", bench: "cat value.txt", check },
      knobs: [
        { name: "MODE", kind: "env", domain: { type: "enum", values: ["a", "b"] }, initial: "a" },
      ],
    });
  }

  it("is an error of the experiment, not a rejection, when the check fails on the best", async () => {
    const experiment = experimentWith("sh print.sh", "1\n");
    const best = checkout({ "print.sh": "echo before; echo broken >&2; exit 4\n" });
    const candidate = checkout({ "print.sh": "echo fine\n" });
    await expect(checkCommandGuard(context(experiment, best, candidate))).rejects.toMatchObject({
      code: "best-check-failed",
      message: expect.stringMatching(
        /the check command 'sh print\.sh' fails on the current best \([0-9a-f]{12}\), where it passed before: exited with code 4[\s\S]*broken/,
      ),
    });
  });

  it("runs each side with its own knobs, and reads the best's output once per best", async () => {
    const log = join(scratch, "runs.log");
    const experiment = experimentWith(`sh print.sh ${log}`, "2\n");
    const print = 'echo run >> "$1"; echo "mode $MODE"\n';
    const best = checkout({ "print.sh": print });
    const candidate = checkout({ "print.sh": print });
    const same = context(experiment, best, candidate, {
      best: { MODE: "a" },
      candidate: { MODE: "a" },
    });
    expect(await checkCommandGuard(same)).toBeNull();
    expect(await checkCommandGuard(same)).toBeNull();
    // best once, the candidate twice
    expect(readFileSync(log, "utf8").split("\n").filter(Boolean)).toHaveLength(3);
    const turned = context(experiment, best, candidate, {
      best: { MODE: "a" },
      candidate: { MODE: "b" },
    });
    const rejection = await checkCommandGuard(turned);
    expect(rejection?.guard).toBe("behaviour-changed");
    expect(rejection?.reason).toContain("- 1 | mode a");
    expect(rejection?.reason).toContain("+ 1 | mode b");
  });
});

describe("the model executor", () => {
  it("may run the behaviour check, to see its edit computes the same before handing it in", () => {
    const repo = new TempRepo();
    try {
      repo.commit("x", { "value.txt": "1\n" });
      const commands = { test: "true", bench: "cat value.txt", check: "sh print.sh" };
      expect(allowedCommands(fixtureExperiment(repo, { commands }), ["make"])).toEqual([
        "true",
        "cat value.txt",
        "sh print.sh",
        "make",
      ]);
    } finally {
      repo.remove();
    }
  });
});
