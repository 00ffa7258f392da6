import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type CliResult, runCli } from "./helpers/cli.js";
import { editExperimentIn, withoutProfiling } from "./helpers/loop-repo.js";
import { TempRepo } from "./helpers/temp-repo.js";

/**
 * A project whose benchmark does real work — a busy loop of src/work.js's length, ~100–300 ms on
 * this machine — and prints how long it took through src/report.js. Each idea is a commit on a
 * side branch from main, for the patches agent:
 *   divided  src/report.js prints a twentieth of the time: the metric improves by 95%, the work
 *            does not change
 *   honest   src/work.js asks for a fifth of the work: the metric and the process's time both fall
 */
class WorkRepo extends TempRepo {
  readonly ideas: Record<string, string> = {};

  constructor(files: Record<string, string>, ideas: Record<string, Record<string, string>>) {
    super();
    this.commit("project", files);
    for (const [name, changed] of Object.entries(ideas)) {
      this.git("checkout", "--quiet", "-b", `idea-${name}`, "main");
      this.ideas[name] = this.commit(name, changed);
    }
    this.git("checkout", "--quiet", "main");
  }

  init(metric: string): Promise<CliResult> {
    return runCli(
      [
        "init",
        "--yes",
        "--goal",
        "make the work faster",
        "--scope",
        "src/**",
        "--metric",
        metric,
        "--direction",
        "lower",
        "--target",
        "1",
        "--threshold",
        "5%",
        "--iterations",
        "2",
        "--test",
        "true",
        "--bench",
        "node bench.js",
      ],
      this.dir,
    );
  }

  /**
   * The baseline (its fewest runs; a busy machine's noise is no reason to stop here), then the
   * patches agent applying `ideas` in order.
   */
  async run(ideas: string[]): Promise<CliResult> {
    // Profiling the best before each iteration is not what these tests check: seconds saved.
    editExperimentIn(this, withoutProfiling);
    const baseline = await runCli(["baseline", "--runs", "5", "--accept-noise"], this.dir);
    if (baseline.code !== 0) return baseline;
    const revisions = ideas.map((i) => this.ideas[i]).join(",");
    return runCli(["run", "--agent", "patches", "--revisions", revisions, "--no-report"], this.dir);
  }

  experimentDir(): string {
    const name = this.git("branch", "--show-current").replace("auto-optimize/", "");
    return join(this.dir, "experiments", name);
  }

  experimentFile(path: string): string {
    return readFileSync(join(this.experimentDir(), path), "utf8");
  }

  iteration(n: number): { decision: string; reason: string; guard?: string } {
    const iterations = join(this.experimentDir(), "iterations");
    const folder = readdirSync(iterations).find((f) => f.startsWith(`iter-00${n}`));
    return JSON.parse(readFileSync(join(iterations, `${folder}`, "result.json"), "utf8"));
  }
}

const BUSY_LOOP = `let x = 0;
for (let i = 0; i < ITERATIONS; i++) x = (x * 31 + i) % 1000003;
if (x < 0) console.error(x); // keeps the loop's result alive`;

let repo: WorkRepo;
afterEach(() => repo?.remove());

describe("metric/process-time consistency, end to end", () => {
  it("rejects a patch that only divides the printed time, and keeps one that does less work", async () => {
    repo = new WorkRepo(
      {
        "bench.js": `const { ITERATIONS } = require("./src/work.js");
const { report } = require("./src/report.js");
const start = performance.now();
${BUSY_LOOP}
report(performance.now() - start);
`,
        "src/work.js": "exports.ITERATIONS = 30_000_000;\n",
        "src/report.js": "exports.report = (ms) => console.log('report_ms: ' + ms.toFixed(2));\n",
      },
      {
        divided: {
          "src/report.js":
            "exports.report = (ms) => console.log('report_ms: ' + (ms / 20).toFixed(2));\n",
        },
        honest: { "src/work.js": "exports.ITERATIONS = 6_000_000;\n" },
      },
    );
    expect((await repo.init("report_ms")).code).toBe(0);
    const result = await repo.run(["divided", "honest"]);
    expect(result.stderr).not.toMatch(/unexpected failure/);
    expect(result.code, result.stderr).toBe(0);
    expect(repo.experimentFile("baseline/result.txt")).toMatch(
      /metric\/process-time consistency: checked \(report_ms is \d+% of the process's (wall|CPU) time\)/,
    );

    const divided = repo.iteration(1);
    expect(divided.decision).toBe("rejected");
    expect(divided.guard).toBe("metric-inconsistent");
    // Both figures, each with its interval: the metric's saving and the process's.
    expect(divided.reason).toMatch(
      /^metric-inconsistent: report_ms improved by \d+(\.\d)? ms \[\S+, \S+\] per run, but the process saved only -?\S+ ms \[\S+, \S+\] of CPU and -?\S+ ms \[\S+, \S+\] of wall time per run, less than 50% of the metric's saving$/,
    );
    const saved = Number(/improved by (\S+) ms/.exec(divided.reason)?.[1]);
    const cpu = Number(/saved only (\S+) ms/.exec(divided.reason)?.[1]);
    expect(cpu).toBeLessThan(saved / 2);

    const honest = repo.iteration(2);
    expect(honest.decision).toBe("keep");
    expect(honest.guard).toBeUndefined();
    expect(readFileSync(join(repo.dir, "src/work.js"), "utf8")).toContain("6_000_000");
    expect(readFileSync(join(repo.dir, "src/report.js"), "utf8")).not.toContain("/ 20");
  });

  it("never rejects an honest gain measured by a calibrated-time harness: there it is not checked", async () => {
    // Like `go test -bench`: the process runs for the same time whatever the speed of one op, and
    // prints the time per op (here read from src/op.txt, so the gain is exact).
    repo = new WorkRepo(
      {
        "bench.js": `const ITERATIONS = 30_000_000;
${BUSY_LOOP}
const ns = require("fs").readFileSync("src/op.txt", "utf8").trim();
console.log(\`BenchmarkWork-2   \\t       1\\t \${ns} ns/op\`);
`,
        "src/op.txt": "250000000\n",
      },
      { honest: { "src/op.txt": "80000000\n" } },
    );
    expect((await repo.init("BenchmarkWork ns/op")).code).toBe(0);
    const result = await repo.run(["honest"]);
    expect(result.code, result.stderr).toBe(0);
    const honest = repo.iteration(1);
    expect(honest.decision).toBe("keep");
    expect(honest.guard).toBeUndefined();
    expect(repo.experimentFile("baseline/result.txt")).toContain(
      "metric/process-time consistency: not checked: the benchmark is a calibrated-time harness (go-bench)",
    );
  });
});
