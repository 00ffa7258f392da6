import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { BenchResult } from "../src/measure/bench.js";
import { runCli } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "bench-command-"));

describe("bench", () => {
  it("summarizes a steady benchmark as quiet, with an environment snapshot", async () => {
    writeFileSync(join(dir, "steady.txt"), "latency: 12.5 ms\nthroughput: 800 ops/s\n");
    const result = await runCli(
      ["bench", "--bench", "cat steady.txt", "--runs", "5", "--json"],
      dir,
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as BenchResult;
    expect(report.runs).toBe(5);
    expect(report.samples).toHaveLength(5);
    expect(report.scenarios).toMatchObject([
      {
        name: "latency",
        better: "lower",
        unit: "ms",
        median: 12.5,
        robustCv: 0,
        min: 12.5,
        max: 12.5,
        ci: [12.5, 12.5],
      },
      { name: "throughput", better: "higher", unit: "ops/s", median: 800 },
    ]);
    expect(report.noisy).toBe(false);
    expect(report.peakMemory?.medianKb).toBeGreaterThan(0);
    expect(report.environment.cpuCount).toBeGreaterThan(0);
    expect(report.environment.runtimes.node).toBe(process.version);
  });

  it("calls a scattered benchmark noisy and says so in the summary", async () => {
    // Alternates 80 and 120 from run to run: robust CV 1.4826·20/100 ≈ 30%.
    const counter = join(dir, "count");
    writeFileSync(counter, "0");
    const bench = `n=$(cat ${counter}); echo $((n+1)) > ${counter}; if [ $((n % 2)) -eq 0 ]; then echo 80; else echo 120; fi`;
    const json = await runCli(["bench", "--bench", bench, "--runs", "6", "--json"], dir);
    const report = JSON.parse(json.stdout) as BenchResult;
    expect(report.noisy).toBe(true);
    expect(report.scenarios[0]?.robustCv).toBeCloseTo(0.29652, 4);
    expect(Array.isArray(report.noiseCauses)).toBe(true);
    const text = await runCli(["bench", "--bench", bench, "--runs", "6"], dir);
    expect(text.stdout).toContain("NOISY: robust CV above 5.00%");
    expect(text.stdout).toMatch(/value \(lower is better\)/);
    expect(text.stdout).toContain("environment:");
  });

  it("refuses bad input with exit code 2", async () => {
    expect((await runCli(["bench", "--runs", "3"], dir)).code).toBe(2);
    const badRuns = await runCli(["bench", "--bench", "echo 1", "--runs", "1"], dir);
    expect(badRuns.code).toBe(2);
    expect(badRuns.stderr).toMatch(/--runs must be a whole number of at least 2/);
  });
});
