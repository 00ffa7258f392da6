import * as p from "@clack/prompts";
import { AutoOptimizeError } from "../errors.js";
import type { ExperimentEntry } from "../experiment/open.js";
import {
  DEFAULT_ITERATIONS,
  DEFAULT_PROTECT,
  directionProblem,
  goalProblem,
  iterationsProblem,
  parseTarget,
  parseThreshold,
  type RawAnswers,
  scopeProblem,
  splitGlobs,
} from "../experiment/validate-answers.js";

// Prompts go to stderr so that stdout holds only the result (and --json stays parseable).
const io = { output: process.stderr };

function answered<T>(value: T): Exclude<T, symbol> {
  if (p.isCancel(value)) {
    p.cancel("init cancelled: nothing was created.", io);
    throw new AutoOptimizeError("cancelled", "init was cancelled; nothing was created.");
  }
  return value as Exclude<T, symbol>;
}

async function text(message: string, options: Omit<p.TextOptions, "message"> = {}) {
  return answered(await p.text({ message, ...io, ...options }));
}

/** An unfinished experiment exists: continue it, or start another one. */
export async function askContinueOrNew(entry: ExperimentEntry): Promise<"continue" | "new"> {
  p.intro("auto-optimize init", io);
  return answered(
    await p.select<"continue" | "new">({
      ...io,
      message: `Experiment ${entry.name} is not finished${entry.baselineLocked ? "" : " (no baseline yet)"}. What now?`,
      options: [
        { value: "continue", label: `Continue ${entry.name}`, hint: entry.branch },
        { value: "new", label: "Start a new experiment", hint: `from the current HEAD` },
      ],
    }),
  );
}

/**
 * Asks, in two batches, for every answer the flags did not give; each answer is checked as it is
 * typed with the same rules init applies to flags.
 */
export async function askMissing(raw: RawAnswers, files: readonly string[]): Promise<RawAnswers> {
  const a: RawAnswers = { ...raw };
  const must = (problem: (v: string) => string | undefined) => (value: string | undefined) =>
    problem(value ?? "");
  const asNumberProblem = (parsed: number | { problem: string }) =>
    typeof parsed === "number" ? undefined : parsed.problem;

  p.intro("auto-optimize init", io);
  p.log.step("1/2 — what to optimize and when it is done", io);
  a.goal ??= await text("Goal: what should get faster or smaller, and where?", {
    placeholder: "cut the p50 latency of parse() on the 1 MB fixture",
    validate: must(goalProblem),
  });
  if (!a.scope?.length) {
    const scope = await text("Scope: globs of the files the optimizer may change", {
      placeholder: "src/**",
      validate: must((v) =>
        scopeProblem(splitGlobs([v]), files, [...DEFAULT_PROTECT, ...splitGlobs(a.protect ?? [])]),
      ),
    });
    a.scope = [scope];
  }
  a.metric ??= await text("Metric: the name the benchmark prints (wall-time if it prints none)", {
    placeholder: "ms",
    validate: must((v) => (v.trim() ? undefined : "give the metric's name")),
  });
  if (directionProblem(a.direction)) {
    a.direction = answered(
      await p.select<"lower" | "higher">({
        ...io,
        message: `Which way is better for ${a.metric}?`,
        options: [
          { value: "lower", label: "lower", hint: "times, memory, sizes" },
          { value: "higher", label: "higher", hint: "throughput, scores" },
        ],
      }),
    );
  }
  a.target ??= await text(`Target: the value of ${a.metric} that ends the experiment`, {
    placeholder: "120",
    validate: must((v) => asNumberProblem(parseTarget(v, a.metric))),
  });
  a.threshold ??= await text("Threshold: the smallest gain per iteration worth keeping", {
    placeholder: "2%",
    validate: must((v) => asNumberProblem(parseThreshold(v))),
  });

  p.log.step("2/2 — budget, commands and what to protect", io);
  a.iterations ??= await text("Iteration budget", {
    initialValue: String(DEFAULT_ITERATIONS),
    validate: must(iterationsProblem),
  });
  const optional = (value: string) => (value.trim() === "" ? undefined : value.trim());
  a.test ??= optional(
    await text("Regression test command (empty if there is none: an agent may write it)", {
      placeholder: "npm test",
      defaultValue: "",
    }),
  );
  a.bench ??= optional(
    await text("Benchmark command (empty if there is none: an agent may write it)", {
      placeholder: "node bench.js",
      defaultValue: "",
    }),
  );
  a.build ??= optional(
    await text("Build command, run before measuring (empty for none)", { defaultValue: "" }),
  );
  a.check ??= optional(
    await text(
      "Behaviour check command: prints what the code computes, compared byte for byte on every change (empty for none)",
      { defaultValue: "" },
    ),
  );
  if (!a.protect?.length) {
    const extra = await text(
      `More globs to protect (already protected: ${DEFAULT_PROTECT.join(", ")}, and the benchmark's files)`,
      { defaultValue: "" },
    );
    a.protect = splitGlobs([extra]);
  }
  p.outro("dry-running the tests and the benchmark…", io);
  return a;
}
