import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { HostRepo } from "./helpers/host.js";
import { LoopRepo, valueAnswers } from "./helpers/loop-repo.js";
import { TempRepo } from "./helpers/temp-repo.js";

let repo: TempRepo;
afterEach(() => repo?.remove());

/** The function the benchmark is about: doubles each argument, one result per line. */
const DOUBLE = 'for n in "$@"; do echo $((n * 2)); done\n';
/** The same results computed another way: an honest rewrite. */
const DOUBLE_HONEST = 'for n in "$@"; do echo $((n + n)); done\n';
/** A shortcut taken only on the benchmark's input (50): the reward hack. */
const DOUBLE_SHORTCUT =
  'for n in "$@"; do if [ "$n" -ge 50 ]; then echo 1; else echo $((n * 2)); fi; done\n';
const CHECK = "sh check/corpus.sh";

/**
 * The loop repository plus a function in scope (src/double.sh) and a differential check that
 * prints its results on a fixed corpus. The benchmark still prints nothing but src/value.txt's
 * number, so only the check can see what a change computes.
 */
function withFunction(target: LoopRepo): void {
  target.commit("a function and its behaviour check", {
    "src/double.sh": DOUBLE,
    "check/corpus.sh": "sh src/double.sh 1 2 3 7 50\n",
  });
}

/** A candidate as a commit on a side branch from main; returns its id. */
function idea(target: LoopRepo, name: string, files: Record<string, string>): string {
  target.git("checkout", "--quiet", "-b", `check-${name}`, "main");
  const commit = target.commit(name, files);
  target.git("checkout", "--quiet", "main");
  return commit;
}

function results(target: LoopRepo): Record<string, unknown>[] {
  const dir = join(target.experimentDir(), "iterations");
  return readdirSync(dir)
    .sort()
    .map((folder) => JSON.parse(readFileSync(join(dir, folder, "result.json"), "utf8")));
}

