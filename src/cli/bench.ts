import type { Command } from "commander";
import { parseInteger, parseSeconds } from "../flag-numbers.js";
import { type BenchResult, NOISE_LIMIT, runBench } from "../measure/bench.js";
import { formatEnvironment } from "../measure/environment.js";
import { parseFormat, parseMetricNames, requireCommand } from "./options.js";

interface BenchFlags {
  bench?: string;
  runs: string;
  format?: string;
  metric?: string;
  timeout: string;
  json?: boolean;
}

export function registerBench(program: Command): void {
  program
    .command("bench")
    .description(
      "Run the benchmark on the working tree repeatedly: median, robust CV, confidence interval, peak memory, noise diagnosis.",
    )
    .option("--bench <cmd>", "shell command that runs the benchmark once (required)")
    .option("--runs <n>", "measured runs after one warm-up run", "10")
    .option("--format <name>", "metric format of the benchmark's output (default: auto-detect)")
    .option("--metric <names>", "comma-separated metrics to report (default: all it prints)")
    .option("--timeout <seconds>", "time limit of one benchmark run", "600")
    .option("--json", "print one JSON object instead of the summary")
    .action(async (flags: BenchFlags) => {
      const command = requireCommand("--bench", flags.bench);
      const runs = parseInteger("--runs", flags.runs, 2);
      const result = await runBench(
        { cwd: process.cwd() },
        {
          command,
          timeoutMs: parseSeconds("--timeout", flags.timeout) * 1000,
          format: parseFormat(flags.format),
          metrics: parseMetricNames(flags.metric),
        },
        runs,
        flags.json || !process.stderr.isTTY
          ? undefined
          : (run) => process.stderr.write(`run ${run}/${runs}${run === runs ? "\n" : "\r"}`),
      );
      process.stdout.write(
        `${flags.json ? JSON.stringify(result, null, 2) : formatBench(result)}\n`,
      );
    });
}

function formatBench(result: BenchResult): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  const value = (x: number, unit: string | null) => `${x.toPrecision(5)}${unit ? ` ${unit}` : ""}`;
  const lines = [
    `${result.runs} runs after one warm-up; metrics read as ${result.format}`,
    ...(result.formatNote ? [`note: ${result.formatNote}`] : []),
    "",
  ];
  for (const s of result.scenarios) {
    lines.push(
      `${s.name} (${s.better} is better)`,
      `  median ${value(s.median, s.unit)}  ${Math.round(s.ciCoverage * 100)}% CI [${value(s.ci[0], s.unit)}, ${value(s.ci[1], s.unit)}]`,
      `  min ${value(s.min, s.unit)}  max ${value(s.max, s.unit)}  robust CV ${pct(s.robustCv)}  ${s.counter ? "a counter: compare compares it exactly" : `noise floor for compare ${pct(s.noiseFloor)}`}`,
    );
  }
  lines.push(
    result.peakMemory
      ? `peak memory: median ${(result.peakMemory.medianKb / 1024).toFixed(1)} MiB, max ${(result.peakMemory.maxKb / 1024).toFixed(1)} MiB`
      : `peak memory unavailable: ${result.resourceNote}`,
  );
  if (result.noisy) {
    lines.push("", `NOISY: robust CV above ${pct(NOISE_LIMIT)}. Likely causes:`);
    lines.push(
      ...(result.noiseCauses.length
        ? result.noiseCauses.map((c) => `  - ${c}`)
        : ["  - none visible from here"]),
    );
  }
  lines.push(
    "",
    "environment:",
    ...formatEnvironment(result.environment)
      .split("\n")
      .map((l) => `  ${l}`),
  );
  return lines.join("\n");
}
