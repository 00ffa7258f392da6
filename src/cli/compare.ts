import type { Command } from "commander";
import { UsageError, VerdictGateError } from "../errors.js";
import {
  parseEffect,
  parseFraction,
  parseInteger,
  parsePositive,
  parseSeconds,
} from "../flag-numbers.js";
import { volatilePatterns } from "../measure/behaviour-check.js";
import { formatCompareMarkdown } from "../measure/compare-markdown.js";
import {
  type CompareReport,
  compareReport,
  formatCompareReport,
} from "../measure/compare-report.js";
import { compareRevisions } from "../measure/compare-revisions.js";
import { defaultContention } from "../measure/contention.js";
import { DEFAULT_DECISION, type DecisionSettings } from "../measure/decision.js";
import { formatEstimate } from "../measure/duration-estimate.js";
import { type FailOn, failsGate } from "../measure/fail-on.js";
import type { InterleavedEvent } from "../measure/interleaved.js";
import { DEFAULT_SCHEDULE } from "../measure/sequential.js";
import { randomSeed } from "../measure/stats/prng.js";
import {
  parseDirection,
  parseFailOn,
  parseFormat,
  parseMetricNames,
  requireCommand,
} from "./options.js";

interface CompareFlags {
  bench?: string;
  build?: string;
  direction?: string;
  minEffect: string;
  maxRounds: string;
  minRounds: string;
  seed?: string;
  format?: string;
  metric?: string;
  alpha: string;
  regressionTolerance: string;
  memoryTolerance: string;
  timeout: string;
  maxMinutes?: string;
  pinCpu?: boolean;
  rerunContended?: boolean;
  extend?: boolean;
  volatile?: string[];
  json?: boolean;
  markdown?: boolean;
  failOn?: string;
}

