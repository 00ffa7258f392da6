import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AutoOptimizeError } from "../src/errors.js";
import { CandidateWroteOutside, RunWatch } from "../src/workspace/run-watch.js";
import { TempRepo } from "./helpers/temp-repo.js";

/**
 * The watch over an evaluation's checkouts, on real git repositories standing for the best's
 * worktree (A), the candidate's (B) and the user's main tree: what a run leaves is seen (ignored
 * files included), put back in auto-optimize's own checkouts, and blamed on the side that ran.
 */

const repos: TempRepo[] = [];
afterEach(() => {
  for (const repo of repos.splice(0)) repo.remove();
});

function checkout(): TempRepo {
  const repo = new TempRepo();
  repos.push(repo);
  repo.commit("code", { "src/value.txt": "100\n", ".gitignore": "build/\n" });
  repo.write({ "build/out.bin": "built\n" });
  return repo;
}

async function watched() {
  const [best, candidate, main] = [checkout(), checkout(), checkout()];
  const watch = new RunWatch([
    { label: "the best's worktree", path: best.dir, side: "A", removable: true },
    { label: "the candidate's worktree", path: candidate.dir, side: "B", removable: true },
    {
      label: "the main working tree",
      path: main.dir,
      side: null,
      removable: false,
      ours: (path) => path === "ledger.jsonl",
    },
  ]);
  await watch.reference();
  return { best, candidate, main, watch };
}

const wrote = (promise: Promise<void>) =>
  promise.then(
    () => "nothing",
    (error) => (error instanceof CandidateWroteOutside ? error.message : String(error)),
  );

describe("RunWatch", () => {
  it("passes runs that leave nothing, and the build's outputs stay", async () => {
    const { best, watch } = await watched();
    await watch.afterRun("A", "benchmark run (warm-up)");
    await watch.afterRun("B", "benchmark run (warm-up)");
    expect(readFileSync(join(best.dir, "build/out.bin"), "utf8")).toBe("built\n");
  });

  it("rejects a candidate's cache in its own checkout, an ignored file too, and removes it", async () => {
    const { candidate, watch } = await watched();
    candidate.write({ "build/.cache": "42\n" });
    expect(await wrote(watch.afterRun("B", "benchmark run (round 2)"))).toContain(
      "the candidate's benchmark run (round 2) created build/.cache in its own checkout",
    );
    expect(existsSync(join(candidate.dir, "build/.cache"))).toBe(false);
  });

  it("allows the candidate what the best's runs leave as well (the benchmark's own output)", async () => {
    const { best, candidate, watch } = await watched();
    best.write({ "results.json": "{}\n" });
    await watch.afterRun("A", "benchmark run (warm-up)");
    expect(existsSync(join(best.dir, "results.json"))).toBe(false);
    candidate.write({ "results.json": "{}\n" });
    expect(await wrote(watch.afterRun("B", "benchmark run (warm-up)"))).toBe("nothing");
    expect(existsSync(join(candidate.dir, "results.json"))).toBe(false);
  });

  it("lets the tests leave files in their own checkout, removing them", async () => {
    const { candidate, watch } = await watched();
    candidate.write({ ".pytest_cache/v/cache": "x\n" });
    expect(await wrote(watch.afterRun("B", "tests", true))).toBe("nothing");
    expect(existsSync(join(candidate.dir, ".pytest_cache/v/cache"))).toBe(false);
  });

  it("rejects a candidate's write into the best's worktree and puts the committed file back", async () => {
    const { best, watch } = await watched();
    best.write({ "src/value.txt": "1000\n" });
    expect(await wrote(watch.afterRun("B", "tests", true))).toContain(
      "the candidate's tests changed src/value.txt in the best's worktree (put back)",
    );
    expect(readFileSync(join(best.dir, "src/value.txt"), "utf8")).toBe("100\n");
  });

  it("rejects a write into the main tree without touching it, and ignores auto-optimize's own files", async () => {
    const { main, watch } = await watched();
    main.write({ "ledger.jsonl": "{}\n" });
    expect(await wrote(watch.afterRun("B", "benchmark run (warm-up)"))).toBe("nothing");
    main.write({ "src/value.txt": "1\n" });
    expect(await wrote(watch.afterRun("B", "benchmark run (round 1)"))).toContain(
      "changed src/value.txt in the main working tree: a run may write only",
    );
    // The user's tree is never cleaned: what is there stays, and is not blamed again.
    expect(readFileSync(join(main.dir, "src/value.txt"), "utf8")).toBe("1\n");
    expect(await wrote(watch.afterRun("A", "benchmark run (round 2)"))).toBe("nothing");
  });

  it("puts back auto-optimize's files in the main tree, never the user's own", async () => {
    const main = checkout();
    main.commit("experiment", { "experiments/exp-001/summary.md": "dropped\n" });
    const watch = new RunWatch([
      {
        label: "the main working tree",
        path: main.dir,
        side: null,
        removable: (path) => path.startsWith("experiments/"),
      },
    ]);
    await watch.reference();
    main.write({ "experiments/exp-001/summary.md": "kept\n", "notes.txt": "mine\n" });
    expect(await wrote(watch.afterRun("B", "benchmark run (warm-up)"))).toContain(
      "created notes.txt; changed experiments/exp-001/summary.md in the main working tree (experiments/exp-001/summary.md put back)",
    );
    expect(readFileSync(join(main.dir, "experiments/exp-001/summary.md"), "utf8")).toBe(
      "dropped\n",
    );
    expect(readFileSync(join(main.dir, "notes.txt"), "utf8")).toBe("mine\n");
  });

  it("stops the run when the best's run writes outside its checkout", async () => {
    const { candidate, watch } = await watched();
    candidate.write({ "stray.txt": "x\n" });
    const error = await watch.afterRun("A", "benchmark run (warm-up)").catch((e) => e);
    expect(error).toBeInstanceOf(AutoOptimizeError);
    expect((error as AutoOptimizeError).code).toBe("best-wrote-outside-run");
    expect(String(error)).toContain("created stray.txt in the candidate's worktree");
  });

  it("checks only the run's own checkout when runs are confined (nothing else is writable to them)", async () => {
    const [best, candidate] = [checkout(), checkout()];
    const watch = new RunWatch(
      [
        { label: "the best's worktree", path: best.dir, side: "A", removable: true },
        { label: "the candidate's worktree", path: candidate.dir, side: "B", removable: true },
      ],
      true,
    );
    await watch.reference();
    best.write({ "src/value.txt": "1\n" });
    expect(await wrote(watch.afterRun("B", "benchmark run (warm-up)"))).toBe("nothing");
    candidate.write({ "src/.cache": "1\n" });
    expect(await wrote(watch.afterRun("B", "benchmark run (round 1)"))).toContain(
      "created src/.cache in its own checkout",
    );
  });

  it("sees a committed file removed, and restores it", async () => {
    const { candidate, watch } = await watched();
    rmSync(join(candidate.dir, "src/value.txt"));
    expect(await wrote(watch.afterRun("B", "benchmark run (warm-up)"))).toContain(
      "removed src/value.txt in its own checkout",
    );
    expect(readFileSync(join(candidate.dir, "src/value.txt"), "utf8")).toBe("100\n");
  });
});
