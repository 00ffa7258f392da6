import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Ledger } from "../src/experiment/ledger.js";
import { autoOptimizeLeftovers } from "./helpers/leftovers.js";
import { LoopRepo } from "./helpers/loop-repo.js";

let repo: LoopRepo;
afterEach(() => repo?.remove());

function loopWorktrees(): string[] {
  return autoOptimizeLeftovers(repo.dir);
}

describe("run: every decision outcome", () => {
  it("keeps, drops, rejects protected and out-of-scope edits, and fails on broken tests — one commit per attempt, a revert for each non-keep", async () => {
    repo = new LoopRepo();
    expect((await repo.init()).code).toBe(0);
    const result = await repo.run(
      ["keep", "drop", "protected", "scope", "broken"],
      ["--iterations", "5"],
    );
    expect(result.stderr).not.toMatch(/unexpected failure/);
    expect(result.code).toBe(0);
    expect(repo.decisions()).toEqual([
      "1:keep",
      "2:drop",
      "3:rejected",
      "4:rejected",
      "5:test-failed",
    ]);
    const id = "exp-001";
    expect(repo.subjects()).toEqual([
      `experiment(${id}): plan`,
      `experiment(${id}): baseline`,
      `experiment(${id}/iter-001): ${repo.ideas.keep}`,
      `experiment(${id}/iter-002): ${repo.ideas.drop}`,
      `revert experiment(${id}/iter-002): ${repo.ideas.drop}`,
      `experiment(${id}/iter-003): ${repo.ideas.protected}`,
      `revert experiment(${id}/iter-003): ${repo.ideas.protected}`,
      `experiment(${id}/iter-004): ${repo.ideas.scope}`,
      `revert experiment(${id}/iter-004): ${repo.ideas.scope}`,
      `experiment(${id}/iter-005): ${repo.ideas.broken}`,
      `revert experiment(${id}/iter-005): ${repo.ideas.broken}`,
      `experiment(${id}): stopped — iteration budget spent (5)`,
    ]);
    // The kept change stays, every other change was undone, the artifacts of all stay.
    expect(repo.file("src/value.txt")).toBe("80\n");
    expect(repo.file("test/check.sh")).toBe("! grep -q broken src/*.txt\n");
    expect(repo.file("README.md")).toBe("a project\n");
    expect(existsSync(join(repo.dir, "src/extra.txt"))).toBe(false);
    expect(repo.git("status", "--porcelain")).toBe("");
    const ledger = repo.ledger();
    const checked = ledger.filter((e) => e.type === "checked");
    // iteration 5 was checked three times: its first try and two retries after failing tests
    expect(
      checked.map((e) =>
        e.type === "checked" ? `${e.iteration}:${e.violations.length > 0}` : null,
      ),
    ).toEqual(["1:false", "2:false", "3:true", "4:true", "5:false", "5:false", "5:false"]);
    const reasons = Object.fromEntries(
      ledger.flatMap((e) => (e.type === "decided" ? [[e.iteration, e.reason]] : [])),
    );
    expect(reasons[2]).toMatch(/^regressed/);
    expect(reasons[3]).toMatch(/protected file test\/check\.sh was modified/);
    expect(reasons[4]).toMatch(/README\.md is outside the scope/);
    expect(reasons[5]).toMatch(/failed 3 times/);
    const tested = ledger.filter((e) => e.type === "tested" && e.iteration === 5);
    expect(tested).toHaveLength(3); // the first try and two retries with the failure as feedback
    const dir = repo.experimentDir();
    const folders = readdirSync(join(dir, "iterations")).sort();
    expect(folders).toHaveLength(5);
    for (const folder of folders) {
      for (const file of [
        "plan.md",
        "plan.json",
        "summary.md",
        "result.json",
        "result.txt",
        "reflexion.md",
      ]) {
        expect(existsSync(join(dir, "iterations", folder, file)), `${folder}/${file}`).toBe(true);
      }
    }
    const kept = JSON.parse(
      readFileSync(join(dir, "iterations", folders[0] as string, "result.json"), "utf8"),
    );
    expect(kept).toMatchObject({
      decision: "keep",
      value: 80,
      bestValue: 100,
      verdict: "improved",
    });
    expect(kept.improvement).toBeCloseTo(0.2, 10);
    expect(kept.cost).toBeUndefined(); // patches pay no model
    expect(
      readFileSync(join(dir, "iterations", folders[0] as string, "summary.md"), "utf8"),
    ).not.toContain("model cost");
    const leaderboard = readFileSync(join(dir, "leaderboard.md"), "utf8");
    expect(leaderboard).toMatch(/\| 1 \| iter-001-[0-9a-f]+ \| \+20\.0% \|.*\| 80 vs 100 \|/);
    expect(leaderboard).toContain("| baseline |");
    expect(leaderboard).toContain("⛔ rejected");
    expect(leaderboard).toContain("🧪 test-failed");
    expect(result.stdout).toContain("stopped: iteration budget spent (5)");
    expect(loopWorktrees()).toEqual([]);
  });

  it("rejects an agent's edit of the experiment's own files and commits none of it", async () => {
    repo = new LoopRepo();
    expect((await repo.init()).code).toBe(0);
    const branch = repo.git("branch", "--show-current");
    const path = relative(repo.dir, join(repo.experimentDir(), "experiment.json"));
    const original = repo.file(path);
    // A takeover: the experiment's definition loosened from inside the candidate.
    const loosened = original.replace(/"threshold": [0-9.e-]+/, '"threshold": 0.0001');
    expect(loosened).not.toBe(original);
    repo.git("checkout", "--quiet", "-b", "idea-takeover");
    const takeover = repo.commit("takeover", { [path]: loosened });
    repo.git("checkout", "--quiet", branch);

    const result = await repo.run({ revisions: [takeover] }, ["--iterations", "1"]);
    expect(result.code, result.stderr).toBe(0);
    expect(repo.decisions()).toEqual(["1:rejected"]);
    const committed = repo.ledger().find((e) => e.type === "committed");
    const commits = committed?.type === "committed" ? committed.commits : [];
    expect(commits.length).toBeGreaterThan(0);
    for (const commit of commits) {
      const files = repo.git("show", "--name-only", "--format=", commit).split("\n");
      expect(files, commit).not.toContain(path);
    }
    expect(repo.file(path)).toBe(original);
    expect(repo.git("status", "--porcelain")).toBe("");
  });
});

