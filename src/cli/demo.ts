import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { runDemo } from "../loop/demo.js";
import { createProgress } from "../loop/progress.js";
import { loopProgress } from "./loop-progress.js";
import { stepPrinter } from "./step-printer.js";

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "Run the whole loop on a bundled example, offline and without an API key: init, baseline, the knob tuner, the final report.",
    )
    .option(
      "--dir <path>",
      "an empty folder for the example's repository (default: a new temporary folder)",
    )
    .action(async (flags: { dir?: string }) => {
      const started = Date.now();
      const progress = createProgress({ stream: process.stderr, total: 8, startedAt: started });
      const result = await runDemo({
        directory: flags.dir,
        onProgress: (text) => progress.line(text),
        ...loopProgress(progress),
        onReportStep: stepPrinter(),
      });
      progress.done();
      const pct = (x: number) => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}%`;
      const h = result.report.headline;
      process.stdout.write(
        [
          "",
          readFileSync(join(result.experimentDir, "leaderboard.md"), "utf8").trim(),
          "",
          `stopped: ${result.outcome.reason}`,
          h
            ? `headline (baseline re-measured against the best, ${h.rounds} rounds): ${pct(h.improvement)} [${pct(h.ci[0])}, ${pct(h.ci[1])}] — ${h.verdict}`
            : "headline: nothing was kept, so there was nothing to re-measure",
          `final report: ${result.report.path}`,
          `              ${result.report.htmlPath} (open it in a browser)`,
          `repository:   ${result.repository} (git log shows every iteration)`,
          `took ${((Date.now() - started) / 1000).toFixed(0)} s`,
          "",
        ].join("\n"),
      );
    });
}
