import type { Command } from "commander";
import { parseInteger } from "../flag-numbers.js";
import { commitFinalReport } from "../loop/final-report-commit.js";
import { defaultRemeasureRounds } from "../loop/report/remeasure.js";
import { openRepository } from "../workspace/git.js";
import { openForReading } from "./status.js";
import { stepPrinter } from "./step-printer.js";

interface ReportFlags {
  experiment?: string;
  remeasure: boolean;
  rounds?: string;
  json?: boolean;
}

export function registerReport(program: Command): void {
  program
    .command("report")
    .description(
      "Write the experiment's final-report.md — headline from a fresh re-measure of baseline against best, best configuration and diff, every iteration, insights, next steps, time and cost — and commit it.",
    )
    .option(
      "--experiment <name>",
      "the experiment (exp-001 or its full name; default: the current one)",
    )
    .option("--no-remeasure", "skip the re-measure of baseline against best (no headline number)")
    .option(
      "--rounds <n>",
      "rounds of the re-measure at most; it stops once its interval is precise enough (default: twice the experiment's max rounds)",
    )
    .option("--json", "print one JSON object: path, headline, commit")
    .action(async (flags: ReportFlags) => {
      const repository = await openRepository(process.cwd());
      const root = repository.root;
      const opened = await openForReading(root, flags.experiment);
      const { experiment } = opened;
      const rounds =
        flags.rounds === undefined
          ? defaultRemeasureRounds(experiment)
          : parseInteger("--rounds", flags.rounds, 2);
      const result = await commitFinalReport({
        root,
        opened,
        remeasure: flags.remeasure ? { maxRounds: rounds } : null,
        onStep: flags.json ? undefined : stepPrinter(),
      });
      const commit = result.commit;
      if (flags.json) {
        process.stdout.write(
          `${JSON.stringify({ path: result.path, htmlPath: result.htmlPath, headline: result.headline, commit }, null, 2)}\n`,
        );
        return;
      }
      const h = result.headline;
      const pct = (x: number) => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(2)}%`;
      process.stdout.write(
        [
          `wrote ${result.path} and ${result.htmlPath}`,
          h
            ? `headline (re-measured, ${h.rounds} rounds): ${pct(h.improvement)} [${pct(h.ci[0])}, ${pct(h.ci[1])}] — ${h.verdict}${h.vetoes.length ? ` (${h.vetoes.join("; ")})` : ""}`
            : "no headline: not re-measured (or nothing was kept)",
          `committed ${commit.slice(0, 10)} experiment(${experiment.id}): final report`,
          "",
        ].join("\n"),
      );
    });
}
