import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CLI, runCli } from "./helpers/cli.js";
import { HostRepo, valuePlan } from "./helpers/host.js";
import { startedOnce } from "./helpers/loop-repo.js";

let repo: HostRepo;
afterEach(() => repo?.remove());

/** Tests that start alike take copies of one repository with its experiment and baseline. */
const started = startedOnce((from?: HostRepo) => new HostRepo(from), [], { fewRounds: true });

const id = "exp-001";

function iterationFolder(): string {
  const dir = join(repo.experimentDir(), "iterations");
  const [folder] = readdirSync(dir);
  return join(dir, folder as string);
}

describe("step: one iteration with the test as the host", () => {
  it("keeps an improvement: brief, plan, the host's edit, evaluate, reflect — and the next iteration waits for the reflexion", async () => {
    repo = new HostRepo();
    await repo.start([], { profiling: true });

    const next = await repo.ok<{
      iteration: number;
      resumed: boolean;
      stop: null;
      brief: {
        goal: string;
        scope: string[];
        baseline: number;
        hotspots: string;
        planSchema: { type: string };
      };
      worktree: string;
    }>(["next"]);
    expect(next).toMatchObject({ iteration: 1, resumed: false, stop: null, worktree: repo.dir });
    expect(next.brief).toMatchObject({ goal: "make value smaller", scope: ["src/**"] });
    expect(next.brief.baseline).toBe(100);
    expect(next.brief.planSchema.type).toBe("object");
    // The best was profiled running the benchmark, as the loop does before planning.
    expect(next.brief.hotspots).toMatch(/profile/);

    const plan = await repo.ok<{ folder: string; planPath: string }>(repo.planArgs(valuePlan(1)));
    expect(plan.folder).toBe("iter-001-lower-the-stored-value-1");
    expect(readFileSync(join(repo.dir, plan.planPath), "utf8")).toContain("## Pre-mortem");

    repo.write({ "src/value.txt": "80\n" });
    const evaluated = await repo.ok<{
      decision: string;
      iteration: number;
      result: { value: number; bestValue: number; verdict: string; changedFiles: string[] };
      delta: { improvement: number; ci: [number, number] };
      commits: string[];
      nextHint: string;
    }>(["evaluate"]);
    expect(evaluated).toMatchObject({ iteration: 1, decision: "keep" });
    expect(evaluated.result).toMatchObject({
      value: 80,
      bestValue: 100,
      verdict: "improved",
      changedFiles: ["src/value.txt"],
    });
    expect(evaluated.delta.improvement).toBeCloseTo(0.2, 10);
    expect(evaluated.commits).toHaveLength(1);
    expect(evaluated.nextHint).toMatch(/step reflect/);
    const folder = iterationFolder();
    for (const file of [
      "plan.md",
      "plan.json",
      "profile-snapshot.txt",
      "summary.md",
      "result.json",
      "result.txt",
    ]) {
      expect(existsSync(join(folder, file)), file).toBe(true);
    }
    expect(existsSync(join(folder, "reflexion.md"))).toBe(false);
    expect(readFileSync(join(repo.experimentDir(), "leaderboard.md"), "utf8")).toMatch(
      /\| 1 \| iter-001-lower-the-stored-value-1 \| \+20\.0% \|.*\| 80 vs 100 \|.*✅ kept/,
    );

    const early = await repo.step(["next"]);
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(
      /iteration 1 was evaluated \(keep\) and waits for its reflexion: run `auto-optimize step reflect --file REFLEXION.md` first/,
    );

    const reflected = await repo.ok<{ path: string; commit: string }>(repo.reflectArgs());
    expect(readFileSync(join(repo.dir, reflected.path), "utf8")).toMatch(/lesson/);
    expect(repo.subjects()).toEqual([
      `experiment(${id}): plan`,
      `experiment(${id}): baseline`,
      `experiment(${id}/iter-001): lower the stored value 1`,
      `experiment(${id}/iter-001): reflexion`,
    ]);
    expect(repo.git("status", "--porcelain")).toBe("");
    expect(repo.file("src/value.txt")).toBe("80\n");

    // The second brief carries what the first iteration left: best, leaderboard, reflexion, tried.
    const second = await repo.ok<{
      iteration: number;
      brief: { best: { value: number }; reflexions: string[]; tried: { strategy: string }[] };
    }>(["next"]);
    expect(second.iteration).toBe(2);
    expect(second.brief.best.value).toBe(80);
    expect(second.brief.reflexions.join("")).toMatch(/lesson/);
    expect(second.brief.tried).toEqual([
      { iteration: 1, strategy: "lower the stored value 1", decision: "keep" },
    ]);
    const status = await repo.ok<{ host: { expected: string; iteration: number } }>(["status"]);
    expect(status.host).toMatchObject({ expected: "plan", iteration: 2 });
  });

  it("drops a regression: the attempt is committed and reverted, the best stays", async () => {
    repo = started();
    const evaluated = await repo.iteration(1, { "src/value.txt": "120\n" });
    expect(evaluated.decision).toBe("drop");
    expect(String((evaluated.result as { reason: string }).reason)).toMatch(
      /^(no-change|regressed)/,
    );
    expect(repo.file("src/value.txt")).toBe("100\n");
    await repo.ok(repo.reflectArgs("120 is worse than 100 for a lower-is-better metric: dropped."));
    expect(repo.subjects()).toEqual([
      `experiment(${id}): plan`,
      `experiment(${id}): baseline`,
      `experiment(${id}/iter-001): lower the stored value 1`,
      `revert experiment(${id}/iter-001): lower the stored value 1`,
      `experiment(${id}/iter-001): reflexion`,
    ]);
    expect(repo.decisions()).toEqual(["1:drop"]);
    expect(repo.git("status", "--porcelain")).toBe("");
  });

  it("rejects an edit of a protected file whatever it gained, and reverts all of it", async () => {
    repo = started();
    const evaluated = await repo.iteration(1, {
      "src/value.txt": "50\n",
      "test/check.sh": "true\n",
    });
    expect(evaluated.decision).toBe("rejected");
    const result = evaluated.result as { violations: string[]; value: number | null };
    expect(result.violations).toEqual([
      "protected file test/check.sh was modified",
      "test/check.sh is outside the scope (src/**)",
    ]);
    expect(result.value).toBeNull();
    expect(String(evaluated.nextHint)).toMatch(/rejected .*protected files/);
    expect(repo.file("src/value.txt")).toBe("100\n");
    expect(repo.file("test/check.sh")).toBe("! grep -q broken src/*.txt\n");
    expect(repo.ledger().filter((e) => e.type === "measured")).toHaveLength(0);
    await repo.ok(repo.reflectArgs());
    expect(repo.decisions()).toEqual(["1:rejected"]);
  });

  it("rejects files outside the scope and in the experiment folder, restoring the latter", async () => {
    repo = started();
    await repo.ok(["next"]);
    await repo.ok(repo.planArgs(valuePlan(1)));
    const leaderboard = join(repo.experimentDir(), "leaderboard.md");
    repo.write({
      "src/value.txt": "50\n",
      "README.md": "faster\n",
      [`experiments/${repo.experimentDir().split("/").at(-1)}/notes.md`]: "my notes\n",
    });
    const evaluated = await repo.ok<{ decision: string; result: { violations: string[] } }>([
      "evaluate",
    ]);
    expect(evaluated.decision).toBe("rejected");
    expect(evaluated.result.violations.join("\n")).toMatch(/README\.md is outside the scope/);
    expect(evaluated.result.violations.join("\n")).toMatch(/notes\.md is in a protected area/);
    expect(existsSync(join(repo.experimentDir(), "notes.md"))).toBe(false);
    expect(repo.file("README.md")).toBe("a project\n");
    expect(existsSync(leaderboard)).toBe(true);
  });

  it("sends failing tests back to the host while attempts remain, then evaluates the fix", async () => {
    repo = started();
    const first = await repo.iteration(1, { "src/value.txt": "80\n", "src/extra.txt": "broken\n" });
    expect(first.decision).toBe("retry");
    expect(String((first.result as { testOutput: string }).testOutput)).toMatch(
      /the tests 'sh test\/check.sh'/,
    );
    expect(String(first.nextHint)).toMatch(/attempt 1 of 3/);
    expect(repo.subjects()).toHaveLength(2); // nothing committed
    repo.write({ "src/extra.txt": "fixed\n" });
    const second = await repo.ok<{ decision: string }>(["evaluate"]);
    expect(second.decision).toBe("keep");
    const tested = repo.ledger().filter((e) => e.type === "tested");
    expect(tested.map((e) => (e.type === "tested" ? `${e.attempt}:${e.ok}` : ""))).toEqual([
      "1:false",
      "2:true",
    ]);
  });

  it("ends as test-failed after the last attempt", async () => {
    repo = started();
    const first = await repo.iteration(1, { "src/extra.txt": "broken\n" });
    expect(first.decision).toBe("retry");
    expect((await repo.ok<{ decision: string }>(["evaluate"])).decision).toBe("retry");
    const last = await repo.ok<{ decision: string; commits: string[] }>(["evaluate"]);
    expect(last.decision).toBe("test-failed");
    expect(last.commits).toHaveLength(2);
    expect(existsSync(join(repo.dir, "src/extra.txt"))).toBe(false);
  });

  it("stops when the target is reached and says to write the report", async () => {
    repo = new HostRepo();
    await repo.start(["--target", "85"]);
    const evaluated = await repo.iteration(1, { "src/value.txt": "80\n" });
    expect(evaluated).toMatchObject({
      decision: "keep",
      stop: "target reached: value 80 (target 85)",
    });
    const reflected = await repo.ok<{ stop: string; nextHint: string }>(repo.reflectArgs());
    expect(reflected.nextHint).toMatch(/auto-optimize report/);
    // How to go on deliberately, in host mode's own words (issue 13, item 3).
    expect(reflected.nextHint).toMatch(/`auto-optimize step next --continue-after-target`/);
    // One expected step, the same in text and JSON (item 4).
    const status = await repo.ok<{ host: { expected: string; nextHint: string } }>(["status"]);
    expect(status.host.expected).toBe("report");
    expect((await repo.step(["status"])).stdout).toMatch(
      /expected step: report\nNext: stop iterating \(target reached/,
    );
    const next = await repo.ok<{ stop: string; brief: null }>(["next"]);
    expect(next).toMatchObject({ stop: "target reached: value 80 (target 85)", brief: null });
    expect(repo.subjects().at(-1)).toBe(
      `experiment(${id}): stopped — target reached: value 80 (target 85)`,
    );
    expect(repo.git("status", "--porcelain")).toBe("");
    // Asked again, it says the same and records nothing more.
    await repo.ok(["next"]);
    expect(repo.ledger().filter((e) => e.type === "stopped")).toHaveLength(1);
  });
});

describe("step: the order is enforced, each refusal names the step to take", () => {
  it("refuses steps out of order and bad input with exit code 2", async () => {
    repo = new HostRepo();
    expect((await repo.init()).code).toBe(0);
    const refused = async (args: string[], message: RegExp) => {
      const result = await repo.step(args);
      expect(result.stderr).not.toMatch(/unexpected failure/);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
    };
    await refused(
      ["next"],
      /baseline of exp-001-make-value-smaller is not locked: lock it with `auto-optimize baseline`/,
    );
    expect((await repo.step(["status"])).stdout).toMatch(/expected step: baseline/);
    expect((await runCli(["baseline"], repo.dir)).code).toBe(0);

    await refused(
      ["evaluate"],
      /no iteration is open: run `auto-optimize step next` to open iteration 1/,
    );
    await refused(
      repo.planArgs(valuePlan(1)),
      /no iteration is open: run `auto-optimize step next`/,
    );
    await refused(repo.reflectArgs(), /no evaluated iteration is waiting for a reflexion/);

    repo.write({ "src/value.txt": "70\n" });
    await refused(
      ["next"],
      /the working tree has changes \(src\/value.txt\), but iteration 1 must start from the current best's code/,
    );
    repo.git("checkout", "--", "src/value.txt");

    await repo.ok(["next"]);
    await refused(
      ["evaluate"],
      /iteration 1 has no accepted plan yet: submit one with `auto-optimize step plan --file PLAN.json`/,
    );
    await refused(repo.reflectArgs(), /iteration 1 has no accepted plan yet/);
    await refused(
      repo.planArgs(
        valuePlan(1, {
          selfConsistency: { ranking: ["wheel", "sieve", "odd-only"], notes: "re-ranked" },
        }),
      ),
      /the plan for iteration 1 was not accepted:\n- selfConsistency.ranking: the independent ranking puts "wheel" first but chainOfThought.chosen is "sieve"/,
    );
    await refused(
      repo.planArgs({ ...valuePlan(1), stepBack: { bottleneck: "gpu" } }),
      /- stepBack.bottleneck: .*\n- stepBack.evidence/,
    );
    await refused(
      repo.planArgs(valuePlan(1, { files: ["README.md"] })),
      /files: outside the scope \(src\/\*\*\): README.md/,
    );
    await refused(["plan", "--file", repo.scratchFile("{ not json")], /the plan is not valid JSON/);
    await refused(
      ["plan", "--file", "/nonexistent/plan.json"],
      /cannot read the plan from \/nonexistent\/plan.json/,
    );

    await repo.ok(repo.planArgs(valuePlan(1)));
    await refused(
      repo.planArgs(valuePlan(1)),
      /iteration 1 already has its plan 'lower the stored value 1' \(iterations\/iter-001-lower-the-stored-value-1\/plan.md\); a plan is submitted once per iteration/,
    );
    await refused(
      ["next"],
      /iteration 1 is open with its plan 'lower the stored value 1'.*run `auto-optimize step evaluate`/,
    );
    await refused(repo.reflectArgs(), /iteration 1 is not evaluated yet/);

    repo.write({ "src/value.txt": "80\n" });
    await repo.ok(["evaluate"]);
    // Evaluating again measures nothing: the recorded outcome, and the step to take.
    const again = await repo.ok<{ decision: string; replayed: boolean; nextHint: string }>([
      "evaluate",
    ]);
    expect(again).toMatchObject({ decision: "keep", replayed: true });
    expect(again.nextHint).toMatch(/record it with `auto-optimize step reflect/);
    expect(repo.ledger().filter((e) => e.type === "measured")).toHaveLength(1);
    await refused(
      repo.planArgs(valuePlan(2)),
      /iteration 1 was evaluated \(keep\) and waits for its reflexion/,
    );
    await refused(
      ["reflect", "--file", repo.scratchFile("ok")],
      /the reflexion is only 2 characters/,
    );
    await repo.ok(repo.reflectArgs());

    // The same strategy again is refused, by name.
    await repo.ok(["next"]);
    await refused(
      repo.planArgs(valuePlan(1)),
      /strategy: "lower the stored value 1" was already tried in iteration 1 \(keep\)/,
    );

    // The experiment's definition is the program's.
    const experimentJson = join(repo.experimentDir(), "experiment.json");
    const loosened = { ...JSON.parse(readFileSync(experimentJson, "utf8")), scope: ["**"] };
    writeFileSync(experimentJson, JSON.stringify(loosened));
    await refused(
      ["evaluate"],
      /experiments\/exp-001-make-value-smaller\/experiment.json changed in the working tree, but the experiment's definition is fixed at init: restore it/,
    );
    repo.git("checkout", "--", experimentJson);

    repo.git("checkout", "--quiet", "-b", "elsewhere");
    await refused(
      ["next"],
      /lives on branch auto-optimize\/exp-001-make-value-smaller, but elsewhere is checked out/,
    );
  });

  it("reads the plan and the reflexion from standard input with --file -", async () => {
    repo = started();
    await repo.ok(["next"]);
    const run = (args: string[], input: string) =>
      spawnSync(process.execPath, [CLI, "step", ...args], {
        cwd: repo.dir,
        input,
        encoding: "utf8",
      });
    const plan = run(["plan", "--file", "-"], JSON.stringify(valuePlan(1)));
    expect(plan.status, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/accepted the plan of iteration 1: lower the stored value 1/);
    repo.write({ "src/value.txt": "80\n" });
    await repo.ok(["evaluate"]);
    const reflect = run(
      ["reflect", "--file", "-"],
      "# Reflexion\n\nSmaller numbers print faster.\n",
    );
    expect(reflect.status, reflect.stderr).toBe(0);
    expect(reflect.stdout).toMatch(/Next: open the next iteration with `auto-optimize step next`/);
  });
});
