import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Ledger } from "../src/experiment/ledger.js";
import { parseReflexion, writeFinalReport } from "../src/loop/final-report.js";
import { runCli } from "./helpers/cli.js";
import { buildExperiment, RELATIVE_DIR } from "./helpers/experiment-fixture.js";
import { autoOptimizeLeftovers } from "./helpers/leftovers.js";
import { TempRepo } from "./helpers/temp-repo.js";

let repo: TempRepo;
afterEach(() => repo?.remove());

function leftovers(): string[] {
  return autoOptimizeLeftovers(repo.dir);
}

describe("final report", () => {
  it("re-measures baseline against best for the headline and writes every section", async () => {
    repo = new TempRepo();
    const fixture = buildExperiment(repo);
    const steps: string[] = [];
    const result = await writeFinalReport({
      root: repo.dir,
      name: fixture.name,
      dir: fixture.dir,
      experiment: fixture.experiment,
      ledger: fixture.ledger,
      remeasure: { maxRounds: 10 },
      onStep: (text) => steps.push(text),
    });

    // cat value.txt: exactly 100 against exactly 80, every round
    expect(result.headline).toMatchObject({ verdict: "improved", rounds: 10 });
    expect(result.headline?.improvement).toBeCloseTo(0.2, 10);
    expect(result.headline?.ci[0]).toBeCloseTo(0.2, 10);
    expect(result.headline?.ci[1]).toBeCloseTo(0.2, 10);
    expect(result.headline).toMatchObject({
      baselineValue: 100,
      bestValue: 80,
      baselineCommit: fixture.baseline,
      bestCommit: fixture.best,
    });
    // the re-measure's rounds with the estimate so far (issue 13, item 19)
    expect(steps).toContain("re-measure: round 10 of at most 10 · current estimate +20.0%");
    expect(steps).toContain(
      "re-measure: look after 10 of at most 10 rounds: +20.0% [+20.0%, +20.0%], settled: improved",
    );
    expect(steps.at(-1)).toBe("writing the report");

    expect(result.path).toBe(join(fixture.dir, "final-report.md"));
    const report = readFileSync(result.path, "utf8");
    for (const heading of [
      "# Final report: exp-001-faster",
      "## Goal",
      "## Headline",
      "## Best configuration",
      "## Iterations",
      "## Insights from the reflexions",
      "## Next steps",
      "## Time and cost",
    ])
      expect(report).toContain(heading);
    // goal, metric, target
    expect(report).toContain("- **Goal:** make the value smaller");
    expect(report).toContain("`value` (lower is better)");
    expect(report).toContain(
      "- **Target:** 85 — 🎯 **reached** (best measured value 80, iteration 1)",
    );
    expect(report).toContain("the best's median was 80 — reached");
    // headline, winner's curse, the kept iterations' gains compounded
    expect(report).toContain("**+20.00%** [+20.00%, +20.00%]");
    expect(report).toContain("10 interleaved rounds in fresh worktrees, verdict **improved**");
    expect(report).toContain("winner's curse");
    expect(report).toContain(
      "the 1 kept iteration, measured against the best of its time, comes to **+20.00%** over the baseline",
    );
    // best configuration with the full diff, without the experiment folder
    expect(report).toContain("Iteration 1: **halve the work**");
    expect(report).toContain(
      "([iterations/iter-001-halve-the-work](iterations/iter-001-halve-the-work/summary.md))",
    );
    expect(report).toContain(`commit ${fixture.best.slice(0, 10)}`);
    const diff = report.slice(report.indexOf("```diff"), report.indexOf("## Iterations"));
    expect(diff).toContain("--- a/value.txt");
    expect(diff).toContain("-100");
    expect(diff).toContain("+80");
    expect(diff).not.toContain("experiments/");
    // every iteration
    expect(report).toContain(
      "| [1](iterations/iter-001-halve-the-work/summary.md) | halve the work | ✅ kept 🎯 | 80 | +20.00% [+20.00%, +20.00%] | +20.0% | improved |",
    );
    expect(report).toContain(
      "| [2](iterations/iter-002-unroll-the-loop/summary.md) | unroll the loop | ❌ dropped | 90 | -12.50% [-12.50%, -12.50%] | +10.0% | regressed: -12.50% |",
    );
    expect(report).toContain(
      "| [3](iterations/iter-003-skip-validation/summary.md) | skip validation | 🧪 test-failed | — | — | — |",
    );
    // insights: structured sections, else the first lines
    expect(report).toContain("### Lessons");
    expect(report).toContain(
      "- Smaller values come from less work, not faster work. (iteration 1)",
    );
    expect(report).toContain("### Surprises");
    expect(report).toContain("- The value halved less than expected. (iteration 1)");
    expect(report).toContain("- **Iteration 2 (unroll the loop):**");
    expect(report).toContain("  - Unrolling made it slower: the loop was not the cost.");
    expect(report).toContain("  - A third line.");
    expect(report).not.toContain("A fourth line");
    expect(report).toContain("  - Validation is what the tests check.");
    // next steps
    expect(report).toContain("- Cache the value between runs. (iteration 1)");
    // The target is reached: no iteration starts by itself, whatever the budget (issue 13, item 3).
    expect(report).toContain(
      "No further iteration starts: target reached: value 80 (target 85). To go on deliberately: `auto-optimize run --continue-after-target`",
    );
    // time and cost
    expect(report).toMatch(/- \*\*Total:\*\* .* to the end of the final re-measure\./);
    expect(report).toContain("- **Cost:** $0.20 (1,500 tokens, recorded over 2 iterations)");
    expect(report).toMatch(
      /\| measuring: the baseline and every iteration's comparison \| \d+ s \|/,
    );
    expect(report).toMatch(/\| final re-measure \| \d+ s \|/);
    // every scenario and the memory guard re-measured (here one scenario)
    expect(report).toContain(
      "| value (lower is better) | 100 | 80 | +20.00% [+20.00%, +20.00%] | improved |",
    );

    // report.html: the same report as one page, with every iteration in its chart — kept green,
    // dropped grey, the test-failed one (never measured) a red cross on the axis
    const html = readFileSync(join(fixture.dir, "report.html"), "utf8");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<h1>Final report: exp-001-faster</h1>\n<figure>");
    expect(html).toContain("<h2>Headline</h2>");
    expect(html).toContain("<td>halve the work</td>");
    expect(html).toContain(
      '<td><a href="iterations/iter-001-halve-the-work/summary.md">1</a></td>',
    );
    expect(html.match(/<circle [^>]*fill="#1a7f37"/g)).toHaveLength(1);
    expect(html.match(/<circle [^>]*fill="#8c959f"/g)).toHaveLength(1);
    expect(html).toContain("<title>iteration 1: halve the work — keep, 80</title>");
    expect(html).toContain("<title>iteration 3: skip validation — test-failed</title>");
    expect(html).toContain(">baseline 100</text>");
    expect(html).not.toMatch(/<script|<link|src="http/);

    // the ledger records it; nothing is committed and no worktree is left
    expect(Ledger.open(join(fixture.dir, "ledger.jsonl")).entries.at(-1)).toMatchObject({
      type: "report-written",
      headline: expect.closeTo(0.2, 10),
    });
    expect(repo.git("status", "--porcelain")).toBe(
      // (the helper trims the first line's leading space)
      [
        `M ${RELATIVE_DIR}/ledger.jsonl`,
        `?? ${RELATIVE_DIR}/final-report.md`,
        `?? ${RELATIVE_DIR}/report.html`,
      ].join("\n"),
    );
    expect(repo.worktreeCount()).toBe(1);
    expect(leftovers()).toEqual([]);
  });

  it("runs each arm with its own env knob values: baseline with the initial, best with the kept", async () => {
    repo = new TempRepo();
    const fixture = buildExperiment(repo, { knob: true });
    const result = await writeFinalReport({
      root: repo.dir,
      name: fixture.name,
      dir: fixture.dir,
      experiment: fixture.experiment,
      ledger: fixture.ledger,
      remeasure: { maxRounds: 30 },
    });
    // 100 / DIV=1 against 80 / DIV=2; a steady 60% saving is precise at the first look
    expect(result.headline).toMatchObject({
      baselineValue: 100,
      bestValue: 40,
      rounds: 10,
      stoppedFor: "precision",
    });
    expect(result.headline?.improvement).toBeCloseTo(0.6, 10);
    const report = readFileSync(result.path, "utf8");
    expect(report).toContain("| DIV | env `DIV` | 1 | 2 ◀ |");
  });

  it("re-measures every scenario and the peak-memory guard, not only the primary metric (issue 13, item 15)", async () => {
    repo = new TempRepo();
    const fixture = buildExperiment(repo);
    // two scenarios: the primary one (100 → 80) and another that the best made slower (50 → 60)
    const bench = `echo "{\\"value\\": $(cat value.txt), \\"other\\": $(( $(cat value.txt) < 100 ? 60 : 50 ))}"`;
    const experiment = {
      ...fixture.experiment,
      commands: { ...fixture.experiment.commands, bench },
    };
    const result = await writeFinalReport({
      root: repo.dir,
      name: fixture.name,
      dir: fixture.dir,
      experiment,
      ledger: fixture.ledger,
      remeasure: { maxRounds: 5 },
    });
    expect(
      result.headline?.scenarios.map((s) => [s.name, s.baselineValue, s.bestValue, s.verdict]),
    ).toEqual([
      ["value", 100, 80, "improved"],
      ["other", 50, 60, "regressed"],
    ]);
    expect(result.headline?.verdict).toBe("regressed");
    expect(result.headline?.vetoes).toEqual(["scenario other regressed by more than 3.0%"]);
    const report = readFileSync(result.path, "utf8");
    expect(report).toContain(
      "| other (lower is better) | 50 | 60 | -20.00% [-20.00%, -20.00%] | regressed |",
    );
    expect(report).toContain(
      "- **Veto in the re-measure:** scenario other regressed by more than 3.0%",
    );
    // the memory guard is re-measured too, or the report says why it could not be
    expect(report).toMatch(
      /\| peak memory \(guard\) \| .* \| (within tolerance|not vetoed|vetoed)|peak memory not guarded: /,
    );
  });

  it("says when nothing was kept and skips the re-measure", async () => {
    repo = new TempRepo();
    const fixture = buildExperiment(repo, { keep: false });
    const result = await writeFinalReport({
      root: repo.dir,
      name: fixture.name,
      dir: fixture.dir,
      experiment: fixture.experiment,
      ledger: fixture.ledger,
      remeasure: { maxRounds: 10 },
    });
    expect(result.headline).toBeNull();
    const report = readFileSync(result.path, "utf8");
    expect(report).toContain("No iteration was kept");
    expect(report).toContain("**not reached**");
    expect(report).toContain("The target is 15.0% away from the best (100 → 85).");
    expect(report).not.toContain("```diff");
  });

  it("report --no-remeasure writes and commits the report, only the experiment folder", async () => {
    repo = new TempRepo();
    const fixture = buildExperiment(repo);
    repo.write({ "notes.txt": "someone's uncommitted work\n" });
    const result = await runCli(["report", "--no-remeasure", "--json"], repo.dir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as { path: string; headline: null; commit: string };
    expect(out.headline).toBeNull();
    expect(out.commit).toBe(repo.git("rev-parse", "HEAD"));
    expect(repo.git("log", "-1", "--format=%s")).toBe("experiment(exp-001): final report");
    expect(repo.git("show", "--name-only", "--format=", "HEAD").split("\n").sort()).toEqual([
      `${RELATIVE_DIR}/final-report.md`,
      `${RELATIVE_DIR}/ledger.jsonl`,
      `${RELATIVE_DIR}/report.html`,
    ]);
    expect(repo.git("status", "--porcelain")).toBe("?? notes.txt");
    const report = readFileSync(join(fixture.dir, "final-report.md"), "utf8");
    expect(report).toContain("Not re-measured (the re-measure was skipped on request)");
    expect(report).toContain("winner's curse");
    expect(report).toContain(
      "The 1 kept iteration, measured against the best of its time, comes to **+20.00%** over the baseline (its ratio).",
    );
    const last = Ledger.open(join(fixture.dir, "ledger.jsonl")).entries.at(-1);
    expect(last).toMatchObject({ type: "report-written", headline: null });
  });

  it("report --rounds N re-measures with that many rounds and prints the headline", async () => {
    repo = new TempRepo();
    buildExperiment(repo);
    const result = await runCli(["report", "--rounds", "6", "--experiment", "exp-001"], repo.dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "headline (re-measured, 6 rounds): +20.00% [+20.00%, +20.00%] — improved",
    );
    expect(result.stdout).toContain("experiment(exp-001): final report");
    expect(repo.git("status", "--porcelain")).toBe("");
    expect(repo.worktreeCount()).toBe(1);
  });

  it("refuses a bad --rounds with exit code 2", async () => {
    repo = new TempRepo();
    buildExperiment(repo);
    const result = await runCli(["report", "--rounds", "1"], repo.dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--rounds must be a whole number of at least 2");
  });
});

describe("reflexion parsing", () => {
  it("reads headed sections and bold-labelled items, and keeps the rest as opening lines", () => {
    const parsed = parseReflexion(
      [
        "# Reflexion — iteration 4: next-gen allocator",
        "Plain first line.",
        "- **Lessons:** allocation dominates",
        "- **Next move:** `THREADS=8`",
        "## Unexplored",
        "1. SIMD",
        "```",
        "## not a heading inside a fence",
        "```",
        "## Test output",
        "tail",
      ].join("\n"),
    );
    expect(parsed.sections).toEqual({
      lessons: ["allocation dominates"],
      surprises: [],
      unexplored: ["`THREADS=8`", "SIMD"],
    });
    expect(parsed.opening).toEqual(["Plain first line.", "tail"]);
  });
});
