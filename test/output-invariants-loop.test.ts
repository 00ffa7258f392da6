import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CompareReport } from "../src/measure/compare-report.js";
import { runCli } from "./helpers/cli.js";
import { HostRepo } from "./helpers/host.js";
import { editExperimentIn, withoutProfiling } from "./helpers/loop-repo.js";
import { ReportRepo } from "./helpers/report-repo.js";

let repo: ReportRepo | HostRepo;
afterEach(() => repo?.remove());

const answers = [
  "--yes",
  "--goal",
  "cut the report's time over the benchmark's 8,000 lines",
  "--scope",
  "src/**",
  "--metric",
  "ms",
  "--direction",
  "lower",
  "--target",
  "0.001",
  "--threshold",
  "1%",
  "--test",
  "node test/check.js",
  "--bench",
  "node bench/run.js",
];

function experimentDir(): string {
  const name = repo.git("branch", "--show-current").replace("auto-optimize/", "");
  return join(repo.dir, "experiments", name);
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

interface IterationResult {
  decision: string;
  reason: string;
  guard?: string;
  improvement: number | null;
}

describe("output invariants in the loop", () => {
  it("rejects a shortcut taken on the benchmark's input and keeps the honest fix of the same code", async () => {
    repo = new ReportRepo();
    const { ideas } = repo;
    expect((await runCli(["init", ...answers], repo.dir)).code).toBe(0);
    editExperimentIn(repo, withoutProfiling);
    const baseline = await runCli(["baseline", "--runs", "5", "--accept-noise"], repo.dir);
    expect(baseline.code, baseline.stderr).toBe(0);

    // The baseline's runs taught which tokens never vary: the pid and the time do, the report not.
    const learned = readJson<{
      invariants: { runs: number; lines: { text: string; tokens: (string | null)[] }[] };
    }>(join(experimentDir(), "baseline", "invariants.json"));
    const measured = readJson<{ runs: number; extraRuns: number }>(
      join(experimentDir(), "baseline", "result.json"),
    );
    // Every measured run, and the warm-up before each batch of them.
    expect(learned.invariants.runs).toBe(measured.runs + (measured.extraRuns > 0 ? 2 : 1));
    expect(learned.invariants.lines.map((l) => l.tokens)).toEqual([
      ["#", "run", "pid", null],
      [
        "#",
        "report",
        "digest",
        expect.stringMatching(/^[0-9a-f]{16}$/),
        "over",
        "2000",
        "customers",
      ],
      ["ms", ":", null],
    ]);
    const digestLine = learned.invariants.lines[1]?.text;

    const run = await runCli(
      [
        "run",
        "--agent",
        "patches",
        "--revisions",
        `${ideas.shortcut},${ideas.honest}`,
        "--iterations",
        "2",
        "--no-report",
      ],
      repo.dir,
    );
    expect(run.code, run.stderr).toBe(0);
    const iterations = join(experimentDir(), "iterations");
    const shortcut = readJson<IterationResult>(join(iterations, firstFolder(1), "result.json"));
    const honest = readJson<IterationResult>(join(iterations, firstFolder(2), "result.json"));

    // The shortcut measured far faster and was rejected all the same, naming the line.
    expect(shortcut.improvement).toBeGreaterThan(0.3);
    expect(shortcut.decision).toBe("rejected");
    expect(shortcut.guard).toBe("behaviour-changed");
    expect(shortcut.reason).toMatch(
      new RegExp(
        `^behaviour-changed: the benchmark's output differs from the best's in a line that never varies between the best's runs: line 2 "${digestLine}" → "# report digest [0-9a-f]{16} over 1500 customers"$`,
      ),
    );
    expect(honest.decision).toBe("keep");
    expect(honest.guard).toBeUndefined();
    const kept = readFileSync(join(repo.dir, "src/report.js"), "utf8");
    expect(kept).not.toContain("Wasted work");
    expect(kept).not.toContain("slice(0, 1500)");
    // The observations in result.json do not carry the runs' output.
    expect(readFileSync(join(iterations, firstFolder(1), "result.json"), "utf8")).not.toContain(
      "# run pid",
    );
  });

  it("stores --volatile patterns and refuses one that is not a regular expression", async () => {
    repo = new ReportRepo();
    const bad = await runCli(["init", ...answers, "--volatile", "pid (\\d+"], repo.dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--volatile 'pid \(\\d\+' is not a regular expression/);
    const good = await runCli(["init", ...answers, "--volatile", "digest \\w+"], repo.dir);
    expect(good.code, good.stderr).toBe(0);
    const experiment = readJson<{ volatile?: string[] }>(join(experimentDir(), "experiment.json"));
    expect(experiment.volatile).toEqual(["digest \\w+"]);
    expect(readFileSync(join(experimentDir(), "experiment-plan.md"), "utf8")).toContain(
      "- Benchmark output never compared (besides the metric): `digest \\w+`",
    );
  });
});

describe("output invariants in host mode", () => {
  it("rejects through step evaluate a candidate that prints another result, and keeps one that does not", async () => {
    const host = new HostRepo();
    repo = host;
    // The benchmark (cat src/value.txt) prints the value and, beside it, what it was computed from.
    host.commit("with a digest", { "src/value.txt": "100\ndigest aaaa over 2000 rows\n" });
    await host.start();
    type Evaluated = { decision: string; result: { reason: string } };
    const changed = (await host.iteration(1, {
      "src/value.txt": "50\ndigest bbbb over 1500 rows\n",
    })) as unknown as Evaluated;
    expect(changed.decision).toBe("rejected");
    const recorded = readJson<IterationResult>(
      join(experimentDir(), "iterations", firstFolder(1), "result.json"),
    );
    expect(recorded.guard).toBe("behaviour-changed");
    expect(changed.result.reason).toMatch(
      /: line 2 "digest aaaa over 2000 rows" → "digest bbbb over 1500 rows"$/,
    );
    await host.ok(host.reflectArgs());
    const same = await host.iteration(2, { "src/value.txt": "50\ndigest aaaa over 2000 rows\n" });
    expect(same.decision).toBe("keep");
  });
});

describe("output invariants in compare", () => {
  const compare = (b: string, extra: string[] = []) =>
    runCli(
      [
        "compare",
        "main",
        b,
        "--bench",
        "node bench/run.js",
        "--metric",
        "ms",
        "--min-rounds",
        "2",
        "--max-rounds",
        "2",
        ...extra,
      ],
      repo.dir,
    );

  it("reports in `behaviour` whether B prints what A prints invariably", async () => {
    const project = new ReportRepo();
    repo = project;
    const shortcut = JSON.parse(
      (await compare(project.ideas.shortcut, ["--json"])).stdout,
    ) as CompareReport;
    expect(shortcut.behaviour).toMatchObject({
      changed: true,
      learnedFrom: 3,
      checked: 3,
      firstDifference: {
        line: 2,
        expected: expect.stringMatching(/over 2000 customers$/),
        actual: { line: 2, text: expect.stringMatching(/over 1500 customers$/) },
      },
    });

    const text = await compare(project.ideas.shortcut);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /warning: B's output differs from A's in a line that never varies between A's runs: line 2 ".*over 2000 customers" → ".*over 1500 customers"/,
    );
    const ignored = await compare(project.ideas.shortcut, [
      "--json",
      "--volatile",
      "digest \\w+ over \\d+",
    ]);
    expect((JSON.parse(ignored.stdout) as CompareReport).behaviour).toEqual({
      changed: false,
      firstDifference: null,
      learnedFrom: 3,
      checked: 3,
    });
  });
});

function firstFolder(iteration: number): string {
  const prefix = `iter-${String(iteration).padStart(3, "0")}-`;
  const folders = readdirSync(join(experimentDir(), "iterations"));
  const folder = folders.find((f) => f.startsWith(prefix));
  if (!folder) throw new Error(`no folder for iteration ${iteration} in ${folders.join(", ")}`);
  return folder;
}
