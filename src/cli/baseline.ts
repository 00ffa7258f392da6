import type { Command } from "commander";
import { lockBaseline } from "../experiment/baseline.js";
import { parseInteger } from "../flag-numbers.js";

interface BaselineFlags {
  experiment?: string;
  runs?: string;
  acceptNoise?: boolean;
  force?: boolean;
  fresh?: boolean;
  json?: boolean;
}

export function registerBaseline(program: Command): void {
  program
    .command("baseline")
    .description(
      "Measure and lock the experiment's noise-checked baseline: baseline/result.json, result.txt and env-snapshot.txt, committed on the experiment branch.",
    )
    .option(
      "--experiment <name>",
      "the experiment (exp-001 or its full name); default: the one checked out",
    )
    .option(
      "--runs <n>",
      "measured runs after one warm-up (default: the experiment's baselineRuns)",
    )
    .option(
      "--accept-noise",
      "lock the baseline even if its robust CV stays above 5%; recorded in the plan",
    )
    .option(
      "--fresh",
      "with --accept-noise: measure anew instead of locking the runs of the baseline just refused",
    )
    .option("--force", "measure again although the baseline is locked (before the loop starts)")
    .option("--json", "print one JSON object instead of the summary")
    .action(async (flags: BaselineFlags) => {
      const runs = flags.runs === undefined ? undefined : parseInteger("--runs", flags.runs, 2);
      const progressive = !flags.json && process.stderr.isTTY;
      const outcome = await lockBaseline({
        cwd: process.cwd(),
        name: flags.experiment,
        runs,
        acceptNoise: flags.acceptNoise,
        force: flags.force,
        fresh: flags.fresh,
        onProgress: flags.json
          ? undefined
          : (message) => {
              const isRun = message.startsWith("baseline run ");
              if (isRun && !progressive) return;
              // Run counters overwrite each other on a terminal; other lines clear what is left.
              process.stderr.write(
                isRun ? `${message}\r` : `${progressive ? "\x1b[K" : ""}${message}\n`,
              );
            },
      });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        [
          outcome.summary.trimEnd(),
          "",
          `Locked and committed: ${outcome.commit.slice(0, 12)} experiment(${outcome.id}): baseline`,
          ...(outcome.reusedRefusedRuns
            ? [
                `These are the ${outcome.result.runs} runs the refused baseline gathered: nothing was measured again (--fresh measures anew).`,
              ]
            : []),
          outcome.targetReached
            ? "The baseline already reaches the target: check the target before running the loop."
            : "Next: `auto-optimize run` (an agent of the tool iterates on its own), or in host mode, where you or your coding agent plan and edit: `auto-optimize step next` (over MCP: the next_iteration tool).",
          "",
        ].join("\n"),
      );
    });
}