describe("run: a candidate that reaches outside its worktree", () => {
  it("rejects a candidate whose benchmark rewrites the experiment's definition, and restores it", async () => {
    repo = new LoopRepo();
    repo.commit("a benchmark script in scope", { "src/bench.sh": "cat src/value.txt\n" });
    // Unconfined: in bubblewrap's sandbox the main tree is read-only and the rewrite fails at
    // once (run-isolation.test.ts); this is the check behind it, for machines without one.
    expect((await repo.init(["--bench", "sh src/bench.sh", "--unconfined"])).code).toBe(0);
    const branch = repo.git("branch", "--show-current");
    const path = relative(repo.dir, join(repo.experimentDir(), "experiment.json"));
    const original = repo.file(path);
    repo.git("checkout", "--quiet", "-b", "idea-takeover");
    // Faster, and while it runs it loosens the main tree's experiment.json.
    const takeover = repo.commit("takeover", {
      "src/value.txt": "80\n",
      "src/bench.sh": [
        "cat src/value.txt",
        'main="$(cd "$(git rev-parse --git-common-dir)/.." && pwd)"',
        'for f in "$main"/experiments/*/experiment.json; do sed -i \'s/"threshold": [0-9.e-]*/"threshold": 0.0001/\' "$f"; done',
        "",
      ].join("\n"),
    });
    repo.git("checkout", "--quiet", branch);

    const result = await repo.run({ revisions: [takeover] }, ["--iterations", "1"]);
    expect(result.code, result.stderr).toBe(0);
    expect(repo.decisions()).toEqual(["1:rejected"]);
    const decided = repo.ledger().find((e) => e.type === "decided");
    // Seen at the run that wrote it, and put back at once.
    expect(decided?.type === "decided" && decided.reason).toMatch(
      /benchmark run \(warm-up\) changed experiments\/.*\/experiment\.json in the main working tree \(put back\)/,
    );
    expect(repo.file(path)).toBe(original);
    expect(repo.git("show", `HEAD:${path}`)).toBe(original.trimEnd());
    expect(repo.file("src/value.txt")).toBe("100\n");
    expect(repo.git("status", "--porcelain")).toBe("");
  });
});

describe("run: stop conditions", () => {
  it("stops at the target", async () => {
    repo = new LoopRepo();
    await repo.init(["--target", "85"]);
    const result = await repo.run(["keep", "drop"]);
    expect(result.stdout).toMatch(/stopped: target reached: value 80 \(target 85\)/);
    expect(repo.decisions()).toEqual(["1:keep"]);
    const more = await repo.run(["keep", "drop"], ["--continue-after-target"]);
    expect(more.stdout).toContain("stopped: patches has nothing left to try");
    expect(repo.decisions()).toEqual(["1:keep", "2:drop"]);
  });

  it("stops when the agent has nothing left to try, and on the budget given to run", async () => {
    repo = new LoopRepo();
    await repo.init();
    const one = await repo.run(["keep", "drop"], ["--iterations", "1"]);
    expect(one.stdout).toContain("stopped: iteration budget spent (1)");
    const rest = await repo.run(["keep", "drop"]);
    expect(rest.stdout).toContain("stopped: patches has nothing left to try");
    expect(repo.decisions()).toEqual(["1:keep", "2:drop"]);
    expect(repo.ledger().filter((e) => e.type === "iteration-abandoned")).toHaveLength(1);
  });

  it("stops after too many iterations in a row without a keep", async () => {
    repo = new LoopRepo();
    await repo.init();
    const experiment = JSON.parse(
      repo.file("experiments/exp-001-make-value-smaller/experiment.json"),
    );
    expect(experiment.patience).toBe(5);
    const result = await repo.run(["flat", "protected", "scope", "scope2", "broken", "keep"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("stopped: 5 iterations in a row without a keep (patience 5)");
    expect(repo.decisions()).toEqual([
      "1:drop",
      "2:rejected",
      "3:rejected",
      "4:rejected",
      "5:test-failed",
    ]);
  });

  it("stops on the time and cost budgets", async () => {
    repo = new LoopRepo();
    await repo.init();
    const timed = await repo.run(["flat", "keep"], ["--max-minutes", "0.0001"]);
    expect(timed.stdout).toContain("stopped: time budget spent (0.0001 min)");
    expect(repo.decisions()).toEqual(["1:drop"]);
    // Cost is what model-driven agents record in the ledger; an earlier run spent $0.60.
    Ledger.open(join(repo.experimentDir(), "ledger.jsonl")).append({
      type: "cost",
      iteration: 1,
      usd: 0.6,
      tokens: 1000,
    });
    const costly = await repo.run(["flat", "keep"], ["--max-cost", "0.5"]);
    expect(costly.code).toBe(0);
    expect(costly.stdout).toContain("stopped: cost budget spent ($0.60 of $0.5)");
    expect(repo.decisions()).toEqual(["1:drop"]);
  });
});
