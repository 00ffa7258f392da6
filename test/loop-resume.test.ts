import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FAULT_POINTS } from "../src/loop/fault.js";
import { runCli } from "./helpers/cli.js";
import { autoOptimizeLeftovers } from "./helpers/leftovers.js";
import { LoopRepo, startedOnce } from "./helpers/loop-repo.js";

let repo: LoopRepo;
afterEach(() => repo?.remove());

/** Every kill starts from a copy of one repository with its experiment and baseline. */
const started = startedOnce((from?: LoopRepo) => new LoopRepo(from), [], { fewRounds: true });

function leftoverWorktrees(): string[] {
  return autoOptimizeLeftovers(repo.dir);
}

/** What an uninterrupted `run` of [keep, drop] with a budget of 2 leaves behind. */
function expectSameAsUninterrupted(): void {
  const id = "exp-001";
  expect(repo.decisions()).toEqual(["1:keep", "2:drop"]);
  expect(repo.subjects()).toEqual([
    `experiment(${id}): plan`,
    `experiment(${id}): baseline`,
    `experiment(${id}/iter-001): ${repo.ideas.keep}`,
    `experiment(${id}/iter-002): ${repo.ideas.drop}`,
    `revert experiment(${id}/iter-002): ${repo.ideas.drop}`,
    `experiment(${id}): stopped — iteration budget spent (2)`,
  ]);
  expect(repo.file("src/value.txt")).toBe("80\n");
  expect(repo.git("status", "--porcelain")).toBe("");
  expect(repo.git("worktree", "list", "--porcelain").match(/^worktree /gm)).toHaveLength(1);
  expect(leftoverWorktrees()).toEqual([]);
  const iterations = readdirSync(join(repo.experimentDir(), "iterations"));
  expect(iterations).toHaveLength(2);
}

const cases = [
  ...FAULT_POINTS.map((point) => `${point}@2`),
  "after-artifacts@1",
  "after-attempt-commit@1",
  "after-commits@1",
];

describe("kill -9 at every step boundary, then resume", () => {
  it.each(cases)("%s", async (fault) => {
    repo = started();
    const killed = await repo.run(["keep", "drop"], ["--iterations", "2"], {
      AUTO_OPTIMIZE_FAULT: fault,
    });
    expect(killed.signal).toBe("SIGKILL");
    const resumed = await repo.run(["keep", "drop"], ["--iterations", "2"]);
    expect(resumed.stderr).not.toMatch(/unexpected failure/);
    expect(resumed.code).toBe(0);
    expectSameAsUninterrupted();
    const abandoned = repo.ledger().filter((e) => e.type === "iteration-abandoned");
    // Decided before the kill: the decision stands and is completed, never measured again.
    const decidedBeforeKill = /after-(decide|artifacts|attempt-commit|commits|iteration)/.test(
      fault,
    );
    expect(abandoned).toHaveLength(decidedBeforeKill ? 0 : 1);
    if (decidedBeforeKill) {
      const measured = repo.ledger().filter((e) => e.type === "measured");
      expect(measured.map((e) => e.iteration)).toEqual([1, 2]);
    }
  });
});

describe("Ctrl-C", () => {
  it("undoes the iteration in progress, leaves a clean tree, and the next run continues", async () => {
    repo = new LoopRepo();
    await repo.start(["--bench", "sleep 0.1; cat src/value.txt"], { fewRounds: true });
    let sent = false;
    const interrupted = await runCli(
      [
        "run",
        "--agent",
        "patches",
        "--revisions",
        `${repo.ideas.keep},${repo.ideas.drop}`,
        "--no-report",
      ],
      repo.dir,
      {
        onStderr: (text, child) => {
          if (!sent && /iteration 1\/\d+ · measuring/.test(text)) {
            sent = true;
            child.kill("SIGINT");
          }
        },
      },
    );
    expect(sent).toBe(true);
    expect(interrupted.code).toBe(130);
    expect(interrupted.stdout).toContain("stopped: interrupted by the user");
    expect(repo.file("src/value.txt")).toBe("100\n");
    expect(repo.git("status", "--porcelain")).toBe("");
    const types = repo.ledger().map((e) => e.type);
    expect(types.slice(-2)).toEqual(["iteration-abandoned", "stopped"]);
    expect(leftoverWorktrees()).toEqual([]);
    const resumed = await repo.run(["keep", "drop"], ["--iterations", "2"]);
    expect(resumed.code).toBe(0);
    expect(repo.decisions()).toEqual(["1:keep", "2:drop"]);
    expect(repo.file("src/value.txt")).toBe("80\n");
  });
});
