import { UsageError } from "../errors.js";
import { parseMetrics } from "../measure/metrics/parse.js";
import type { MetricFormat } from "../measure/metrics/types.js";
import { WALL_TIME } from "../measure/observe.js";
import { diffHead } from "../measure/output-diff.js";
import { runSample } from "../measure/sample.js";
import type { Sample } from "../measure/sample-types.js";
import { outputTooLarge, runBehaviourCheck } from "./check-command.js";

/** What a benchmark must do to be measured; shown whenever init has no usable benchmark. */
export const BENCH_GUIDANCE = `A benchmark is a shell command that does the work and prints its result on stdout, as one of:
  - a number alone on a line:            12.5
  - 'name: value unit' lines, one per metric:  parse_ms: 12.5 ms
  - a JSON object of numbers:            {"parse_ms": 12.5}
  - a supported harness's report: hyperfine --export-json, JMH JSON, Google Benchmark JSON,
    go test -bench, pytest-benchmark JSON, vitest bench/tinybench
It warms up inside the process before timing (JIT, caches), measures once per process (auto-optimize
starts a fresh process for every run and compares many runs), exits 0, writes logs to stderr, and
leaves the repository's files unchanged. With nothing on stdout, the wall time is the metric (wall-time).`;

export const CHECK_GUIDANCE =
  "A behaviour check command prints what the code in scope computes — e.g. the results of the optimized function on a fixed corpus of inputs — and nothing that varies from run to run (no times, addresses, random seeds or unordered keys): its output on a change must be byte-identical to its output on the code before.";

export const TEST_GUIDANCE =
  "A regression test command exits 0 when the code behaves correctly and non-zero otherwise (e.g. 'npm test', 'pytest -q').";

/** Where the dry-run runs: the repository root, with the knobs at their initial values. */
export interface DryRunTarget {
  root: string;
  env: Record<string, string>;
  /** Already shell-quoted; appended to the test and bench commands. */
  args: string;
  timeoutMs: number;
}

export type DryRunCheck<T> = ({ ok: true } & T) | { ok: false; problem: string };

const TAIL_LINES = 20;

/** Runs the build (no knob arguments) or the tests once; they must exit 0. */
export async function dryRunCommand(
  what: "build" | "tests",
  command: string,
  target: DryRunTarget,
): Promise<DryRunCheck<{ wallMs: number }>> {
  const full = what === "tests" ? withArgs(command, target.args) : command;
  const sample = await runSample({
    command: full,
    cwd: target.root,
    timeoutMs: target.timeoutMs,
    env: what === "tests" ? target.env : undefined,
  });
  if (!sample.ok) return { ok: false, problem: failure(`the ${what}`, sample) };
  return { ok: true, wallMs: sample.wallMs };
}

/** Runs the benchmark once; it must exit 0 and print `metric` (a positive number). */
export async function dryRunBench(
  command: string,
  metric: string,
  format: MetricFormat | "auto",
  target: DryRunTarget,
): Promise<DryRunCheck<{ value: number; metrics: Record<string, number> }>> {
  const full = withArgs(command, target.args);
  const sample = await runSample({
    command: full,
    cwd: target.root,
    timeoutMs: target.timeoutMs,
    env: target.env,
  });
  if (!sample.ok) return { ok: false, problem: failure("the benchmark", sample) };
  if (metric === WALL_TIME) {
    return { ok: true, value: sample.wallMs, metrics: { [WALL_TIME]: sample.wallMs } };
  }
  let parsed: ReturnType<typeof parseMetrics>;
  try {
    parsed = parseMetrics(sample.stdout, { command: full, format, expect: [metric] });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return { ok: false, problem: missingMetric(full, metric, format, sample.stdout, error) };
  }
  const metrics = Object.fromEntries((parsed?.metrics ?? []).map((m) => [m.name, m.value]));
  const value = metrics[metric] as number;
  if (!(value > 0) || !Number.isFinite(value)) {
    return {
      ok: false,
      problem: `the benchmark '${full}' printed ${metric} = ${value}: a metric must be a positive number (a time, a rate, a count) for ratios to mean anything.`,
    };
  }
  return { ok: true, value, metrics };
}

