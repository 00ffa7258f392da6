import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LedgerEntry } from "../src/experiment/events.js";
import { runCli } from "./helpers/cli.js";
import { valueAnswers } from "./helpers/loop-repo.js";
import { TempRepo } from "./helpers/temp-repo.js";

/**
 * `run --parallel 3` with the patches agent on a project whose benchmark prints the sum of the
 * numbers in src/a.txt, src/b.txt and src/c.txt (exact values: every comparison is decided at its
 * first look). The ideas change different files, so each applies on top of any other:
 *   big     a 40 → 0     (100 → 60)
 *   medium  b 40 → 20    (100 → 80)
 *   slower  c 20 → 40    (100 → 120)
 *   flat    c 20 → 20.5  (inside the 1% threshold)
 * Generation 1 (iterations 1–3: big, medium, slower): big is kept, medium — also credibly
 * improved — is a runner-up, slower is dropped. Generation 2: the runner-up comes back first and is
 * kept on top of big (60 → 40), flat is dropped; its third slot finds nothing more to try.
 */
class SumRepo extends TempRepo {
  readonly ideas: Record<"big" | "medium" | "slower" | "flat", string>;

  constructor(from?: SumRepo) {
    super(from);
    if (from) {
      this.ideas = { ...from.ideas };
      return;
    }
    this.commit("project", {
      "src/a.txt": "40\n",
      "src/b.txt": "40\n",
      "src/c.txt": "20\n",
      "test/check.sh": "! grep -q broken src/*.txt\n",
    });
    // Named by its branch: the patches agent's strategy is the revision as given.
    const idea = (name: string, files: Record<string, string>) => {
      this.git("checkout", "--quiet", "-b", name, "main");
      this.commit(name, files);
      return name;
    };
    this.ideas = {
      big: idea("big", { "src/a.txt": "0\n" }),
      medium: idea("medium", { "src/b.txt": "20\n" }),
      slower: idea("slower", { "src/c.txt": "40\n" }),
      flat: idea("flat", { "src/c.txt": "20.5\n" }),
    };
    this.git("checkout", "--quiet", "main");
  }

  init() {
    const bench = "awk '{ s += $1 } END { print s }' src/a.txt src/b.txt src/c.txt";
    return runCli(["init", ...valueAnswers({ test: "sh test/check.sh", bench })], this.dir);
  }

  run(fault?: string) {
    const revisions = Object.values(this.ideas).join(",");
    return runCli(
      ["run", "--agent", "patches", "--revisions", revisions, "--parallel", "3", "--no-report"],
      this.dir,
      { env: fault ? { AUTO_OPTIMIZE_FAULT: fault } : {} },
    );
  }

  ledger(): LedgerEntry[] {
    const name = this.git("branch", "--show-current").replace("auto-optimize/", "");
    return readFileSync(join(this.dir, "experiments", name, "ledger.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LedgerEntry);
  }

  /** The committed decisions in the order they were committed. */
  decisions(): string[] {
    return this.ledger().flatMap((e) =>
      e.type === "committed" ? [`${e.iteration}:${e.decision}`] : [],
    );
  }

  files(): string {
    return ["a", "b", "c"].map((f) => this.git("show", `HEAD:src/${f}.txt`)).join(",");
  }
}

const EXPECTED = ["2:runner-up", "3:drop", "1:keep", "5:drop", "4:keep"];

let pristine: SumRepo;
let repo: SumRepo;

beforeAll(async () => {
  pristine = new SumRepo();
  const init = await pristine.init();
  expect(init.code, init.stderr).toBe(0);
  repo = new SumRepo(pristine);
  const run = await repo.run();
  expect(run.code, run.stderr).toBe(0);
}, 300_000);

afterAll(() => {
  repo?.remove();
  pristine?.remove();
});

describe("run --parallel 3", () => {
  it("keeps one candidate per generation — the largest credible gain — and records the other improved one as a runner-up", () => {
    expect(repo.decisions()).toEqual(EXPECTED);
    // big and medium kept, slower and flat reverted.
    expect(repo.files()).toBe("0,20,20");
    const started = repo.ledger().filter((e) => e.type === "iteration-started");
    expect(started.map((e) => [e.iteration, e.generation?.slot, e.generation?.size])).toEqual([
      [1, 0, 3],
      [2, 1, 3],
      [3, 2, 3],
      [4, 0, 3],
      [5, 1, 3],
      [6, 2, 3],
      [6, 0, 3],
    ]);
    // The siblings of one generation were compared with the same best.
    const bests = started.map((e) => e.best);
    expect(new Set(bests.slice(0, 3)).size).toBe(1);
    expect(new Set(bests.slice(3, 5)).size).toBe(1);
    expect(bests[3]).not.toBe(bests[0]);
    const runnerUp = repo
      .ledger()
      .find((e) => e.type === "decided" && e.iteration === 2 && e.decision === "runner-up");
    expect(runnerUp && "reason" in runnerUp ? runnerUp.reason : "").toMatch(
      /^improved: 20\.00% .*; iteration 1 \(big\) improved more and was kept — offered again on top of it$/,
    );
    const abandoned = repo.ledger().filter((e) => e.type === "iteration-abandoned");
    expect(abandoned.map((e) => ("reason" in e ? e.reason : ""))).toEqual([
      "patches has nothing more to try beside its 2 sibling(s) in this generation",
      "patches has nothing left to try",
    ]);
    // Each non-keep is its commit and its revert; the keep comes last in its generation.
    const subjects = repo.git("log", "--format=%s", "main..HEAD").split("\n").reverse();
    const iterations = subjects.filter((s) => /^experiment\(exp-001\/iter-/.test(s));
    expect(iterations.map((s) => s.slice("experiment(exp-001/".length, 36))).toEqual([
      "iter-002): medium",
      "iter-003): slower",
      "iter-001): big",
      "iter-005): flat",
      "iter-004): medium",
    ]);
    expect(subjects.filter((s) => s.startsWith("revert ")).length).toBe(3);
    // Every sibling's worktree is gone with the run.
    expect(repo.worktreeCount()).toBe(1);
  });

  it("resumes after kill -9 in the middle of a generation and of its commits with the same decisions", async () => {
    const killed = new SumRepo(pristine);
    try {
      // Killed once the second sibling of generation 1 is measured, before any decision.
      const first = await killed.run("after-measure@2");
      expect(first.code).not.toBe(0);
      // Killed at the keep's attempt commit of generation 2, its non-keep committed before it.
      const second = await killed.run("after-attempt-commit@4");
      expect(second.code).not.toBe(0);
      const third = await killed.run();
      expect(third.code, third.stderr).toBe(0);
      expect(killed.decisions()).toEqual(EXPECTED);
      expect(killed.files()).toBe("0,20,20");
      const abandoned = killed.ledger().filter((e) => e.type === "iteration-abandoned");
      // Generation 1's three siblings were undone and run again under the same numbers.
      expect(abandoned.slice(0, 3).map((e) => e.iteration)).toEqual([1, 2, 3]);
      expect(killed.worktreeCount()).toBe(1);
    } finally {
      killed.remove();
    }
  }, 400_000);
});
