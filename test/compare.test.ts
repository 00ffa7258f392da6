import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CompareReport } from "../src/measure/compare-report.js";
import { runCli } from "./helpers/cli.js";
import { autoOptimizeLeftovers } from "./helpers/leftovers.js";
import { TempRepo } from "./helpers/temp-repo.js";

let repo: TempRepo;
afterEach(() => repo?.remove());

const compare = (args: string[], env?: NodeJS.ProcessEnv, cwd = repo.dir) =>
  runCli(["compare", ...args, "--max-rounds", "10"], cwd, { env });
const parse = (stdout: string) => JSON.parse(stdout) as CompareReport;

function leftovers(): string[] {
  return autoOptimizeLeftovers(repo.dir);
}

describe("compare", () => {
  it("finds an exact 20% saving, leaves the user's tree and branch alone and removes its worktrees", async () => {
    repo = new TempRepo();
    const a = repo.commit("slow", { "value.txt": "100\n" });
    repo.commit("fast", { "value.txt": "80\n" });
    repo.write({ "notes.txt": "uncommitted work\n", "value.txt": "55\n" });
    const result = await compare([a, "HEAD", "--bench", "cat value.txt", "--json", "--seed", "7"]);
    expect(result.code).toBe(0);
    const report = parse(result.stdout);
    expect(report.verdict).toBe("improved");
    expect(report.improvement).toBeCloseTo(0.2, 10);
    expect(report.ci[0]).toBeCloseTo(0.2, 10);
    expect(report.rounds).toBe(10);
    expect(report.seed).toBe(7);
    expect(report.a.commit).toBe(a);
    expect(report.scenarios).toMatchObject([
      { name: "value", verdict: "improved", medianA: 100, medianB: 80 },
    ]);
    expect(report.samples).toHaveLength(10);
    // the working tree measured nothing and lost nothing
    expect(readFileSync(join(repo.dir, "value.txt"), "utf8")).toBe("55\n");
    expect(readFileSync(join(repo.dir, "notes.txt"), "utf8")).toBe("uncommitted work\n");
    expect(repo.git("branch", "--show-current")).toBe("main");
    expect(repo.worktreeCount()).toBe(1);
    expect(leftovers()).toEqual([]);
  });

  it("says no-change for identical revisions and regressed for a slowdown or a lower throughput", async () => {
    repo = new TempRepo();
    repo.commit("base", { "value.txt": "100\n" });
    const same = parse(
      (await compare(["HEAD", "HEAD", "--bench", "cat value.txt", "--json"])).stdout,
    );
    expect(same.verdict).toBe("no-change");
    expect(same.stoppedFor).toBe("equivalence");
    // A cap shorter than one run: two rounds, then no verdict.
    const capped = parse(
      (
        await compare([
          "HEAD",
          "HEAD",
          "--bench",
          "cat value.txt",
          "--max-minutes",
          "0.000001",
          "--json",
        ])
      ).stdout,
    );
    expect(capped).toMatchObject({ verdict: "inconclusive", stoppedFor: "time", rounds: 2 });
    repo.commit("other", { "value.txt": "120\n" });
    const slower = parse(
      (await compare(["HEAD~1", "HEAD", "--bench", "cat value.txt", "--json"])).stdout,
    );
    expect(slower.verdict).toBe("regressed");
    expect(slower.stoppedFor).toBe("efficacy");
    const higher = parse(
      (
        await compare([
          "HEAD",
          "HEAD~1",
          "--bench",
          "cat value.txt",
          "--direction",
          "higher",
          "--json",
        ])
      ).stdout,
    );
    expect(higher.verdict).toBe("regressed");
    expect(higher.improvement).toBeCloseTo(100 / 120 - 1, 10);
  });

  it("reproduces the run order and the interval from the seed", async () => {
    repo = new TempRepo();
    // Each run prints a value that depends on how many runs came before: only the order decides.
    const bench = `node -e "const f=process.env.COUNTER;const n=Number(require('fs').readFileSync(f,'utf8'));require('fs').writeFileSync(f,String(n+1));console.log(Number(require('fs').readFileSync('base.txt','utf8'))+(n*7)%5)"`;
    repo.commit("a", { "base.txt": "100" });
    repo.commit("b", { "base.txt": "98" });
    const run = async () => {
      const counter = join(mkdtempSync(join(tmpdir(), "counter-")), "n");
      writeFileSync(counter, "0");
      return parse(
        (
          await compare(["HEAD~1", "HEAD", "--bench", bench, "--json", "--seed", "12345"], {
            COUNTER: counter,
          })
        ).stdout,
      );
    };
    const first = await run();
    const second = await run();
    expect(second.samples.map((s) => s.order)).toEqual(first.samples.map((s) => s.order));
    expect(second.ci).toEqual(first.ci);
    expect(second.verdict).toBe(first.verdict);
    expect(new Set(first.samples.map((s) => s.order)).size).toBe(2);
  });

  it("lets one scenario's regression veto an overall gain", async () => {
    repo = new TempRepo();
    repo.commit("a", { "out.json": '{"parse": 100, "render": 100}\n' });
    repo.commit("b", { "out.json": '{"parse": 60, "render": 110}\n' });
    const report = parse(
      (await compare(["HEAD~1", "HEAD", "--bench", "cat out.json", "--json"])).stdout,
    );
    expect(report.verdict).toBe("regressed");
    expect(report.improvement).toBeGreaterThan(0);
    expect(report.vetoes).toEqual(["scenario render regressed by more than 3.0%"]);
    expect(report.scenarios.map((s) => [s.name, s.verdict])).toEqual([
      ["parse", "improved"],
      ["render", "regressed"],
    ]);
  });

  it("runs the build once in each checkout before measuring", async () => {
    repo = new TempRepo();
    repo.commit("a", { "src.txt": "100\n" });
    repo.commit("b", { "src.txt": "90\n" });
    const unbuilt = await compare(["HEAD~1", "HEAD", "--bench", "cat built.txt"]);
    expect(unbuilt.code).toBe(1);
    expect(unbuilt.stderr).toMatch(
      /A \(HEAD~1\), warm-up: 'cat built.txt' failed: exited with code 1/,
    );
    const built = await compare([
      "HEAD~1",
      "HEAD",
      "--bench",
      "cat built.txt",
      "--build",
      "cp src.txt built.txt",
      "--json",
    ]);
    expect(built.code).toBe(0);
    expect(parse(built.stdout).scenarios[0]).toMatchObject({ medianA: 100, medianB: 90 });
    expect(existsSync(join(repo.dir, "built.txt"))).toBe(false);
    expect(repo.worktreeCount()).toBe(1);
  });

  it("measures from the subfolder the user stands in, and falls back to wall time when nothing is printed", async () => {
    repo = new TempRepo();
    repo.commit("a", { "pkg/value.txt": "10\n" });
    const fromSub = await compare(
      ["HEAD", "HEAD", "--bench", "cat value.txt", "--json"],
      undefined,
      join(repo.dir, "pkg"),
    );
    expect(parse(fromSub.stdout).scenarios[0]?.medianA).toBe(10);
    const silent = parse((await compare(["HEAD", "HEAD", "--bench", "true", "--json"])).stdout);
    expect(silent.scenarios.map((s) => [s.name, s.unit, s.better])).toEqual([
      ["wall-time", "ms", "lower"],
    ]);
    expect(silent.scenarios[0]?.medianA).toBeGreaterThan(0);
  });

  it("prints a readable table by default", async () => {
    repo = new TempRepo();
    repo.commit("a", { "value.txt": "t: 100 ms\n" });
    repo.commit("b", { "value.txt": "t: 50 ms\n" });
    const result = await compare(["HEAD~1", "HEAD", "--bench", "cat value.txt", "--seed", "3"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /scenario\s+better\s+median A\s+median B\s+improvement\s+interval\s+verdict/,
    );
    expect(result.stdout).toMatch(
      /^t\s+lower\s+100\.0 ms\s+50\.000 ms\s+\+50\.0%\s+\[\+50\.0%, \+50\.0%\]\s+improved$/m,
    );
    expect(result.stdout).toContain("verdict: IMPROVED");
    expect(result.stdout).toContain("seed 3");
    expect(result.stderr).toContain("look at 10 rounds");
  });
  it("gates CI: --fail-on exits 3 on the verdict it names, --markdown prints the summary table", async () => {
    repo = new TempRepo();
    repo.commit("base", { "value.txt": "100\n" });
    repo.commit("slower", { "value.txt": "125\n" });
    const gated = await compare([
      "HEAD~1",
      "HEAD",
      "--bench",
      "cat value.txt",
      "--fail-on",
      "regressed",
      "--markdown",
      "--seed",
      "9",
    ]);
    expect(gated.code).toBe(3);
    expect(gated.stdout).toMatch(/^### compare: \*\*regressed\*\* -25\.0% \[-25\.0%, -25\.0%\]$/m);
    expect(gated.stdout).toContain(
      "| value | lower | 100.0 | 125.0 | -25.0% | [-25.0%, -25.0%] | regressed |",
    );
    expect(gated.stdout).toContain("replay with `--seed 9`");
    expect(gated.stderr).toContain("the verdict is regressed and --fail-on regressed");
    expect(repo.worktreeCount()).toBe(1);
    // The other way round it improved: a not-improved gate passes.
    const passed = await compare([
      "HEAD",
      "HEAD~1",
      "--bench",
      "cat value.txt",
      "--fail-on",
      "not-improved",
    ]);
    expect(passed.code).toBe(0);
    expect(passed.stdout).toContain("verdict: IMPROVED");
  });
});

describe("compare on bad input", () => {
  it("exits 2 with what to fix", async () => {
    repo = new TempRepo();
    repo.commit("a", { "value.txt": "1\n" });
    const cases: [string[], RegExp][] = [
      [["HEAD", "nope", "--bench", "cat value.txt"], /unknown revision 'nope'/],
      [["HEAD", "HEAD"], /--bench is required/],
      [["HEAD", "HEAD", "--bench", "cat value.txt", "--metric", "latency"], /latency/],
      [["HEAD", "HEAD", "--bench", "no-such-tool --fast"], /could not find the command/],
      [
        ["HEAD", "HEAD", "--bench", "cat value.txt", "--min-effect", "5"],
        /--min-effect must be a fraction/,
      ],
      [["HEAD", "HEAD", "--bench", "cat value.txt", "--direction", "up"], /--direction must be/],
      [["HEAD", "HEAD", "--bench", "echo hello world"], /format/],
      [["HEAD", "HEAD", "--bench", "cat value.txt", "--fail-on", "slower"], /--fail-on must be/],
      [["HEAD", "HEAD", "--bench", "cat value.txt", "--json", "--markdown"], /give one of them/],
    ];
    for (const [args, message] of cases) {
      const result = await compare(args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toMatch(message);
    }
    const outside = await runCli(
      ["compare", "HEAD", "HEAD", "--bench", "true"],
      mkdtempSync(join(tmpdir(), "plain-")),
    );
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/not inside a git repository/);
    expect(repo.worktreeCount()).toBe(1);
    expect(leftovers()).toEqual([]);
  });

  it("exits 1 naming the revision when a run fails midway, and cleans up", async () => {
    repo = new TempRepo();
    repo.commit("a", { "bench.sh": "echo 5\n" });
    repo.commit("b", {
      "bench.sh": 'if [ -f "$MARK" ]; then echo broken >&2; exit 3; fi; touch "$MARK"; echo 5\n',
    });
    const mark = join(mkdtempSync(join(tmpdir(), "mark-")), "warm");
    const result = await compare(["HEAD~1", "HEAD", "--bench", "sh bench.sh"], { MARK: mark });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/B \(HEAD\), round 1: 'sh bench.sh' failed: exited with code 3/);
    expect(result.stderr).toContain("broken");
    expect(repo.worktreeCount()).toBe(1);
    expect(leftovers()).toEqual([]);
  });

  it.each([
    // Random values never settle, so the comparison is still running when Ctrl-C comes.
    [
      "during a benchmark run",
      "sleep 0.3; od -An -N2 -tu2 /dev/urandom | awk '{ print $1 + 1 }'",
      150,
    ],
    ["between runs", "od -An -N2 -tu2 /dev/urandom | awk '{ print $1 + 1 }'", 0],
  ])("removes its worktrees when interrupted with Ctrl-C %s", async (_when, bench, delay) => {
    repo = new TempRepo();
    repo.commit("a", { "value.txt": "1\n" });
    let sent = false;
    const result = await runCli(
      ["compare", "HEAD", "HEAD", "--bench", bench, "--max-rounds", "400"],
      repo.dir,
      {
        onStderr: (text, child) => {
          if (!sent && text.includes("warm-up B")) {
            sent = true;
            setTimeout(() => child.kill("SIGINT"), delay);
          }
        },
      },
    );
    expect(sent).toBe(true);
    expect(result.code).toBe(130);
    expect(result.stderr).toContain("interrupted (Ctrl-C)");
    expect(repo.worktreeCount()).toBe(1);
    expect(leftovers()).toEqual([]);
  });
});
