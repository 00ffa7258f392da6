import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { stepEvaluate } from "../loop/host/evaluate.js";
import { stepNext } from "../loop/host/next.js";
import { stepPlan } from "../loop/host/plan.js";
import { stepReflect } from "../loop/host/reflect.js";
import { hostStatus } from "../loop/host/status.js";
import { addQueueOptions, type QueueFlags, queueUrlOf } from "./queue-options.js";
import { stepPrinter } from "./step-printer.js";

interface StepFlags {
  experiment?: string;
  json?: boolean;
  file?: string;
  continueAfterTarget?: boolean;
}

const print = (flags: StepFlags, data: unknown, text: string) =>
  process.stdout.write(flags.json ? `${JSON.stringify(data, null, 2)}\n` : `${text.trimEnd()}\n`);

const recovered = (note: string | null) => (note ? `(recovered: ${note})\n\n` : "");

export function registerStep(program: Command): void {
  const step = program
    .command("step")
    .description(
      "Host mode: another agent (Claude Code, Codex, Cursor, a person) plans and edits; auto-optimize enforces the order next → plan → (edit) → evaluate → reflect, checks, measures, decides and commits.",
    )
    .addHelpText(
      "after",
      `
One iteration:
  auto-optimize step next                       the brief: goal, best, hot spots, leaderboard, tried strategies, plan schema
  auto-optimize step plan --file plan.json      the four-technique plan, checked and recorded
  (edit the files of the plan in this working tree)
  auto-optimize step evaluate                   checks, build, tests, interleaved comparison with the best; keep or drop; commit
  auto-optimize step reflect --file notes.md    the reflexion, required before the next iteration
Out-of-order steps are refused with the step to take instead; 'step status' says where you are.`,
    );
  const experimentOption = "the experiment (exp-001 or its full name; default: the current one)";

  step
    .command("next")
    .description("Open the next iteration and print its brief (or say why the experiment stops).")
    .option("--experiment <name>", experimentOption)
    .option("--continue-after-target", "open another iteration although the target is reached")
    .option("--json", "print one JSON object (the brief with the plan's JSON Schema)")
    .action(async (flags: StepFlags) => {
      const result = await stepNext({
        cwd: process.cwd(),
        experiment: flags.experiment,
        continueAfterTarget: flags.continueAfterTarget,
        onProgress: flags.json ? undefined : stepPrinter(),
      });
      print(flags, result, `${recovered(result.recovered)}${result.text}`);
    });

  step
    .command("plan")
    .description("Submit the plan of the open iteration (JSON; see the brief's planSchema).")
    .requiredOption("--file <path>", "the plan's JSON file, or - for standard input")
    .option("--experiment <name>", experimentOption)
    .option("--json", "print one JSON object")
    .action(async (flags: StepFlags) => {
      const result = await stepPlan({
        cwd: process.cwd(),
        experiment: flags.experiment,
        plan: readInput(flags.file as string, "plan"),
      });
      print(
        flags,
        result,
        `${recovered(result.recovered)}accepted the plan of iteration ${result.iteration}: ${result.strategy} (${result.planPath})\nNext: ${result.nextHint}`,
      );
    });

  const evaluate = step
    .command("evaluate")
    .description(
      "Check, build, test and measure the edits against the current best; decide; commit (a non-keep is reverted).",
    )
    .option("--experiment <name>", experimentOption)
    .option("--json", "print one JSON object: iteration, decision, result, delta, nextHint");
  addQueueOptions(evaluate, "build, test and measure the edits").action(
    async (flags: StepFlags & QueueFlags) => {
      const queue = queueUrlOf(flags);
      const result = await stepEvaluate({
        cwd: process.cwd(),
        experiment: flags.experiment,
        ...(queue && { queue }),
        onProgress: flags.json ? undefined : stepPrinter(),
      });
      const pct = (x: number) => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(2)}%`;
      const { delta } = result;
      const lines = [
        `iteration ${result.iteration} (${result.strategy}): ${result.decision}`,
        `reason: ${result.result.reason}`,
        ...(delta.improvement !== null && delta.ci
          ? [
              `improvement vs best: ${pct(delta.improvement)} [${pct(delta.ci[0])}, ${pct(delta.ci[1])}]`,
            ]
          : []),
        ...(result.result.testOutput ? ["", result.result.testOutput, ""] : []),
        `Next: ${result.nextHint}`,
      ];
      print(flags, result, `${recovered(result.recovered)}${lines.join("\n")}`);
    },
  );

  step
    .command("reflect")
    .description("Record the reflexion of the iteration just evaluated (required before the next).")
    .requiredOption("--file <path>", "reflexion.md, or - for standard input")
    .option("--experiment <name>", experimentOption)
    .option("--json", "print one JSON object")
    .action(async (flags: StepFlags) => {
      const result = await stepReflect({
        cwd: process.cwd(),
        experiment: flags.experiment,
        text: readInput(flags.file as string, "reflexion"),
      });
      print(
        flags,
        result,
        `${recovered(result.recovered)}recorded ${result.path}\nNext: ${result.nextHint}`,
      );
    });

  step
    .command("status")
    .description("Where the experiment stands, and the step host mode expects now.")
    .option("--experiment <name>", experimentOption)
    .option("--json", "print one JSON object")
    .action(async (flags: StepFlags) => {
      const status = await hostStatus({ cwd: process.cwd(), experiment: flags.experiment });
      print(
        flags,
        status,
        `${status.experiment}: ${status.iterations.done} iteration(s) done · expected step: ${status.host.expected}\nNext: ${status.host.nextHint}\nNote: ${status.host.note}`,
      );
    });
}

/** The text of a file, or of standard input for `-`. */
function readInput(path: string, what: string): string {
  try {
    return readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (error) {
    throw new UsageError(
      "unreadable-input",
      `cannot read the ${what} from ${path === "-" ? "standard input" : path}: ${(error as Error).message}`,
    );
  }
}