describe("a behaviour check command", () => {
  it("rejects a patch that gains by computing something else, or whose check fails, and keeps an honest one", async () => {
    const loop = new LoopRepo();
    repo = loop;
    withFunction(loop);
    const shortcut = idea(loop, "shortcut", {
      "src/value.txt": "50\n",
      "src/double.sh": DOUBLE_SHORTCUT,
    });
    const crash = idea(loop, "crash", { "src/value.txt": "60\n", "src/double.sh": "exit 3\n" });
    const honest = idea(loop, "honest", {
      "src/value.txt": "80\n",
      "src/double.sh": DOUBLE_HONEST,
    });
    const init = await loop.init(["--check", CHECK]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(
      /check: +'sh check\/corpus\.sh' printed the same 5 line\(s\) twice/,
    );
    const experiment = JSON.parse(
      readFileSync(join(loop.experimentDir(), "experiment.json"), "utf8"),
    );
    expect(experiment.commands.check).toBe(CHECK);
    // the file the check command names is protected like the tests and the benchmark
    const hashes = JSON.parse(readFileSync(join(loop.experimentDir(), "protected.json"), "utf8"));
    expect(Object.keys(hashes)).toContain("check/corpus.sh");
    expect((await runCli(["baseline"], loop.dir)).code).toBe(0);

    const run = await runCli(
      [
        "run",
        "--agent",
        "patches",
        "--revisions",
        [shortcut, crash, honest].join(","),
        "--iterations",
        "3",
        "--no-report",
      ],
      loop.dir,
    );
    expect(run.stderr).not.toMatch(/unexpected failure/);
    expect(run.code, run.stderr).toBe(0);
    expect(loop.decisions()).toEqual(["1:rejected", "2:rejected", "3:keep"]);
    const [first, second, third] = results(loop);
    expect(first).toMatchObject({ decision: "rejected", guard: "behaviour-changed" });
    const reason = String(first?.reason);
    expect(reason).toMatch(
      /^behaviour-changed: the check command 'sh check\/corpus\.sh' prints something else on the candidate: first difference at line 5 \(- best, \+ candidate\):/,
    );
    expect(reason).toContain("  4 | 14"); // context before the difference
    expect(reason).toContain("- 5 | 100");
    expect(reason).toContain("+ 5 | 1");
    expect(second).toMatchObject({ decision: "rejected", guard: "behaviour-changed" });
    expect(String(second?.reason)).toMatch(
      /^behaviour-changed: the check command 'sh check\/corpus\.sh' fails on the candidate: exited with code 3/,
    );
    expect(third).toMatchObject({ decision: "keep", value: 80 });
    expect(third?.guard).toBeUndefined();
    // the shortcut was rejected before it was measured: no sample of it was taken
    expect(
      loop
        .ledger()
        .filter((e) => e.type === "measured")
        .map((e) => e.iteration),
    ).toEqual([3]);
    expect(loop.file("src/double.sh")).toBe(DOUBLE_HONEST);
    expect(loop.file("src/value.txt")).toBe("80\n");
  });

  it("rejects the shortcut in host mode too (step evaluate)", async () => {
    const host = new HostRepo();
    repo = host;
    withFunction(host);
    await host.start(["--check", CHECK]);
    const next = await host.step(["next"]);
    expect(next.stdout).toContain(`Behaviour check: \`${CHECK}\` must print exactly`);
    const evaluated = await host.iteration(1, {
      "src/value.txt": "50\n",
      "src/double.sh": DOUBLE_SHORTCUT,
    });
    expect(evaluated.decision).toBe("rejected");
    const reason = String((evaluated.result as { reason: string }).reason);
    expect(reason).toMatch(/^behaviour-changed: the check command .* prints something else/);
    expect(reason).toContain("- 5 | 100");
    expect(reason).toContain("+ 5 | 1");
    expect(results(host)).toMatchObject([{ decision: "rejected", guard: "behaviour-changed" }]);
    expect(evaluated.result).toMatchObject({ guard: "behaviour-changed" });
    // summary.md keeps the diff head verbatim: fenced, not read as a Markdown list
    const folder = readdirSync(join(host.experimentDir(), "iterations"))[0] as string;
    const summary = host.file(
      relative(host.dir, join(host.experimentDir(), "iterations", folder, "summary.md")),
    );
    expect(summary).toMatch(
      /\*\*Decision: rejected\*\* — behaviour-changed: .*\n\n```\n(.*\n)*- 5 \| 100\n/,
    );
    expect(host.file("src/double.sh")).toBe(DOUBLE);
  });
});

describe("init --check", () => {
  it("refuses a check whose output varies from run to run, showing the first differing line", async () => {
    repo = new TempRepo();
    repo.commit("project", {
      "src/value.txt": "100\n",
      "check.sh": "true\n",
      "print.sh": "echo stable\nod -An -tu4 -N4 /dev/urandom\n",
    });
    const result = await runCli(
      [
        "init",
        ...valueAnswers({ test: "sh check.sh", bench: "cat src/value.txt" }),
        "--check",
        "sh print.sh",
      ],
      repo.dir,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /the check 'sh print\.sh' printed different output on two runs of the unchanged code, so it cannot be a differential check/,
    );
    expect(result.stderr).toMatch(/first difference at line 2 \(- first run, \+ second run\):/);
    expect(result.stderr).toMatch(/ {2}1 \| stable/);
    expect(repo.git("branch", "--list", "auto-optimize/*")).toBe("");
  });

  it("refuses a check that prints nothing, and an empty --check", async () => {
    repo = new TempRepo();
    repo.commit("project", { "src/value.txt": "100\n", "check.sh": "true\n" });
    const answers = valueAnswers({ test: "sh check.sh", bench: "cat src/value.txt" });
    const silent = await runCli(["init", ...answers, "--check", "true"], repo.dir);
    expect(silent.code).toBe(2);
    expect(silent.stderr).toMatch(/the check 'true' printed nothing on stdout/);
    const empty = await runCli(["init", ...answers, "--check", " "], repo.dir);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--check: --check is empty/);
  });
});
