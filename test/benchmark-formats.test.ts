import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { BenchResult } from "../src/measure/bench.js";
import type { CompareReport } from "../src/measure/compare-report.js";
import { DEFAULT_DECISION } from "../src/measure/decision.js";
import { compareInterleaved } from "../src/measure/interleaved.js";
import { runCli } from "./helpers/cli.js";
import { TempRepo } from "./helpers/temp-repo.js";

// The benchmark output people print (issue 14), measured end to end by the built binary.
const fixtures = fileURLToPath(new URL("fixtures/metrics/", import.meta.url));

let repo: TempRepo | undefined;
afterEach(() => repo?.remove());

type Row = [string, string, [name: string, median: number, unit: string, better: string][]];

describe("bench --json reads what harnesses and scripts print", () => {
  it.concurrent.each<Row>([
    [
      "benchmark-js.txt",
      "benchmark.js",
      [
        ["RegExp#test", 23243937, "ops/sec", "higher"],
        ["String#indexOf", 505855737, "ops/sec", "higher"],
      ],
    ],
    [
      "cargo-bench.txt",
      "cargo-bench",
      [
        ["tests::bench_parse", 22.73, "ns/iter", "lower"],
        ["tests::bench_parse_long", 11713.91, "ns/iter", "lower"],
      ],
    ],
    [
      "criterion.txt",
      "criterion",
      [
        ["alloc", 1147400, "ns", "lower"],
        ["parse/small", 2621.9, "ns", "lower"],
        ["a_benchmark_with_a_long_name", 249.13, "ns", "lower"],
      ],
    ],
    ["timeit.txt", "timeit", [["timeit", 8410, "ns", "lower"]]],
    [
      "go-bench-benchmem.txt",
      "go-bench",
      [
        ["BenchmarkTrim ns/op", 24.61, "ns/op", "lower"],
        ["BenchmarkTrim B/op", 0, "B/op", "lower"],
        ["BenchmarkTrim allocs/op", 0, "allocs/op", "lower"],
        ["BenchmarkJoin ns/op", 87.35, "ns/op", "lower"],
        ["BenchmarkJoin B/op", 16, "B/op", "lower"],
        ["BenchmarkJoin allocs/op", 1, "allocs/op", "lower"],
      ],
    ],
    [
      "hand-written.txt",
      "keyvalue",
      [
        ["satisfies", 1408, "ms", "lower"],
        ["jsdiff append", 740, "ms", "lower"],
        ["marked list(4000)", 412.3, "ms", "lower"],
        ["compare-sort", 613, "ms", "lower"],
        ["latência média", 12, "ms", "lower"],
        ["p50 latency", 3, "ms", "lower"],
        ["rows", 1048576, "rows", "lower"],
      ],
    ],
  ])("%s as %s", async (file, format, expected) => {
    const result = await runCli(
      ["bench", "--bench", `cat ${file}`, "--runs", "2", "--json"],
      fixtures,
    );
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as BenchResult;
    expect(report.format).toBe(format);
    expect(report.scenarios.map((s) => [s.name, s.median, s.unit, s.better])).toEqual(expected);
  });
});

describe("compare with counters and hand-written lines", () => {
  const compare = async (bench: string) => {
    const result = await runCli(
      ["compare", "HEAD~1", "HEAD", "--bench", bench, "--json", "--max-rounds", "10"],
      (repo as TempRepo).dir,
    );
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as CompareReport;
  };

  it("measures go -benchmem's zero counters and vetoes the win when allocations appear", async () => {
    repo = new TempRepo();
    repo.commit("a", { "out.txt": "BenchmarkTrim-2  1000  24.61 ns/op  0 B/op  0 allocs/op\n" });
    repo.commit("b", { "out.txt": "BenchmarkTrim-2  1000  20.00 ns/op  0 B/op  1 allocs/op\n" });
    const report = await compare("cat out.txt");
    expect(report.scenarios.map((s) => [s.name, s.verdict])).toEqual([
      ["BenchmarkTrim ns/op", "improved"],
    ]);
    expect(report.counters.map((c) => [c.name, c.medianA, c.medianB, c.verdict])).toEqual([
      ["BenchmarkTrim B/op", 0, 0, "no-change"],
      ["BenchmarkTrim allocs/op", 0, 1, "regressed"],
    ]);
    expect(report.verdict).toBe("regressed");
    expect(report.vetoes).toEqual(["counter BenchmarkTrim allocs/op regressed: median 0 → 1"]);
  });

  it("scores the hand-written line's time, compares its zero as a counter and its trailing text as an invariant", async () => {
    repo = new TempRepo();
    repo.commit("a", { "out.txt": "satisfies: 1,408.0 ms (hits=181250)\nerrors: 0\n" });
    repo.commit("b", { "out.txt": "satisfies: 1,000.0 ms (hits=181251)\nerrors: 0\n" });
    const report = await compare("cat out.txt");
    expect(report.scenarios.map((s) => [s.name, s.medianA, s.medianB, s.verdict])).toEqual([
      ["satisfies", 1408, 1000, "improved"],
    ]);
    expect(report.counters.map((c) => [c.name, c.verdict])).toEqual([["errors", "no-change"]]);
    expect(report.verdict).toBe("improved");
    expect(report.behaviour.changed).toBe(true);
    expect(report.behaviour.firstDifference).toMatchObject({
      expected: "satisfies: 1,408.0 ms (hits=181250)",
      actual: { text: "satisfies: 1,000.0 ms (hits=181251)" },
    });
  });
});

describe("the experiment's own metric", () => {
  it("is compared as a ratio even where the format calls it a counter", async () => {
    const dirs = ["2 allocs", "1 alloc"].map((label) => {
      const dir = mkdtempSync(join(tmpdir(), "benchmark-formats-"));
      const allocs = label.split(" ")[0];
      writeFileSync(join(dir, "out.txt"), `BenchmarkX-2  1000  20 ns/op  ${allocs} allocs/op\n`);
      return { label, cwd: dir };
    });
    const [a, b] = dirs as [{ label: string; cwd: string }, { label: string; cwd: string }];
    try {
      const result = await compareInterleaved(a, b, {
        bench: { command: "cat out.txt", timeoutMs: 10_000, format: "auto", metrics: [] },
        ratios: ["BenchmarkX allocs/op"],
        schedule: { minRounds: 5, lookEvery: 5, maxRounds: 5 },
        settings: { ...DEFAULT_DECISION, maxRounds: 5 },
        seed: 1,
      });
      expect(result.scenarios.map((s) => s.name)).toEqual([
        "BenchmarkX ns/op",
        "BenchmarkX allocs/op",
      ]);
      expect(result.counters).toEqual([]);
      expect(result.decision.scenarios[1]?.improvement.estimate).toBeCloseTo(0.5, 10);
    } finally {
      for (const dir of dirs) rmSync(dir.cwd, { recursive: true, force: true });
    }
  });
});
