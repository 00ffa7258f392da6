import { randomUUID } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { detectConfinement } from "../src/measure/confinement.js";
import { runCli } from "./helpers/cli.js";
import { LoopRepo, valueAnswers, withoutProfiling } from "./helpers/loop-repo.js";

/**
 * No state carried between runs, no reach outside the candidate's checkout: a candidate whose
 * benchmark computes once and then reads a cache (under $TMPDIR, $HOME, /tmp, in its checkout)
 * or slows the best down by rewriting the best's worktree is never kept, with bubblewrap and
 * without. The benchmark runs src/work.sh, the candidate's code; the honest answer is the best's
 * 100, a cache hit prints 10.
 */

const confinement = await detectConfinement();
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** src/work.sh that prints 100 the first time and 10 whenever `cache` exists. */
function cached(cache: string): string {
  return `if [ -f "${cache}" ]; then echo 10; else echo 100; mkdir -p "$(dirname "${cache}")"; echo hit > "${cache}"; fi\n`;
}

class WorkRepo extends LoopRepo {
  constructor() {
    super();
    this.commit("benchmark", {
      "bench.sh": "sh src/work.sh\n",
      "src/work.sh": "cat src/value.txt\n",
    });
    cleanups.push(() => this.remove());
  }

  /** init, with runs confined by bubblewrap or not (experiment.json's isolation.confine). */
  async initIsolated(confine: boolean): Promise<void> {
    const answers = valueAnswers({ test: "sh test/check.sh", bench: "sh bench.sh" });
    const init = await runCli(["init", ...answers], this.dir);
    expect(init.code, init.stderr).toBe(0);
    this.editExperiment((experiment) => ({
      ...withoutProfiling(experiment),
      isolation: { confine },
    }));
  }

  /** A commit on a side branch of main that makes src/work.sh `script`. */
  idea(name: string, script: string): string {
    this.git("checkout", "--quiet", "-b", `idea-${name}`, "main");
    const commit = this.commit(name, { "src/work.sh": script });
    this.git("checkout", "--quiet", "main");
    return commit;
  }

  reasons(): string[] {
    return this.ledger().flatMap((e) => (e.type === "decided" ? [e.reason] : []));
  }
}

const variants = [
  { confine: true, skip: confinement.kind !== "bwrap" && confinement.reason },
  { confine: false, skip: false },
] as const;

for (const { confine, skip } of variants) {
  const title = confine ? "confined by bubblewrap" : "unconfined";
  describe.skipIf(skip)(`runs ${title}${skip ? ` (skipped: ${skip})` : ""}`, () => {
    it("keeps no cache under $TMPDIR, $HOME or in the checkout, and no sabotage of the best", {
      timeout: 300_000,
    }, async () => {
      const repo = new WorkRepo();
      const ideas = [
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, not JavaScript
        repo.idea("tmpdir", cached("${TMPDIR:-/tmp}/value-cache")),
        repo.idea("home", cached("$HOME/.cache/value-cache")),
        repo.idea("checkout", cached("src/.value-cache")),
        // The candidate's benchmark makes the best's value worse, in the best's worktree.
        repo.idea("sabotage", "echo 1000 > ../best/src/value.txt 2>/dev/null; cat src/value.txt\n"),
      ];
      await repo.initIsolated(confine);
      const run = await runCli(
        ["run", "--agent", "patches", "--revisions", ideas.join(","), "--no-report"],
        repo.dir,
      );
      expect(run.stderr).not.toMatch(/unexpected failure/);
      expect(run.code, run.stderr).toBe(0);
      // A fresh TMPDIR and HOME per run: every run computes, there is nothing to gain. With
      // bubblewrap the best's worktree is read-only to the candidate's run, whose write fails.
      expect(repo.decisions()).toEqual([
        "1:drop",
        "2:drop",
        "3:rejected",
        confine ? "4:drop" : "4:rejected",
      ]);
      const [, , checkout, sabotage] = repo.reasons();
      expect(checkout).toContain("created src/.value-cache in its own checkout");
      if (!confine)
        expect(sabotage).toContain("changed src/value.txt in the best's worktree (put back)");
      expect(repo.file("src/value.txt")).toBe("100\n");
      expect(existsSync(join(repo.dir, "src/.value-cache"))).toBe(false);
    });
  });
}

describe.skipIf(confinement.kind !== "bwrap")("runs confined by bubblewrap", () => {
  it("keeps no cache at an absolute /tmp path, which only the sandbox's private /tmp stops", async () => {
    const cache = `/tmp/auto-optimize-test-cache-${randomUUID()}`;
    cleanups.push(() => rmSync(cache, { force: true }));
    const repo = new WorkRepo();
    const idea = repo.idea("absolute", cached(cache));
    await repo.initIsolated(true);
    const run = await runCli(
      ["run", "--agent", "patches", "--revisions", idea, "--no-report"],
      repo.dir,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(repo.decisions()).toEqual(["1:drop"]);
    expect(existsSync(cache)).toBe(false);
  });
});