/**
 * Runs the behaviour check twice: each run must exit 0 and print something, and both must print
 * the same bytes — a check whose output varies by itself cannot tell a changed behaviour apart.
 */
export async function dryRunCheck(
  command: string,
  target: DryRunTarget,
): Promise<DryRunCheck<{ wallMs: number; lines: number }>> {
  const where = { cwd: target.root, env: target.env, args: target.args };
  const full = withArgs(command, target.args);
  const runs: Sample[] = [];
  for (let run = 0; run < 2; run++) {
    const sample = await runBehaviourCheck(command, where, target.timeoutMs);
    if (!sample.ok) return { ok: false, problem: failure("the check", sample) };
    const tooLarge = outputTooLarge(sample);
    if (tooLarge) return { ok: false, problem: `the check '${full}' cannot be used: ${tooLarge}.` };
    if (sample.stdout.trim() === "") {
      return {
        ok: false,
        problem: `the check '${full}' printed nothing on stdout, so there is nothing to compare.\n${CHECK_GUIDANCE}`,
      };
    }
    runs.push(sample);
  }
  const [first, second] = runs as [Sample, Sample];
  const difference = diffHead(first.stdout, second.stdout, {
    expected: "first run",
    actual: "second run",
  });
  if (difference) {
    return {
      ok: false,
      problem: `the check '${full}' printed different output on two runs of the unchanged code, so it cannot be a differential check: a change could not be told apart from its own variation. Make it deterministic.\n${CHECK_GUIDANCE}\n${difference}`,
    };
  }
  return { ok: true, wallMs: first.wallMs, lines: first.stdout.trimEnd().split("\n").length };
}

function withArgs(command: string, args: string): string {
  return args ? `${command} ${args}` : command;
}

function missingMetric(
  command: string,
  metric: string,
  format: MetricFormat | "auto",
  stdout: string,
  error: UsageError,
): string {
  let found: string[] | null;
  try {
    found = parseMetrics(stdout, { command, format })?.metrics.map((m) => m.name) ?? null;
  } catch {
    return `the benchmark ran but its output has no metric '${metric}'.\n${error.message}\n\n${BENCH_GUIDANCE}`;
  }
  if (found === null) {
    return `the benchmark '${command}' printed nothing on stdout, so it has no metric '${metric}'. Make it print ${metric}, or use --metric ${WALL_TIME} to measure its wall time.\n\n${BENCH_GUIDANCE}`;
  }
  const names = found.map((name) => `'${name}'`).join(", ");
  return `the benchmark '${command}' does not print the metric '${metric}'; the metrics it printed are: ${names}. Give one of them with --metric, or make the benchmark print '${metric}'.`;
}

function failure(what: string, sample: Sample): string {
  const command = sample.command;
  if (sample.exitCode === 127) {
    return `${what} could not start: the shell found no command in '${command}' (exit status 127). Check the command and that it exists in ${sample.cwd}.${tail(sample)}`;
  }
  const reason =
    sample.failure?.kind === "exit"
      ? `exited with code ${sample.exitCode}`
      : (sample.failure?.message ?? "failed");
  return `${what} failed in the dry-run: '${command}' ${reason}.${tail(sample)}`;
}

function tail(sample: Sample): string {
  const output = [sample.stdout.trimEnd(), sample.stderr.trimEnd()].filter(Boolean).join("\n");
  if (!output) return " It printed nothing.";
  const lines = output.split("\n");
  const shown = lines.slice(-TAIL_LINES);
  const skipped = lines.length - shown.length;
  return `\nLast ${shown.length} lines of its output${skipped > 0 ? ` (${skipped} earlier lines not shown)` : ""}:\n${shown.map((l) => `  | ${l}`).join("\n")}`;
}
