import type { Command } from "commander";
import { llmOptions } from "../agent/llm/config.js";
import { isModelId } from "../agent/llm/models.js";
import { UsageError } from "../errors.js";
import {
  type CreatedExperiment,
  continueExperiment,
  createExperiment,
  unfinishedExperiments,
} from "../experiment/create.js";
import { KNOB_SYNTAX } from "../experiment/knob-syntax.js";
import { FILES } from "../experiment/layout.js";
import type { AgentSettings, Experiment } from "../experiment/schema.js";
import { DEFAULT_PROTECT, missingFlags, type RawAnswers } from "../experiment/validate-answers.js";
import { listFiles } from "../workspace/files.js";
import { openRepository } from "../workspace/git.js";
import { askContinueOrNew, askMissing } from "./init-prompts.js";

interface InitFlags extends Omit<RawAnswers, "knobs"> {
  /** --knob, repeatable: RawAnswers' knobs. */
  knob?: string[];
  new?: boolean;
  unconfined?: boolean;
  network?: boolean;
  stash?: boolean;
  yes?: boolean;
  json?: boolean;
  agent?: string;
  model?: string;
  baseUrl?: string;
  profileFocus?: string;
  rejectUnsampled?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerInit(program: Command): void {
  program
    .command("init")
    .description(
      "Start an experiment: gather the goal, scope, metric, target and commands, dry-run the tests and the benchmark, and commit the plan on a new branch auto-optimize/exp-NNN-<slug>.",
    )
    .option("--goal <text>", "what should get faster or smaller, and where")
    .option(
      "--scope <globs>",
      "files the optimizer may change (comma-separated, repeatable)",
      collect,
    )
    .option("--metric <name>", "the metric the benchmark prints (wall-time when it prints none)")
    .option("--direction <lower|higher>", "which way is better for the metric")
    .option("--target <number>", "the value of the metric that ends the experiment")
    .option("--threshold <fraction>", "smallest gain per iteration worth keeping (0.02 or 2%)")
    .option("--iterations <n>", "iteration budget (default 10)")
    .option("--test <cmd>", "regression test command; must exit 0 before optimizing starts")
    .option("--bench <cmd>", "benchmark command; must print the metric (or nothing: wall-time)")
    .option("--build <cmd>", "build command run before testing and measuring")
    .option(
      "--check <cmd>",
      "behaviour check: prints what the code computes (e.g. a function's results on a fixed corpus); its stdout on a candidate must be byte-identical to the best's",
    )
    .option(
      "--protect <globs>",
      "more files nobody may change, added to the defaults (comma-separated, repeatable)",
      collect,
    )
    .option("--knob <spec>", "a knob the tuner may turn (repeatable; syntax below)", collect)
    .option(
      "--volatile <regex>",
      "output of the benchmark that varies between runs of the same code (repeatable): never compared by the output invariants",
      collect,
    )
    .option(
      "--agent <name>",
      "llm: a model writes the tests or the benchmark you do not give (--test/--bench), and proposes a behaviour check without --check, each checked by a dry-run; the agent, --model and --base-url are kept in experiment.json for run",
    )
    .option(
      "--model <model>",
      "llm: its provider:model (anthropic:claude-haiku-4-5, openai:gpt-5-mini, openai-compatible:llama3.1)",
    )
    .option(
      "--base-url <url>",
      "llm: the model server (default: ANTHROPIC_BASE_URL / OPENAI_BASE_URL)",
    )
    .option(
      "--unconfined",
      "run tests and benchmarks outside bubblewrap even where it works (each run still gets a fresh TMPDIR and HOME, and the checkouts are checked after every run)",
    )
    .option(
      "--network",
      "keep the host's network in confined runs (a benchmark against a local server); by default a confined run has none",
    )
    .option(
      "--profile-focus <function>",
      "the function the benchmark measures: the hot-spot table the planner sees gives shares of its samples (setup left out)",
    )
    .option(
      "--reject-unsampled",
      "reject an edit to functions the benchmark never runs (no samples in the best's profile) before measuring it",
    )
    .option("--new", "start a new experiment although an unfinished one exists")
    .option(
      "--stash",
      "stash uncommitted changes (untracked files included) instead of refusing them; they come back if init fails",
    )
    .option("--yes", "never prompt: missing answers are an error")
    .option("--json", "print one JSON object describing what was created")
    .addHelpText(
      "after",
      `
Without a terminal (or with --yes), every answer must be a flag:
  auto-optimize init --goal "cut parse() latency" --scope 'src/**' --metric ms \\
    --direction lower --target 80 --threshold 2% --test 'npm test' --bench 'node bench.js'

Vague answers are refused: the target must be a number in the benchmark's unit, the threshold a
fraction (0.02) or a percentage (2%), and every scope glob must match a file.
--check runs twice in the dry-run and must print the same bytes both times (and something).
Always protected, besides --protect: the files the test, bench and check commands name, and
  ${DEFAULT_PROTECT.join(", ")}

${KNOB_SYNTAX}`,
    )
    .action(async (flags: InitFlags) => {
      const { root } = await openRepository(process.cwd());
      const interactive = !flags.yes && Boolean(process.stdin.isTTY && process.stderr.isTTY);
      const say = (line: string) => {
        if (!flags.json) process.stderr.write(`${line}\n`);
      };

      let startNew = flags.new ?? false;
      const last = startNew ? undefined : (await unfinishedExperiments(root)).at(-1);
      if (last) {
        if (!interactive) {
          throw new UsageError(
            "unfinished-experiment",
            `experiment ${last.name} (branch ${last.branch}) is not finished: continue it with auto-optimize run (in host mode: auto-optimize step next), or pass --new to start another one.`,
          );
        }
        if ((await askContinueOrNew(last)) === "continue") {
          await continueExperiment(root, last);
          const next = last.baselineLocked
            ? "auto-optimize run (in host mode: auto-optimize step next)"
            : "auto-optimize baseline";
          const result = { continued: last.name, branch: last.branch, next };
          process.stdout.write(
            flags.json
              ? `${JSON.stringify(result, null, 2)}\n`
              : `Continuing ${last.name} on branch ${last.branch}.\nNext: ${next}\n`,
          );
          return;
        }
        startNew = true;
      }

      let answers: RawAnswers = {
        goal: flags.goal,
        scope: flags.scope,
        metric: flags.metric,
        direction: flags.direction,
        target: flags.target,
        threshold: flags.threshold,
        iterations: flags.iterations,
        test: flags.test,
        bench: flags.bench,
        build: flags.build,
        check: flags.check,
        protect: flags.protect,
        knobs: flags.knob,
        volatile: flags.volatile,
      };
      if (interactive) {
        answers = await askMissing(answers, await listFiles(root));
      } else {
        const missing = missingFlags(answers);
        if (missing.length > 0) {
          throw new UsageError(
            "missing-answers",
            `init needs ${missing.join(", ")}${flags.yes ? " (--yes never prompts)" : " (no terminal to ask in)"}. Give ${missing.length > 1 ? "them" : "it"} as flags; see auto-optimize init --help.`,
          );
        }
      }
      const created = await createExperiment({
        cwd: process.cwd(),
        answers,
        startNew,
        stash: flags.stash,
        onProgress: say,
        infrastructure: await infrastructureWriter(flags, say),
        agent: chosenModelAgent(flags),
        isolation: { confine: !flags.unconfined, network: Boolean(flags.network) },
        profiling: profilingSettings(flags),
      });
      process.stdout.write(
        flags.json ? `${JSON.stringify(created, null, 2)}\n` : formatCreated(created),
      );
    });
}

function formatCreated(c: CreatedExperiment): string {
  const e = c.experiment;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const shown = c.protectedFiles.slice(0, 8).join(", ");
  const more = c.protectedFiles.length > 8 ? `, … ${c.protectedFiles.length - 8} more` : "";
  const lines = [
    `Created experiment ${c.name}`,
    `  folder:    ${c.path}/ (${FILES.experiment}, ${FILES.plan}, ${FILES.protected}, ${FILES.ledger})`,
    `  branch:    ${c.branch} (checked out)`,
    `  commit:    ${c.commit.slice(0, 12)} experiment(${c.id}): plan`,
    `  goal:      ${e.goal}`,
    `  metric:    ${e.metric.name}, ${e.metric.direction} is better; target ${e.target}; threshold ${(100 * e.threshold).toFixed(1)}% per iteration; ${e.iterations} iterations`,
    `  dry-run:   ${c.dryRun.build ? `build ok in ${seconds(c.dryRun.build.wallMs)}; ` : ""}tests passed in ${seconds(c.dryRun.tests.wallMs)}; benchmark printed ${e.metric.name} = ${c.dryRun.bench.value}`,
    ...(e.commands.check && c.dryRun.check
      ? [
          `  check:     '${e.commands.check}' printed the same ${c.dryRun.check.lines} line(s) twice; a candidate must print them too`,
        ]
      : []),
    `  protected: ${c.protectedFiles.length} file(s)${c.protectedFiles.length ? `: ${shown}${more}` : ""}`,
  ];
  if (e.knobs.length) lines.push(`  knobs:     ${e.knobs.map((k) => k.name).join(", ")}`);
  if (e.profiling?.focus || e.profiling?.rejectUnsampled) {
    const parts = [
      ...(e.profiling.focus ? [`hot spots as shares of ${e.profiling.focus}'s samples`] : []),
      ...(e.profiling.rejectUnsampled ? ["edits to code the benchmark never runs rejected"] : []),
    ];
    lines.push(`  profiling: ${parts.join("; ")}`);
  }
  if (c.writtenFiles.length) lines.push(`  written by the agent: ${c.writtenFiles.join(", ")}`);
  if (c.stash) {
    lines.push(
      `  stashed:   your uncommitted changes (${c.stash.files.length} file(s)) are in the stash "${c.stash.message}"; \`git switch ${c.stash.from} && git stash pop\` brings them back after the experiment`,
    );
  }
  for (const warning of c.warnings) lines.push(`warning: ${warning}`);
  lines.push("", "Next: auto-optimize baseline");
  return `${lines.join("\n")}\n`;
}

/** experiment.json's `profiling`, when a flag sets part of it. */
function profilingSettings(flags: InitFlags): Experiment["profiling"] {
  const focus = flags.profileFocus?.trim();
  if (flags.profileFocus !== undefined && !focus) {
    throw new UsageError(
      "bad-option",
      "--profile-focus needs the name of the function the benchmark measures (as the profile names it, e.g. parse or Parser.parse).",
    );
  }
  if (!focus && !flags.rejectUnsampled) return undefined;
  return { ...(focus && { focus }), ...(flags.rejectUnsampled && { rejectUnsampled: true }) };
}

/** The model named at init is the one `run` uses later unless its own flags say otherwise. */
function chosenModelAgent(flags: InitFlags): AgentSettings | undefined {
  if (flags.agent === undefined && !isModelId(flags.model)) return undefined;
  return {
    name: "llm",
    ...(flags.model && { model: flags.model }),
    ...(flags.baseUrl && { baseUrl: flags.baseUrl }),
  };
}

/** With --agent llm (or a provider:model), a model writes what the user did not give. */
async function infrastructureWriter(flags: InitFlags, say: (line: string) => void) {
  if (flags.agent === undefined && !isModelId(flags.model)) return undefined;
  if (flags.agent !== undefined && flags.agent !== "llm") {
    throw new UsageError(
      "unknown-agent",
      `init --agent takes llm (a model writes the missing tests or benchmark), not '${flags.agent}'.`,
    );
  }
  const options = llmOptions(
    { model: flags.model, baseUrl: flags.baseUrl },
    undefined,
    process.env,
    (message) => say(`warning: ${message}`),
  );
  // The AI SDK is loaded only when a model writes something: init starts without it otherwise.
  const { createLlmAgent } = await import("../agent/llm/agent.js");
  return createLlmAgent(options);
}
