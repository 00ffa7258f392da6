import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { HostRepo, valuePlan } from "./helpers/host.js";
import { LoopRepo, valueAnswers } from "./helpers/loop-repo.js";

let repo: LoopRepo;
afterEach(() => repo?.remove());

/** A candidate for the patches agent: one commit on a side branch from main. */
function idea(
  name: string,
  files: Record<string, string>,
  remove: string[] = [],
  from = "main",
): string {
  repo.git("checkout", "--quiet", "-b", `idea-${name}`, from);
  for (const path of remove) repo.git("rm", "--quiet", path);
  const commit = repo.commit(name, files);
  repo.git("checkout", "--quiet", "main");
  return commit;
}

function reasons(): Record<number, string> {
  return Object.fromEntries(
    repo.ledger().flatMap((e) => (e.type === "decided" ? [[e.iteration, e.reason]] : [])),
  );
}

function patchesRun(revisions: string[], extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
  return runCli(
    ["run", "--agent", "patches", "--revisions", revisions.join(","), "--no-report", ...extra],
    repo.dir,
    { env },
  );
}

describe("a candidate whose benchmark fails is an outcome, not the end of the run", () => {
  it("records a crash, garbage, NaN, 0 and a negative metric as bench-failed, reverts each, keeps the honest candidate after them, and never retries them", async () => {
    // four failures, the honest candidate, one more failure: five in a row would spend the patience
    repo = new LoopRepo();
    // `cat src/value.txt` exits 1 once the file is gone (the other file keeps the test's glob valid)
    const crash = idea("crash", { "src/other.txt": "other\n" }, ["src/value.txt"]);
    const garbage = idea("garbage", { "src/value.txt": "fast enough, trust me\n" });
    const nan = idea("nan", { "src/value.txt": "NaN\n" });
    const zero = idea("zero", { "src/value.txt": "0\n" });
    // after the keep (80): applies on top of it
    const negative = idea("negative", { "src/value.txt": "-5\n" }, [], repo.ideas.keep);
    expect((await repo.init()).code).toBe(0);
    const revisions = [crash, garbage, nan, zero, repo.ideas.keep, negative];
    const result = await patchesRun(revisions, ["--iterations", "6"]);
    expect(result.stderr).not.toMatch(/unexpected failure/);
    expect(result.code, result.stderr).toBe(0);
    expect(repo.decisions()).toEqual([
      "1:bench-failed",
      "2:bench-failed",
      "3:bench-failed",
      "4:bench-failed",
      "5:keep",
      "6:bench-failed",
    ]);
    const why = reasons();
    expect(why[1]).toMatch(/^bench-failed \(crashed\): the candidate's benchmark crashed/);
    expect(why[1]).toMatch(/src\/value\.txt/); // cat's complaint, from the output's tail
    expect(why[2]).toMatch(/^bench-failed \(unreadable\)/);
    expect(why[2]).toMatch(/fast enough, trust me/);
    expect(why[3]).toMatch(/^bench-failed \((unreadable|not-positive)\)/);
    expect(why[4]).toMatch(/^bench-failed \(not-positive\).*\n.*value = 0\b/);
    expect(why[6]).toMatch(/^bench-failed \(not-positive\).*\n.*value = -5\b/);
    // never measured: no comparison was recorded for them
    const measured = repo.ledger().flatMap((e) => (e.type === "measured" ? [e.iteration] : []));
    expect(measured).toEqual([5]);
    // each committed and reverted; the kept change stays, nothing else does
    const id = "exp-001";
    const subjects = repo.subjects();
    for (const [i, rev] of revisions.entries()) {
      const reverted = subjects.includes(`revert experiment(${id}/iter-00${i + 1}): ${rev}`);
      expect(reverted, rev).toBe(rev !== repo.ideas.keep);
    }
    expect(repo.file("src/value.txt")).toBe("80\n");
    expect(existsSync(join(repo.dir, "src/other.txt"))).toBe(false);
    expect(repo.git("status", "--porcelain")).toBe("");

    // the artifacts say so: summary.md, result.json, the leaderboard, the reflexion, status
    const dir = repo.experimentDir();
    const folders = readdirSync(join(dir, "iterations")).sort();
    const first = join(dir, "iterations", folders[0] as string);
    expect(readFileSync(join(first, "summary.md"), "utf8")).toMatch(
      /\*\*Decision: bench-failed\*\*/,
    );
    const json = JSON.parse(readFileSync(join(first, "result.json"), "utf8"));
    expect(json.decision).toBe("bench-failed");
    expect(json.reason).toMatch(/crashed/);
    expect(readFileSync(join(first, "reflexion.md"), "utf8")).toMatch(/bench-failed/);
    const leaderboard = readFileSync(join(dir, "leaderboard.md"), "utf8");
    expect(leaderboard.match(/💥 bench-failed/g)).toHaveLength(5);
    const status = JSON.parse((await runCli(["status", "--json"], repo.dir)).stdout);
    expect(status.decisions).toMatchObject({ kept: 1, benchFailed: 5, testFailed: 0 });
    expect((await runCli(["status"], repo.dir)).stdout).toMatch(/5 bench-failed/);

    // a second run goes on past them: nothing is retried
    const again = await patchesRun(revisions, ["--iterations", "10"]);
    expect(again.code, again.stderr).toBe(0);
    expect(repo.decisions()).toHaveLength(6);
    // no candidate is applied again: the agent finds every one tried
    const applied = repo.ledger().filter((e) => e.type === "applied");
    expect(applied.map((e) => e.iteration)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("stops the run with a clear message and exit code 1 when the best's own benchmark fails", async () => {
    repo = new LoopRepo();
    // the benchmark fails in the best's worktree only, when BREAK_BEST is set
    repo.commit("a benchmark script", {
      "bench.sh":
        'if [ -n "$BREAK_BEST" ] && [ "$(basename "$PWD")" = best ]; then echo "the best is broken" >&2; exit 3; fi\ncat src/value.txt\n',
    });
    for (const name of ["keep", "drop"] as const) {
      repo.git("rebase", "--quiet", "main", `idea-${name}`);
    }
    repo.git("checkout", "--quiet", "main");
    const init = await runCli(
      ["init", ...valueAnswers({ test: "sh test/check.sh", bench: "sh bench.sh" })],
      repo.dir,
    );
    expect(init.code, init.stderr).toBe(0);
    const keep = repo.git("rev-parse", "idea-keep");
    expect((await patchesRun([keep], ["--iterations", "1"])).code).toBe(0);
    expect(repo.decisions()).toEqual(["1:keep"]);

    const drop = repo.git("rev-parse", "idea-drop");
    const broken = await patchesRun([keep, drop], ["--iterations", "3"], { BREAK_BEST: "1" });
    expect(broken.stderr).not.toMatch(/unexpected failure/);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/current best's benchmark failed/);
    expect(broken.stderr).toMatch(/the run stops/);
    expect(broken.stderr).toMatch(/the best is broken/);
    // the candidate was not blamed for it
    expect(repo.decisions()).toEqual(["1:keep"]);
    expect(repo.file("src/value.txt")).toBe("80\n");
  });
});

describe("host mode: a failing benchmark is decided like failing tests", () => {
  it("answers bench-failed from step evaluate, reverts the edit, and status says the reflexion is expected", async () => {
    const host = new HostRepo();
    repo = host;
    await host.start();
    await host.ok(["next"]);
    await host.ok(host.planArgs(valuePlan(1)));
    const waiting = JSON.parse((await runCli(["status", "--json"], host.dir)).stdout);
    expect(waiting.phase).toBe("waiting for evaluate");
    host.write({ "src/value.txt": "0\n" });
    const evaluated = await host.ok<{
      decision: string;
      nextHint: string;
      result: { reason: string };
    }>(["evaluate"]);
    expect(evaluated.decision).toBe("bench-failed");
    expect(evaluated.result.reason).toMatch(/^bench-failed \(not-positive\)/);
    expect(evaluated.nextHint).toMatch(/committed and reverted/);
    expect(host.file("src/value.txt")).toBe("100\n");
    const status = await host.ok<{
      phase: string;
      host: { expected: string; interrupted: boolean };
    }>(["status"]);
    expect(status.host).toMatchObject({ expected: "reflect", interrupted: false });
    expect(status.phase).toBe("waiting for reflect");
    await host.ok(
      host.reflectArgs("0 is no measurement: the benchmark must print a positive value."),
    );
    expect(host.decisions()).toEqual(["1:bench-failed"]);
    const next = JSON.parse((await runCli(["status", "--json"], host.dir)).stdout);
    expect(next.phase).toBe("waiting for next");
  });
});