export function registerCompare(program: Command): void {
  program
    .command("compare")
    .description(
      "Measure two revisions interleaved and give a statistical verdict: improved, regressed, no-change or inconclusive.",
    )
    .argument("<rev-a>", "the reference revision (A)")
    .argument("<rev-b>", "the candidate revision (B)")
    .option("--bench <cmd>", "shell command that runs the benchmark once (required)")
    .option("--build <cmd>", "shell command run once in each checkout before measuring")
    .option(
      "--direction <lower|higher>",
      "which way is better for every metric (default: the output format's hint, else lower)",
    )
    .option(
      "--min-effect <fraction>",
      "smallest improvement worth calling one (0.01 or 1%)",
      String(DEFAULT_DECISION.minEffect),
    )
    .option("--max-rounds <n>", "rounds at most", String(DEFAULT_SCHEDULE.maxRounds))
    .option("--min-rounds <n>", "rounds before the first look", String(DEFAULT_SCHEDULE.minRounds))
    .option("--seed <n>", "seed for the run order and the bootstrap (default: random, printed)")
    .option("--format <name>", "metric format of the benchmark's output (default: auto-detect)")
    .option("--metric <names>", "comma-separated metrics to compare (default: all it prints)")
    .option(
      "--alpha <p>",
      "error rate per direction, spread over the looks",
      String(DEFAULT_DECISION.alpha),
    )
    .option(
      "--regression-tolerance <fraction>",
      "a scenario credibly worse than this vetoes the verdict",
      String(DEFAULT_DECISION.regressionTolerance),
    )
    .option(
      "--memory-tolerance <fraction>",
      "peak memory credibly worse than this vetoes the verdict",
      String(DEFAULT_DECISION.memoryTolerance),
    )
    .option("--timeout <seconds>", "time limit of one benchmark run", "600")
    .option(
      "--max-minutes <n>",
      "start no round after this many minutes: the verdict is then inconclusive (stoppedFor: time)",
    )
    .option("--pin-cpu", "run A and B on one CPU (taskset), where the machine allows it")
    .option(
      "--rerun-contended",
      "run a round again (both arms) when other processes kept the CPUs busy during it (Linux)",
    )
    .option(
      "--no-extend",
      "stop at --max-rounds even when the comparison is promising (by default it may go on to twice as many)",
    )
    .option(
      "--volatile <regex>",
      "output that varies between runs of the same code (repeatable): not compared between A and B",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("--json", "print one JSON object instead of the table")
    .option("--markdown", "print a Markdown table instead (a CI step summary, a PR comment)")
    .option(
      "--fail-on <regressed|not-improved>",
      "exit 3 when the verdict is regressed, or anything but improved (a CI gate)",
    )
    .action(async (revA: string, revB: string, flags: CompareFlags) => {
      const bench = requireCommand("--bench", flags.bench);
      const failOn = parseFailOn(flags.failOn);
      if (flags.json && flags.markdown) {
        throw new UsageError(
          "bad-option",
          "--json and --markdown both choose what is printed: give one of them.",
        );
      }
      const maxRounds = parseInteger("--max-rounds", flags.maxRounds, 2);
      const settings: DecisionSettings = {
        ...DEFAULT_DECISION,
        alpha: parseFraction("--alpha", flags.alpha),
        minEffect: parseEffect("--min-effect", flags.minEffect),
        regressionTolerance: parseFraction("--regression-tolerance", flags.regressionTolerance),
        memoryTolerance: parseFraction("--memory-tolerance", flags.memoryTolerance),
        maxRounds,
      };
      const volatile = volatilePatterns(flags.volatile ?? []);
      const seed = flags.seed === undefined ? randomSeed() : parseInteger("--seed", flags.seed, 0);
      const result = await compareRevisions(revA, revB, {
        cwd: process.cwd(),
        build: flags.build,
        buildTimeoutMs: 30 * 60_000,
        bench: {
          command: bench,
          timeoutMs: parseSeconds("--timeout", flags.timeout) * 1000,
          format: parseFormat(flags.format),
          metrics: parseMetricNames(flags.metric),
        },
        direction: parseDirection(flags.direction),
        schedule: {
          ...DEFAULT_SCHEDULE,
          minRounds: Math.min(parseInteger("--min-rounds", flags.minRounds, 2), maxRounds),
          maxRounds,
          ...(flags.extend !== false && { extendTo: 2 * maxRounds }),
        },
        pinCpus: flags.pinCpu,
        rerunContended: flags.rerunContended ? defaultContention(maxRounds) : undefined,
        settings,
        seed,
        maxMinutes:
          flags.maxMinutes === undefined
            ? undefined
            : parsePositive("--max-minutes", flags.maxMinutes, "minutes"),
        onEvent: flags.json ? undefined : progress,
        onBuild: flags.json ? undefined : (arm) => process.stderr.write(`building ${arm}…\n`),
      });
      const report = compareReport(result, settings, seed, bench, volatile);
      process.stdout.write(`${render(report, flags)}\n`);
      if (failOn && failsGate(report.verdict, failOn)) throw gateFailure(report, failOn);
    });
}

function render(report: CompareReport, flags: CompareFlags): string {
  if (flags.json) return JSON.stringify(report, null, 2);
  return flags.markdown ? formatCompareMarkdown(report) : formatCompareReport(report);
}

function gateFailure(report: CompareReport, failOn: FailOn): VerdictGateError {
  const fails = failOn === "regressed" ? "fails on a regression" : "fails unless improved";
  return new VerdictGateError(
    `the verdict is ${report.verdict} and --fail-on ${failOn} ${fails} (exit code 3); replay with --seed ${report.seed}.`,
  );
}

function progress(event: InterleavedEvent): void {
  if (event.kind === "warmup") process.stderr.write(`warm-up ${event.arm}\n`);
  if (event.kind === "rerun")
    process.stderr.write(
      `round ${event.round}: other processes kept ${event.otherCores.toFixed(2)} cores busy; running it again\n`,
    );
  if (event.kind === "estimate")
    process.stderr.write(`expected duration: ${formatEstimate(event.estimate)}\n`);
  if (event.kind === "look") {
    const { overall, verdict } = event.decision;
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    process.stderr.write(
      `look at ${event.rounds} rounds: improvement ${pct(overall.estimate)} [${pct(overall.low)}, ${pct(overall.high)}] → ${verdict}\n`,
    );
  }
}
