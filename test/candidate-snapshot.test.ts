import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { stepEvaluate } from "../src/loop/host/evaluate.js";
import { runCli } from "./helpers/cli.js";
import { HostRepo, valuePlan } from "./helpers/host.js";
import { autoOptimizeLeftovers } from "./helpers/leftovers.js";
import { LoopRepo } from "./helpers/loop-repo.js";

/**
 * The candidate is a commit: what the checks saw is snapshotted, and the build, the tests and the
 * benchmark run on that snapshot — not on a live tree that changes meanwhile — and a keep is final
 * only once the snapshot alone passes the tests on a fresh checkout.
 */

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** Worktrees and temporary checkouts left under .git/auto-optimize/ (the run lock aside). */
function leftovers(repo: LoopRepo): string[] {
  return autoOptimizeLeftovers(repo.dir);
}

describe("host mode: the snapshot is what is measured", () => {
  it("measures the checked content when the main tree changes after the check, and rejects it", async () => {
    const repo = new HostRepo();
    cleanups.push(() => repo.remove());
    await repo.start();
    await repo.ok(["next"]);
    await repo.ok(repo.planArgs(valuePlan(1)));
    repo.write({ "src/value.txt": "80\n" });
    // After the snapshot (the tests come next), the main tree's file says something else.
    const evaluated = await stepEvaluate({
      cwd: repo.dir,
      onProgress: (step) => {
        if (step === "testing") writeFileSync(join(repo.dir, "src/value.txt"), "70\n");
      },
    });
    expect(evaluated.result.value).toBe(80);
    expect(evaluated.decision).toBe("rejected");
    expect(evaluated.result.reason).toContain("src/value.txt changed in the working tree");
    // The attempt commit holds what was measured; its revert leaves the best's code, nothing else.
    const [attempt] = evaluated.commits;
    expect(repo.git("show", `${attempt}:src/value.txt`)).toBe("80");
    expect(repo.file("src/value.txt")).toBe("100\n");
    expect(repo.git("status", "--porcelain", "--", ".", ":!experiments")).toBe("");
    const decided = repo.ledger().find((e) => e.type === "decided");
    const snapshot = (decided as { snapshot?: string }).snapshot as string;
    expect(repo.git("show", `${snapshot}:src/value.txt`)).toBe("80");
  });
});

/**
 * The loop repository whose tests also run src/verify.sh, and whose committed .gitignore hides
 * `*.local` files: a candidate's file there is in its worktree but in no commit of it.
 */
function verifyingRepo(): LoopRepo {
  const repo = new LoopRepo();
  cleanups.push(() => repo.remove());
  repo.commit("verify", {
    ".gitignore": "*.local\n",
    "src/verify.sh": "true\n",
    "test/check.sh": "! grep -q broken src/*.txt && sh src/verify.sh\n",
  });
  return repo;
}

function idea(repo: LoopRepo, name: string, files: Record<string, string>): string {
  repo.git("checkout", "--quiet", "-b", `idea-${name}`, "main");
  repo.write(files);
  repo.git("add", "-A", "-f");
  repo.git("commit", "--quiet", "-m", name);
  const commit = repo.git("rev-parse", "HEAD");
  repo.git("checkout", "--quiet", "main");
  return commit;
}

describe("the loop: a keep is tested on a fresh checkout of its commit", () => {
  it("rejects a gain whose tests pass only with an ignored file of the live worktree, keeps the honest one", async () => {
    const repo = verifyingRepo();
    const leaning = idea(repo, "leaning", {
      "src/value.txt": "80\n",
      "src/verify.sh": "test -f src/cache.local || { echo no src/cache.local >&2; exit 1; }\n",
      "src/cache.local": "computed once\n",
    });
    const honest = idea(repo, "honest", { "src/value.txt": "80\n" });
    expect((await repo.init()).code).toBe(0);
    const run = await runCli(
      ["run", "--agent", "patches", "--revisions", `${leaning},${honest}`, "--no-report"],
      repo.dir,
    );
    expect(run.stderr).not.toMatch(/unexpected failure/);
    expect(run.code, run.stderr).toBe(0);
    expect(repo.decisions()).toEqual(["1:rejected", "2:keep"]);
    const decided = repo.ledger().filter((e) => e.type === "decided");
    const [first, second] = decided as { reason: string; snapshot?: string }[];
    expect(first?.reason).toContain("fail on a fresh checkout of the kept commit");
    expect(first?.reason).toContain("--- output (tail) ---\nno src/cache.local");
    // The kept commit's code is exactly its snapshot's.
    const kept = repo.ledger().find((e) => e.type === "committed" && e.iteration === 2);
    const keptCommit = (kept as { commits: string[] }).commits[0] as string;
    expect(second?.snapshot).toMatch(/^[0-9a-f]{40}$/);
    expect(
      repo.git(
        "diff",
        "--name-only",
        second?.snapshot as string,
        keptCommit,
        "--",
        ":!experiments",
      ),
    ).toBe("");
    expect(repo.file("src/value.txt")).toBe("80\n");
    expect(repo.worktreeCount()).toBe(1);
    expect(leftovers(repo)).toEqual([]);
  });
});
