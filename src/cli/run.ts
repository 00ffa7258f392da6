import type { Command } from "commander";
import type { LlmFlags } from "../agent/llm/config.js";
import { selectAgent } from "../agent/select.js";
import { lockBaseline } from "../experiment/baseline.js";
import { openExperiment } from "../experiment/open.js";
import { parseInteger, parsePositive, parseSeconds } from "../flag-numbers.js";
import { commitFinalReport } from "../loop/final-report-commit.js";
import { createProgress } from "../loop/progress.js";
import { defaultRemeasureRounds } from "../loop/report/remeasure.js";
import { runLoop } from "../loop/run-loop.js";
import { openRepository } from "../workspace/git.js";
import { loopProgress } from "./loop-progress.js";
import { addQueueOptions, openQueue, type QueueFlags, queueUrlOf } from "./queue-options.js";
import { stepPrinter } from "./step-printer.js";

interface RunFlags extends LlmFlags, QueueFlags {
  experiment?: string;
  agent?: string;
  patches?: string;
  revisions?: string;
  maxTurns?: string;
  agentTimeout?: string;
  iterations?: string;
  parallel?: string;
  maxMinutes?: string;
  maxCost?: string;
  continueAfterTarget?: boolean;
  acceptNoise?: boolean;
  report: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerRun(program: Command): void {
  const command = program
    .command("run")
    .description(
      "Lock the baseline if needed, then run the loop: plan, apply, check, test, measure against the best, decide, commit, reflect — until the target or a budget is reached. Resumes where a previous run stopped.",
    )
    .option("--experiment <name>", "the experiment (default: the current one)")
    .option(
      "--agent <name>",
      "tuner | patches | llm | claude-code | codex | aider (default: the first available)",
    )
    .option(
      "--patches <dir>",
      "folder of *.patch files for the patches agent, applied in name order",
    )
    .option(
      "--revisions <revs>",
      "comma-separated revisions for the patches agent, one per iteration",
    )
    .option(
      "--model <model>",
      "the model: for llm provider:model (anthropic:claude-sonnet-4-5, openai:gpt-5, openai-compatible:llama3.1); for claude-code, codex and aider the CLI's own name for it (sonnet, gpt-5-codex, anthropic/claude-sonnet-4-5)",
    )
    .option("--planner-model <model>", "llm: the planner's (and reflexion's) provider:model")
    .option("--executor-model <model>", "llm: the executor's provider:model (a cheaper one)")
    .option(
      "--base-url <url>",
      "llm: the model server (default: ANTHROPIC_BASE_URL / OPENAI_BASE_URL, else the provider's; Ollama http://localhost:11434/v1 for openai-compatible)",
    )
    .option(
      "--price <spec>",
      "llm: provider:model=INPUT,OUTPUT[,CACHED_INPUT[,CACHE_WRITE]] in US dollars per million tokens (repeatable)",
      collect,
    )
    .option(
      "--allow-command <cmd>",
      "llm: a command the executor may run besides the build, test and bench commands (repeatable)",
      collect,
    )
    .option("--call-timeout <seconds>", "llm: time limit of one model call (default 300)")
    .option(
      "--max-retries <n>",
      "llm: retries of a model call after 429, 5xx or a timeout (default 4)",
    )
    .option("--max-turns <n>", "claude-code: the turn limit of one call (default: 40)")
    .option(
      "--agent-timeout <seconds>",
      "claude-code, codex, aider: the time limit of one call (default: 1800)",
    )
    .option("--iterations <n>", "total iteration budget (default: the experiment's)")
    .option(
      "--parallel <k>",
      "candidates per generation, edited, built and tested side by side and compared one at a time against the same best; at most one kept (default 1)",
    )
    .option("--max-minutes <m>", "stop starting iterations after this many minutes")
    .option("--max-cost <usd>", "stop when the agents' cost reaches this many US dollars")
    .option("--continue-after-target", "go on after the target is reached")
    .option("--accept-noise", "lock a noisy baseline anyway (recorded in the plan)")
    .option("--no-report", "do not write the final report when the loop ends");
  addQueueOptions(command, "build, test and measure the candidates").action(
    async (flags: RunFlags) => {
      const parallel = flags.parallel ? parseInteger("--parallel", flags.parallel, 1) : 1;
      const queueUrl = queueUrlOf(flags);
      const repository = await openRepository(process.cwd());
      const root = repository.root;
      let opened = await openExperiment(root, flags.experiment);
      const progress = createProgress({
        stream: process.stderr,
        total: flags.iterations
          ? parseInteger("--iterations", flags.iterations, 1)
          : opened.experiment.iterations,
        startedAt: Date.now(),
      });
      // The agent first: a missing key or a bad model stops before the baseline is measured.
      const agent = await selectAgent(
        {
          name: flags.agent,
          patchesDir: flags.patches,
          revisions: flags.revisions?.split(",").filter(Boolean),
          llm: {
            model: flags.model,
            plannerModel: flags.plannerModel,
            executorModel: flags.executorModel,
            baseUrl: flags.baseUrl,
            price: flags.price,
            allowCommand: flags.allowCommand,
            callTimeout: flags.callTimeout,
            maxRetries: flags.maxRetries,
          },
          model: flags.model,
          maxTurns: flags.maxTurns ? parseInteger("--max-turns", flags.maxTurns, 1) : undefined,
          agentTimeoutMs: flags.agentTimeout
            ? 1000 * parseSeconds("--agent-timeout", flags.agentTimeout)
            : undefined,
        },
        opened.experiment,
        root,
      );
      // Before the baseline: an unreachable queue stops the run at once.
      const remote = await openQueue(queueUrl, root, opened.experiment);
      if (!opened.ledger.last("baseline-locked")) {
        progress.line("locking the baseline…");
        await lockBaseline({
          cwd: root,
          name: opened.name,
          acceptNoise: flags.acceptNoise,
          onProgress: (m) => progress.line(m),
        }).catch(async (error) => {
          await remote?.close();
          throw error;
        });
        opened = await openExperiment(root, opened.name);
      }
      const outcome = await runLoop({
        root,
        name: opened.name,
        dir: opened.dir,
        experiment: opened.experiment,
        ledger: opened.ledger,
        agent,
        iterations: flags.iterations
          ? parseInteger("--iterations", flags.iterations, 1)
          : undefined,
        parallel,
        maxMinutes: flags.maxMinutes
          ? parsePositive("--max-minutes", flags.maxMinutes, "minutes")
          : undefined,
        maxCostUsd: flags.maxCost
          ? parsePositive("--max-cost", flags.maxCost, "US dollars")
          : undefined,
        continueAfterTarget: flags.continueAfterTarget,
        ...loopProgress(progress),
        ...(remote && { remote }),
      }).finally(() => remote?.close());
      progress.done();
      process.stdout.write(`stopped: ${outcome.reason}\n`);
      if (outcome.interrupted) {
        process.exitCode = 130;
        return;
      }
      if (flags.report) {
        const report = await commitFinalReport({
          root,
          opened,
          remeasure: { maxRounds: defaultRemeasureRounds(opened.experiment) },
          onStep: stepPrinter(),
        });
        process.stdout.write(
          `leaderboard: ${opened.dir}/leaderboard.md\nfinal report: ${report.path} (${report.htmlPath})\n`,
        );
      }
    },
  );
}
