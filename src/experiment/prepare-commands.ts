import { existsSync } from "node:fs";
import { isAbsolute, join, normalize } from "node:path";
import { AutoOptimizeError, UsageError } from "../errors.js";
import type { MetricFormat } from "../measure/metrics/types.js";
import {
  BENCH_GUIDANCE,
  type DryRunTarget,
  dryRunBench,
  dryRunCheck,
  dryRunCommand,
  TEST_GUIDANCE,
} from "./dry-run.js";
import type { InfrastructureResult, InfrastructureWriter } from "./infrastructure-writer.js";
import type { Answers } from "./validate-answers.js";

type Part = "test" | "bench";
type Proposed = Part | "check";

export interface PreparedCommands {
  test: string;
  bench: string;
  /** The behaviour check: the user's, or the one the agent proposed if it passed its dry-run. */
  check: string | null;
  /** Files the agent wrote (repository-relative); they are committed and protected. */
  written: string[];
  dryRun: {
    build: { wallMs: number } | null;
    tests: { wallMs: number };
    bench: { value: number; metrics: Record<string, number> };
    check: { wallMs: number; lines: number } | null;
  };
  warnings: string[];
}

/**
 * The test and bench commands, proven by a dry-run: the build and the tests exit 0, the benchmark
 * prints the metric. Commands the user did not give are asked of `writer`; what it wrote is
 * dry-run, and a part that fails gets one more try with its failure as feedback. Without a writer,
 * a missing command stops init with guidance on what to write. The behaviour check, when there is
 * one, must print the same bytes twice; the writer proposes one when the user gave none.
 */
export async function prepareCommands(
  answers: Answers,
  target: DryRunTarget,
  format: MetricFormat | "auto",
  writer: InfrastructureWriter | undefined,
  progress: (message: string) => void,
): Promise<PreparedCommands> {
  const commands: { test?: string; bench?: string; check?: string } = {
    test: answers.test,
    bench: answers.bench,
    check: answers.check,
  };
  const byAgent = new Set<Proposed>();
  const written = new Set<string>();
  const ask = async (missing: Part[], feedback?: string) => {
    if (!writer) throw noInfrastructure(missing);
    progress(`asking the agent to write ${missing.map(describe).join(" and ")}…`);
    const result = await writer.writeInfrastructure({
      root: target.root,
      goal: answers.goal,
      scope: answers.scope,
      metric: answers.metric,
      missing,
      ...(commands.check === undefined && { proposeCheck: true }),
      ...(feedback && { feedback }),
    });
    const proposed = result.check?.trim();
    if (commands.check === undefined && proposed) {
      commands.check = proposed;
      byAgent.add("check");
    }
    for (const part of missing) {
      const command = result[part]?.trim();
      if (!command) {
        throw new AutoOptimizeError(
          "infrastructure-missing",
          `the agent was asked to write ${describe(part)} but returned no ${part} command.`,
        );
      }
      commands[part] = command;
      byAgent.add(part);
    }
    for (const file of checkedFiles(result, target.root)) written.add(file);
  };

  const missing = (["test", "bench"] as const).filter((part) => commands[part] === undefined);
  if (missing.length > 0) await ask(missing);

  let build: { wallMs: number } | null = null;
  if (answers.build) {
    progress(`dry-run: building with '${answers.build}'…`);
    const check = await dryRunCommand("build", answers.build, target);
    if (!check.ok) {
      throw new UsageError(
        "dry-run-build",
        `${check.problem}\nFix the build or the --build command.`,
      );
    }
    build = { wallMs: check.wallMs };
  }

  const runTests = () => dryRunCommand("tests", commands.test as string, target);
  progress(`dry-run: running the tests '${commands.test}'…`);
  let tests = await runTests();
  if (!tests.ok && byAgent.has("test")) {
    await ask(["test"], tests.problem);
    tests = await runTests();
  }
  if (!tests.ok) {
    const who = byAgent.has("test") ? "The tests the agent wrote failed twice. " : "";
    throw new UsageError(
      "dry-run-tests",
      `${tests.problem}\n${who}The tests must pass before optimizing starts: fix them or give the right --test command.`,
    );
  }

  const metric = answers.metric.name;
  const runBench = () => dryRunBench(commands.bench as string, metric, format, target);
  progress(`dry-run: running the benchmark '${commands.bench}'…`);
  let bench = await runBench();
  if (!bench.ok && byAgent.has("bench")) {
    await ask(["bench"], bench.problem);
    bench = await runBench();
  }
  if (!bench.ok) {
    const who = byAgent.has("bench") ? "\nThe benchmark the agent wrote failed twice." : "";
    throw new UsageError("dry-run-bench", `${bench.problem}${who}`);
  }

  const warnings: string[] = [];
  let check: { wallMs: number; lines: number } | null = null;
  if (commands.check !== undefined) {
    progress(`dry-run: running the behaviour check '${commands.check}' twice…`);
    const checked = await dryRunCheck(commands.check, target);
    if (checked.ok) check = { wallMs: checked.wallMs, lines: checked.lines };
    else if (byAgent.has("check")) {
      // The user did not ask for it, and a retry would rewrite the tests that just passed.
      warnings.push(
        `the behaviour check the agent proposed ('${commands.check}') failed its dry-run, so the experiment has none; give one with --check. ${checked.problem}`,
      );
      commands.check = undefined;
    } else {
      throw new UsageError(
        "dry-run-check",
        `${checked.problem}\nFix the check or the --check command.`,
      );
    }
  }
  return {
    test: commands.test as string,
    bench: commands.bench as string,
    check: commands.check ?? null,
    written: [...written].sort(),
    dryRun: {
      build,
      tests: { wallMs: tests.wallMs },
      bench: { value: bench.value, metrics: bench.metrics },
      check,
    },
    warnings,
  };
}

function describe(part: Part): string {
  return part === "test" ? "regression tests" : "a benchmark";
}

function noInfrastructure(missing: Part[]): UsageError {
  const flags = missing.map((part) => `--${part}`).join(" and ");
  const guidance = [
    ...(missing.includes("bench") ? [BENCH_GUIDANCE] : []),
    ...(missing.includes("test") ? [TEST_GUIDANCE] : []),
  ];
  return new UsageError(
    "no-infrastructure",
    [
      `no ${missing.map((part) => (part === "test" ? "test command" : "benchmark command")).join(" and no ")} given (${flags}), and no agent is configured to write ${missing.length > 1 ? "them" : "one"}.`,
      ...guidance,
      `Write ${missing.length > 1 ? "them" : "it"}, commit, and run init again with ${missing.map((p) => `--${p} 'CMD'`).join(" ")}.`,
    ].join("\n\n"),
  );
}

function checkedFiles(result: InfrastructureResult, root: string): string[] {
  return result.files.map((file) => {
    const path = normalize(file).replace(/^(\.\/)+/, "");
    if (isAbsolute(path) || path.startsWith("..") || !existsSync(join(root, path))) {
      throw new AutoOptimizeError(
        "infrastructure-files",
        `the agent reported writing '${file}', which is not a file inside the repository.`,
      );
    }
    return path;
  });
}
